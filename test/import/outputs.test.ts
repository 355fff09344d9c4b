import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { analyzeRun } from '../../src/analysis/index.js';
import { parseColumns } from '../../src/cli/import-outputs.js';
import { UserError } from '../../src/core/errors.js';
import { importOutputs, type ImportOptions } from '../../src/import/outputs.js';
import { readRun } from '../../src/output/run-dir.js';
import { runCli, tempDir } from '../helpers.js';

function write(name: string, text: string | Buffer): string {
  const file = path.join(tempDir(), name);
  fs.writeFileSync(file, text);
  return file;
}

const run = (files: string[], opts: Omit<ImportOptions, 'files'> = {}) => importOutputs({ files, ...opts });

/** A UserError whose message names the place (file:line or column) and says what is wrong. */
function throwsAt(fn: () => unknown, where: RegExp, what: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UserError, String(e));
    assert.match(e.message, where);
    assert.match(e.message, what);
    return true;
  });
}

test('a wide 0/1 file: one column per model, item and subject found by their usual names', () => {
  const file = write('wide.csv', 'question_id,category,m1,m2\n1,law,1,0\n2,law,0,0\n3,math,1,1\n');
  const { summary, items, layout } = run([file]);
  assert.deepEqual(
    summary.models.map((m) => m.name),
    ['m1', 'm2'],
  );
  assert.equal(summary.models[0].backend, 'imported');
  assert.deepEqual(
    summary.conditions.map((c) => c.name),
    ['baseline'],
  );
  assert.equal(summary.baseline, 'baseline');
  assert.deepEqual(
    summary.cells.map((c) => [c.model, c.correct, c.n]),
    [
      ['m1', 2, 3],
      ['m2', 1, 3],
    ],
  );
  assert.deepEqual(items[0], {
    model: 'm1',
    condition: 'baseline',
    itemId: '1',
    subject: 'law',
    order: [],
    goldPosition: -1,
    scores: [],
    predicted: null,
    correct: true,
    tie: false,
  });
  assert.match(layout[0], /wide, 2 model columns of correct; item=question_id, subject=category/);
  // What analyze makes of it.
  const analysis = analyzeRun(
    { items, conditions: summary.conditions, baseline: summary.baseline },
    { seed: 1, bootstrap: 20 },
  );
  assert.equal(analysis.leaderboards[0].entries[0].model, 'm1');
});

test('a wide file of predicted letters is scored against the gold column; NONE is unscored', () => {
  const file = write('preds.csv', 'id,src,answer,a,b\n1,x,B,B,A\n2,x,C,NONE,C\n3,x,A,a,(B)\n');
  const { items, summary } = run([file]);
  assert.deepEqual(
    summary.models.map((m) => m.name),
    ['a', 'b'],
    'src is a description, not a model',
  );
  const a = items.filter((r) => r.model === 'a');
  assert.deepEqual(
    a.map((r) => [r.predicted, r.goldPosition, r.correct]),
    [
      [1, 1, true],
      [null, 2, null],
      [0, 0, true],
    ],
  );
  assert.equal(summary.cells[0].unscored, 1);
  assert.deepEqual(
    items.filter((r) => r.model === 'b').map((r) => r.correct),
    [false, true, false],
  );
});

test('long JSONL with per-choice scores and conditions; gzip is unpacked', () => {
  const lines = [
    { model: 'x', condition: 'plain', doc_id: 0, gold: 1, logprobs: [-2, -0.5, -3] },
    { model: 'x', condition: 'plain', doc_id: 1, gold: 0, logprobs: [-1, -1, -4] },
    { model: 'x', condition: 'shuffled', doc_id: 0, gold: 1, logprobs: [-0.1, -0.5, -3] },
    { model: 'x', condition: 'shuffled', doc_id: 1, gold: 0, logprobs: [-1, null, -4] },
  ];
  const file = write('out.jsonl.gz', gzipSync(lines.map((l) => JSON.stringify(l)).join('\n')));
  const { summary, items } = run([file], { baseline: 'plain' });
  assert.deepEqual(
    summary.conditions.map((c) => c.name),
    ['plain', 'shuffled'],
  );
  assert.equal(summary.conditions[1].factors.template, 'shuffled');
  assert.deepEqual(
    items.map((r) => [r.predicted, r.correct, r.tie]),
    [
      [1, true, false],
      [0, true, true],
      [0, false, false],
      [0, true, false],
    ],
  );
  assert.deepEqual(items[0].order, [0, 1, 2]);
});

test('wide per-choice scores (<model>:<choice>), gold from an answers file, one condition per file', () => {
  const header = 'id,m|v1:A,m|v1:B,m|v1:C,n:A,n:B,n:C';
  const f1 = write('prompt-one.csv', `${header}\n0,1,2,3,0,0,1\n1,5,0,0,1,0,0\n`);
  const f2 = write('prompt-two.csv', `${header}\n0,3,2,1,0,2,1\n1,0,5,0,1,0,0\n`);
  const answers = write('answers.csv', 'id,answer,subject\n0,C,s1\n1,A,s2\n');
  const { summary, items } = run([f1, f2], { conditionPerFile: true, answers });
  assert.deepEqual(
    summary.conditions.map((c) => c.name),
    ['prompt-one', 'prompt-two'],
  );
  assert.deepEqual(
    summary.models.map((m) => m.name),
    ['m|v1', 'n'],
  );
  const cell = (model: string, condition: string) =>
    summary.cells.find((c) => c.model === model && c.condition === condition)!;
  assert.equal(cell('m|v1', 'prompt-one').correct, 2);
  assert.equal(cell('m|v1', 'prompt-two').correct, 0);
  assert.equal(cell('n', 'prompt-two').correct, 1);
  assert.equal(items[0].subject, 's1');
});

test('--columns names the columns, overriding the usual names', () => {
  const file = write('odd.csv', 'q,who,right,answer\n1,m,yes,1\n1,n,0,1\n2,m,1,1\n2,n,1,1\n');
  throwsAt(() => run([file]), /odd\.csv/, /no item id column/);
  throwsAt(
    () => run([file], { columns: { item: 'q', model: 'who', correct: 'right' } }),
    /odd\.csv:2: column "right"/,
    /cannot read "yes" as correctness/,
  );
  const { summary } = run([file], { columns: { item: 'q', model: 'who', pred: 'answer', gold: 'answer' } });
  assert.deepEqual(
    summary.cells.map((c) => c.accuracy),
    [1, 1],
  );
  assert.deepEqual(
    parseColumns(['item=q,model=who', 'gold=a,b']),
    { item: 'q', model: 'who', gold: 'a,b' },
    'a comma splits only before a role',
  );
  throwsAt(() => parseColumns(['itm=q']), /--columns/, /unknown role "itm"/);
});

test('bad input is refused with the file, the line and the column', () => {
  const wide = 'id,answer,m1,m2\n';
  throwsAt(() => run([write('a.csv', `${wide}1,A,1,0\n2,B,1\n`)]), /a\.csv:3/, /the row has 3 fields, the header 4/);
  throwsAt(() => run([write('b.csv', `${wide}1,A,1,0\n2,B,"1,0\n`)]), /b\.csv:3/, /malformed row/);
  throwsAt(() => run([write('c.csv', `${wide}1,A,QQ,B\n`)]), /c\.csv:2: column "m1"/, /cannot read "QQ" as a choice/);
  throwsAt(
    () => run([write('d.csv', `${wide}1,A,1,0\n1,A,1,1\n`)]),
    /d\.csv:3/,
    /a second result for model "m1", condition "baseline", item "1" \(the first is at .*d\.csv:2\)/,
  );
  throwsAt(() => run([write('e.jsonl', '{"model":"m","id":1,"correct":1}\n[1,2]\n')]), /e\.jsonl:2/, /one JSON object/);
  throwsAt(() => run([write('f.jsonl', '{"model":"m","id":1,"correct":1}\n{"model":\n')]), /f\.jsonl:2/, /not JSON/);
  throwsAt(
    () => run([write('g.csv', `${wide}1,A,1,0\n`)], { columns: { subject: 'topic' } }),
    /g\.csv/,
    /no column "topic" \(columns: id, answer, m1, m2\)/,
  );
  throwsAt(() => run([write('h.txt', 'x')]), /h\.txt/, /--format csv or --format jsonl/);
  throwsAt(
    () => run([write('i.csv', 'id,m1\n1,A\n')]),
    /i\.csv:2: column "m1"/,
    /no gold answer, so accuracy cannot be computed/,
  );
  throwsAt(() => run([write('j.csv', 'id,model,x\n1,m,1\n')]), /j\.csv/, /no outcome column/);
});

test('a model missing items is an error naming it and the first gap, unless gaps are allowed', () => {
  const file = write('gaps.csv', 'id,m1,m2\n1,1,0\n2,1,\n3,0,\n');
  throwsAt(
    () => run([file]),
    /model "m2" has no result for 2 of 3 items under condition "baseline"/,
    /the first gap: .*gaps\.csv:3: column "m2"/,
  );
  const long = write(
    'gaps.jsonl',
    '{"model":"a","id":1,"correct":1}\n{"model":"a","id":2,"correct":0}\n{"model":"b","id":1,"correct":1}\n',
  );
  throwsAt(() => run([long]), /model "b" has no result for 1 of 2 items/, /--missing skip/);
  const { items, warnings, summary } = run([file], { missing: 'skip' });
  assert.equal(items.length, 4);
  assert.equal(warnings.length, 1);
  const analysis = analyzeRun(
    { items, conditions: summary.conditions, baseline: summary.baseline },
    { seed: 1, bootstrap: 0 },
  );
  assert.equal(analysis.items.n, 1, 'only items every model answered are compared');
});

test('import outputs writes a run folder that analyze reads', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'wide.csv');
  const rows = Array.from(
    { length: 60 },
    (_, i) => `${i},${i % 3 === 0 ? 'x' : 'y'},${i % 4 ? 1 : 0},${i % 2},${i % 5 ? 1 : 0}`,
  );
  fs.writeFileSync(file, `id,subject,good,coin,better\n${rows.join('\n')}\n`);
  const out = path.join(dir, 'run');
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, 'analysis.json'), '{"stale": true}');
  const imported = await runCli(['import', 'outputs', file, '--out', out, '--condition', 'published']);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /imported 180 results: 3 models x 1 conditions x 60 items; baseline "published"/);
  assert.ok(!fs.existsSync(path.join(out, 'analysis.json')), 'an earlier analysis is removed');
  assert.equal(readRun(out).items.length, 180);
  const analyzed = await runCli(['analyze', out, '--bootstrap', '100']);
  assert.equal(analyzed.code, 0, analyzed.stderr);
  assert.match(analyzed.stdout, /Baseline leaderboard \(published\)/);
  const bad = await runCli(['import', 'outputs', file, '--out', out, '--columns', 'itm=id']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /unknown role "itm"; roles: item, model, condition, subject, gold, correct, pred, scores/);
});
