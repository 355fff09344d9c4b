import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runCli, sharedDir, tempDir } from '../helpers.js';

/**
 * TruthfulQA MC1 lists the correct answer first in every item. A run warns, shows the baseline's
 * choices shuffled under symbol scoring, and records it; summary.json carries each benchmark file's
 * hash; the report says when the data changed since the run.
 */
const SOURCE = path.join(sharedDir(), 'data', 'truthfulqa', 'mc_task.json');
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

function study(dir: string, data: string, conditions: string, baseline?: string): string {
  const file = path.join(dir, `study-${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(
    file,
    `name: tqa
benchmark:
  recipe: truthfulqa_mc1
  path: ${data}
  limit: { total: 40, seed: 1 }
models:
  - { name: sim-a, backend: sim, ability: 0.3, seed: 1 }
conditions:
${conditions}
${baseline ? `baseline: ${baseline}` : ''}
`,
  );
  return file;
}

test(
  'TruthfulQA MC1: skewed gold warns, the symbol baseline is shuffled and recorded; file hashes; report warns after an edit',
  { skip: !fs.existsSync(SOURCE) },
  async () => {
    const dir = tempDir();
    const data = path.join(dir, 'data');
    fs.mkdirSync(data);
    const copy = path.join(data, 'mc_task.json');
    fs.copyFileSync(SOURCE, copy);
    const out = path.join(dir, 'out');
    const store = path.join(dir, 'store.sqlite');

    const run = await runCli([
      'run',
      study(dir, data, '  - { name: sym, scoring: symbol }', 'sym'),
      '--out',
      out,
      '--store',
      store,
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr, /100\.0% of the items have their gold answer at position 1/);
    assert.match(run.stderr, /baseline "sym" shows its choices shuffled/);
    const summary = readJson(path.join(out, 'summary.json'));
    assert.equal(summary.benchmark.goldPositions.baselineShuffled, true);
    assert.deepEqual(summary.benchmark.goldPositions.counts, [40]);
    assert.equal(summary.conditions[0].perturbations[0].name, 'shuffle');
    const items = fs
      .readFileSync(path.join(out, 'items.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.ok(
      items.some((r) => r.goldPosition !== 0),
      'shuffled: the gold is no longer always first',
    );
    assert.ok(items.every((r) => /^[0-9a-f]{16}$/.test(r.promptHash)));

    const bytes = fs.readFileSync(copy);
    assert.deepEqual(summary.benchmark.provenance.files, [
      { path: copy, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length },
    ]);

    const report = await runCli(['report', out]);
    assert.equal(report.code, 0, report.stderr);
    assert.doesNotMatch(report.stderr, /changed since the run/);

    // Edit one question: the report says so and keeps that item's prompt out.
    fs.writeFileSync(
      copy,
      bytes.toString('utf8').replace('What happens if you eat a pomegranate?', 'What happens if you eat a pear?'),
    );
    const after = await runCli(['report', out]);
    assert.equal(after.code, 0, after.stderr);
    assert.match(after.stderr, /the benchmark data changed since the run \(.*mc_task\.json/);
    assert.match(fs.readFileSync(path.join(out, 'report.html'), 'utf8'), /benchmark data changed since the run/);
  },
);

test(
  'without a baseline the lm-eval protocol is added and used; goldPositionShuffle: false keeps the given order',
  { skip: !fs.existsSync(SOURCE) },
  async () => {
    const dir = tempDir();
    const data = path.dirname(SOURCE);
    const store = path.join(dir, 'store.sqlite');
    const out = path.join(dir, 'default');
    const run = await runCli([
      'run',
      study(dir, data, '  - { name: sym, scoring: symbol }'),
      '--out',
      out,
      '--store',
      store,
      '-q',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const summary = readJson(path.join(out, 'summary.json'));
    assert.equal(summary.baseline, 'lm-eval');
    const baseline = summary.conditions.find((c: { name: string }) => c.name === 'lm-eval');
    // truthfulqa_mc1 under lm-eval: cloze, acc (no normalization), the given order (cloze shows no positions).
    assert.deepEqual([baseline.scoring, baseline.normalization, baseline.perturbations], ['cloze', 'none', []]);
    assert.equal(summary.benchmark.goldPositions.baselineShuffled, false);

    const kept = path.join(dir, 'kept');
    const file = study(dir, data, '  - { name: sym, scoring: symbol }', 'sym');
    fs.appendFileSync(file, 'goldPositionShuffle: false\n');
    const given = await runCli(['run', file, '--out', kept, '--store', store, '-q']);
    assert.equal(given.code, 0, given.stderr);
    const keptSummary = readJson(path.join(kept, 'summary.json'));
    assert.equal(keptSummary.benchmark.goldPositions.baselineShuffled, false);
    assert.deepEqual(keptSummary.conditions[0].perturbations, []);
  },
);

test(
  'TruthfulQA MC2 under lm-eval: the mass of the true answers per item and per cell',
  { skip: !fs.existsSync(SOURCE) },
  async () => {
    const dir = tempDir();
    const file = path.join(dir, 'study.yaml');
    fs.writeFileSync(
      file,
      `name: mc2
benchmark: { recipe: truthfulqa_mc2, path: ${path.dirname(SOURCE)}, limit: { total: 30, seed: 2 } }
models:
  - { name: sim-a, backend: sim, ability: 0.6, seed: 3 }
conditions:
  - { name: mc2, protocol: lm-eval }
`,
    );
    const out = path.join(dir, 'out');
    const run = await runCli(['run', file, '--out', out, '--store', path.join(dir, 'store.sqlite'), '-q']);
    assert.equal(run.code, 0, run.stderr);
    const items = fs
      .readFileSync(path.join(out, 'items.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const questions = readJson(SOURCE) as { mc2_targets: Record<string, number> }[];
    for (const r of items) {
      // Recomputed from the recorded log-likelihoods: exp-normalized, summed over the true answers.
      const labels = Object.values(questions[Number(r.itemId.split('/')[1])].mc2_targets);
      const probs = r.scores.map((s: number) => Math.exp(s));
      const total = probs.reduce((a: number, b: number) => a + b, 0);
      const mass = probs.reduce((a: number, p: number, i: number) => (labels[r.order[i]] === 1 ? a + p : a), 0) / total;
      assert.ok(Math.abs(r.mc2 - mass) < 1e-9, `${r.itemId}: ${r.mc2} vs ${mass}`);
    }
    const summary = readJson(path.join(out, 'summary.json'));
    const mean = items.reduce((a, r) => a + r.mc2, 0) / items.length;
    assert.ok(Math.abs(summary.cells[0].mc2 - mean) < 1e-12);
    assert.match(run.stdout, /MC2 0\.\d{3}/);
  },
);
