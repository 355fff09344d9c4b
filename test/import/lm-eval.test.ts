import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { UserError } from '../../src/core/errors.js';
import type { ItemResult } from '../../src/core/results.js';
import { importLmEval, modelNameFor } from '../../src/import/lm-eval-command.js';
import { readSamplesFile, taskFromFileName } from '../../src/import/lm-eval-samples.js';
import { readRun } from '../../src/output/run-dir.js';
import { runCli } from '../helpers.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goodhart-lm-eval-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function write(rel: string, lines: unknown[]): string {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

const DOCS = [
  { question: 'Capital of Norway?', conts: [' Paris', ' Rome', ' Berlin city', ' Oslo'], gold: 2 },
  { question: 'Pick one', conts: [' ab', ' cd', ' ef', ' gh'], gold: 0 },
  { question: '한국의 수도?', conts: [' 서울', ' Busan'], gold: 0 },
];

/** Recent lm-eval: gen_args objects, every response value a string, target a string. */
function recent(lls: number[][], uncond: number[][], reported: Record<string, number>[]) {
  return DOCS.map((d, i) => {
    const reqs = [...d.conts.map((c) => [`Question: ${d.question}\nAnswer:`, c]), ...d.conts.map((c) => ['', c])];
    const all = [...lls[i], ...uncond[i]];
    return {
      doc_id: i,
      doc: { question: d.question, choices: d.conts.map((c) => c.trim()), gold: d.gold },
      target: String(d.gold),
      arguments: Object.fromEntries(reqs.map((r, k) => [`gen_args_${k}`, { arg_0: r[0], arg_1: r[1] }])),
      resps: all.map((v) => [[String(v), 'False']]),
      filtered_resps: all.map((v) => [String(v), 'False']),
      filter: 'none',
      metrics: ['acc', 'acc_norm', 'acc_mutual_info'],
      doc_hash: `hash${i}`,
      prompt_hash: 'p',
      target_hash: 't',
      ...reported[i],
    };
  });
}

/** Older lm-eval: [context, continuation] lists and numbers. */
function older(lls: number[][], uncond: number[][], reported: Record<string, number>[]) {
  return DOCS.map((d, i) => ({
    doc_id: i,
    doc: {},
    target: d.gold,
    arguments: [...d.conts.map((c) => [`Question: ${d.question}\nAnswer:`, c]), ...d.conts.map((c) => ['', c])],
    resps: [...lls[i], ...uncond[i]].map((v) => [[v, false]]),
    filtered_resps: [...lls[i], ...uncond[i]].map((v) => [v, false]),
    doc_hash: `hash${i}`,
    ...reported[i],
  }));
}

// Model A. acc: argmax ll → Rome, ab (tie), 서울 → 0,1,1. acc_norm (per char): Berlin city (-6/11), ab (tie), Busan (-10/5 > -6/2) → 1,1,0.
// acc_bytes: 서울 is 6 bytes (-1 > -2) → 1,1,1. PMI: [-3,-3,-1,-6] → Berlin city ✓; [-2,-1,-2,-3] ✗; [-5,-1] ✗ → 1,0,0.
// lm-eval's acc_mutual_info below is what its old pairing (lls[::2] against lls[1::2]) gives: 0,0,0 — doc 0 disagrees.
const A_FILE = write(
  'EleutherAI__pythia-160m/samples_arc_easy_2024-05-01T10-00-00.123456.jsonl',
  recent(
    [
      [-5, -4, -6, -9],
      [-3, -3, -4, -5],
      [-6, -10],
    ],
    [
      [-2, -1, -5, -3],
      [-1, -2, -2, -2],
      [-1, -9],
    ],
    [
      { acc: 0, acc_norm: 1, acc_mutual_info: 0 },
      { acc: 1, acc_norm: 1, acc_mutual_info: 0 },
      { acc: 1, acc_norm: 0, acc_mutual_info: 0 },
    ],
  ),
);
fs.writeFileSync(
  path.join(root, 'EleutherAI__pythia-160m', 'results_2024-05-01T10-00-00.123456.json'),
  JSON.stringify({ model_name: 'EleutherAI/pythia-160m', results: {} }),
);
// Model B. acc: Oslo ✗, cd (tie with ef) ✗, 서울 ✓ → 1/3. acc_norm: Berlin city ✓, cd ✗, Busan ✗ → 1/3. acc_bytes: ✓ ✗ ✓ → 2/3. PMI: ✗ ✗ ✓ → 1/3.
const B_FILE = write(
  'org__model-b/samples_arc_easy_2024-05-02T11-00-00.jsonl',
  older(
    [
      [-7, -8, -9, -6],
      [-2, -1, -1, -3],
      [-2, -4],
    ],
    [
      [-1, -1, -1, -1],
      [-1, -1, -1, -1],
      [-1, -1],
    ],
    [
      { acc: 0, acc_norm: 1 },
      { acc: 0, acc_norm: 0 },
      { acc: 1, acc_norm: 0 },
    ],
  ),
);

const accuracy = (
  summary: { cells: { model: string; condition: string; accuracy: number }[] },
  model: string,
  condition: string,
) => summary.cells.find((c) => c.model === model && c.condition === condition)?.accuracy;

describe('import lm-eval samples', () => {
  it('reads task and model names the way lm-eval writes them', () => {
    assert.equal(
      taskFromFileName('samples_mmlu_high_school_biology_2024-05-01T10-00-00.123456.jsonl'),
      'mmlu_high_school_biology',
    );
    assert.equal(taskFromFileName('samples_arc_easy.jsonl'), 'arc_easy');
    assert.equal(modelNameFor(A_FILE), 'EleutherAI/pythia-160m');
    assert.equal(modelNameFor(B_FILE), 'org/model-b');
  });

  it('parses string floats, gen_args and the unconditional requests', () => {
    const parsed = readSamplesFile(A_FILE);
    assert.equal(parsed.task, 'arc_easy');
    assert.deepEqual(parsed.docs[0].loglikelihoods, [-5, -4, -6, -9]);
    assert.deepEqual(parsed.docs[0].unconditional, [-2, -1, -5, -3]);
    assert.deepEqual(parsed.docs[2].continuations, [' 서울', ' Busan']);
    assert.equal(parsed.docs[2].gold, 0);
  });

  it('recomputes every normalization from the log-likelihoods, for several models in one run folder', () => {
    const out = path.join(root, 'run1');
    const { run, report } = importLmEval([A_FILE, B_FILE], { out, version: 'test' });
    const { summary, items } = readRun(out);
    assert.deepEqual(
      summary.models.map((m) => m.name),
      ['EleutherAI/pythia-160m', 'org/model-b'],
    );
    assert.deepEqual(
      summary.conditions.map((c) => [c.name, c.scoring, c.normalization]),
      [
        ['arc_easy:acc', 'cloze', 'none'],
        ['arc_easy:acc_norm', 'cloze', 'char'],
        ['arc_easy:acc_bytes', 'cloze', 'byte'],
        ['arc_easy:acc_mutual_info', 'cloze', 'pmi'],
      ],
    );
    assert.equal(summary.baseline, 'arc_easy:acc');
    const A = 'EleutherAI/pythia-160m';
    const B = 'org/model-b';
    assert.deepEqual(
      ['acc', 'acc_norm', 'acc_bytes', 'acc_mutual_info'].map((m) => accuracy(summary, A, `arc_easy:${m}`)),
      [2 / 3, 2 / 3, 1, 1 / 3],
    );
    assert.deepEqual(
      ['acc', 'acc_norm', 'acc_bytes', 'acc_mutual_info'].map((m) => accuracy(summary, B, `arc_easy:${m}`)),
      [1 / 3, 1 / 3, 2 / 3, 1 / 3],
    );
    const item = (model: string, condition: string, doc: number) =>
      items.find((i: ItemResult) => i.model === model && i.condition === condition && i.itemId === `arc_easy/${doc}`)!;
    assert.deepEqual(item(A, 'arc_easy:acc', 1), {
      model: A,
      condition: 'arc_easy:acc',
      itemId: 'arc_easy/1',
      order: [0, 1, 2, 3],
      goldPosition: 0,
      scores: [-3, -3, -4, -5],
      predicted: 0,
      correct: true,
      tie: true,
    });
    assert.deepEqual(item(A, 'arc_easy:acc_norm', 0).scores, [-5 / 5, -4 / 4, -6 / 11, -9 / 4]);
    assert.deepEqual(item(A, 'arc_easy:acc_bytes', 2).scores, [-6 / 6, -10 / 5]);
    assert.equal(item(B, 'arc_easy:acc', 1).predicted, 1);
    assert.equal(summary.cells.find((c) => c.model === B && c.condition === 'arc_easy:acc')?.ties, 1);
    assert.equal(items.length, 2 * 4 * 3);
    // lm-eval's own acc and acc_norm agree with the recomputation; its acc_mutual_info (old pairing) does not.
    const checks = Object.fromEntries(
      run.summary.import.checks.map((c) => [`${c.model} ${c.condition}`, [c.compared, c.disagree]]),
    );
    assert.deepEqual(checks, {
      [`${A} arc_easy:acc`]: [3, 0],
      [`${A} arc_easy:acc_norm`]: [3, 0],
      [`${A} arc_easy:acc_mutual_info`]: [3, 1],
      [`${B} arc_easy:acc`]: [3, 0],
      [`${B} arc_easy:acc_norm`]: [3, 0],
    });
    assert.match(report.join('\n'), /acc_mutual_info disagrees on 1 \(doc_id 0\) of 3 documents — lm-eval paired/);
  });

  it('merges another model into the folder with --append, and groups tasks under one condition name', () => {
    const out = path.join(root, 'run2');
    importLmEval([A_FILE], { out, version: 'test', group: 'arc' });
    importLmEval([B_FILE], { out, version: 'test', group: 'arc', append: true });
    const { summary, items } = readRun(out);
    assert.deepEqual(
      summary.models.map((m) => m.name),
      ['EleutherAI/pythia-160m', 'org/model-b'],
    );
    assert.deepEqual(
      summary.conditions.map((c) => c.name),
      ['arc:acc', 'arc:acc_norm', 'arc:acc_bytes', 'arc:acc_mutual_info'],
    );
    assert.equal(items[0].subject, 'arc_easy');
    assert.throws(
      () => importLmEval([B_FILE], { out, version: 'test', group: 'arc', append: true }),
      /already in this run folder/,
    );
  });

  it('scores letter continuations as symbol scoring, with acc only', () => {
    const doc = (i: number, gold: number, lls: number[]) => ({
      doc_id: i,
      target: gold,
      arguments: {
        gen_args_0: { arg_0: 'Q\nA. x\nB. y\nAnswer:', arg_1: ' A' },
        gen_args_1: { arg_0: 'Q\nA. x\nB. y\nAnswer:', arg_1: ' B' },
      },
      resps: lls.map((v) => [[String(v), 'True']]),
      acc: lls[gold] === Math.max(...lls) ? 1 : 0,
    });
    const file = write('m__sym/samples_mmlu_anatomy_2024-01-01T00-00-00.jsonl', [
      doc(0, 0, [-1, -2]),
      doc(1, 0, [-3, -2]),
    ]);
    const { run } = importLmEval([file], { out: path.join(root, 'run3'), version: 'test', model: 'sym' });
    assert.deepEqual(
      run.summary.conditions.map((c) => [c.name, c.scoring]),
      [['mmlu_anatomy:acc', 'symbol']],
    );
    assert.equal(run.summary.cells[0].accuracy, 0.5);
    assert.deepEqual(run.items[0].labels, ['A', 'B']);
  });

  it('refuses generation tasks, documents that differ between models, and leaves out multi-answer documents', () => {
    const gen = write('g__g/samples_gsm8k_2024-01-01T00-00-00.jsonl', [
      { doc_id: 0, target: '4', arguments: { gen_args_0: { arg_0: 'Q', arg_1: { until: ['\n'] } } }, resps: [['4']] },
    ]);
    assert.throws(
      () => readSamplesFile(gen),
      (e: unknown) => e instanceof UserError && /generate_until/.test(e.message) && e.message.includes(`${gen}:1`),
    );
    const other = write(
      'c__c/samples_arc_easy_2024-01-01T00-00-00.jsonl',
      recent(
        [
          [-1, -2, -3, -4],
          [-1, -2, -3, -4],
          [-1, -2],
        ],
        [
          [0, 0, 0, 0],
          [0, 0, 0, 0],
          [0, 0],
        ],
        [{}, {}, {}],
      ).map((r, i) => ({ ...r, doc_hash: i === 1 ? 'other' : r.doc_hash })),
    );
    assert.throws(
      () => importLmEval([A_FILE, other], { out: path.join(root, 'run4'), version: 'test' }),
      /doc_id 1 differs/,
    );
    const multi = write('d__d/samples_x_2024-01-01T00-00-00.jsonl', [
      {
        doc_id: 0,
        target: '[0, 1]',
        arguments: [
          ['Q', ' a'],
          ['Q', ' b'],
        ],
        resps: [[[-1, false]], [[-2, false]]],
      },
      {
        doc_id: 1,
        target: 1,
        arguments: [
          ['Q', ' a'],
          ['Q', ' b'],
        ],
        resps: [[[-1, false]], [[-2, false]]],
      },
    ]);
    const parsed = readSamplesFile(multi);
    assert.equal(parsed.docs.length, 1);
    assert.match(parsed.skipped[0].reason, /several correct answers/);
  });

  it('works from the command line', async () => {
    const out = path.join(root, 'cli-run');
    const r = await runCli(['import', 'lm-eval', A_FILE, B_FILE, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /arc_easy:acc_bytes/);
    assert.match(r.stdout, /wrote .*summary\.json/);
    assert.ok(fs.existsSync(path.join(out, 'items.jsonl')));
  });
});
