/** The real MMLU-Pro outputs of 29 LLMs: import, analyze, and a ranked table with intervals and tied groups. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, sharedDir, tempDir } from '../helpers.js';

const folder = path.join(sharedDir(), 'outputs', 'mmlu-pro');

test('goodhart import outputs + analyze rank the 29 MMLU-Pro models with intervals and tied groups', async () => {
  const out = path.join(tempDir(), 'mmlu-pro');
  const imported = await runCli([
    'import',
    'outputs',
    path.join(folder, 'mmlu_pro_correctness_29models.csv'),
    '--out',
    out,
    '--missing',
    'skip',
  ]);
  assert.equal(imported.code, 0, imported.stderr);
  assert.match(imported.stdout, /29 models x 1 conditions x 12032 items/);
  assert.match(imported.stderr, /wide, 29 model columns of correct; item=question_id, subject=category/);

  // Per-model accuracy over the rows each model answered matches the source's own summary.
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
  const [, ...published] = fs
    .readFileSync(path.join(folder, 'per_model_summary.csv'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(','));
  assert.equal(published.length, 29);
  for (const [model, answered, , ownKey] of published) {
    const cell = summary.cells.find((c: { model: string }) => c.model === model);
    assert.equal(cell.n, Number(answered), model);
    assert.ok(Math.abs(cell.accuracy - Number(ownKey)) < 6e-5, `${model}: ${cell.accuracy} vs ${ownKey}`);
  }

  const analyzed = await runCli(['analyze', out, '--bootstrap', '200', '--seed', '1']);
  assert.equal(analyzed.code, 0, analyzed.stderr);
  assert.match(analyzed.stdout, /29 models × 1 conditions × 10326 items \(1706 incomplete items left out\)/);
  assert.match(
    analyzed.stdout,
    /Tied groups \(Holm-adjusted McNemar tests; no two models within a group are separable; groups may overlap\)/,
  );
  assert.match(analyzed.stdout, /answerOrderMemory: the results do not say in which order the choices were shown/);
  const analysis = JSON.parse(fs.readFileSync(path.join(out, 'analysis.json'), 'utf8'));
  const [board] = analysis.leaderboards;
  assert.equal(board.entries.length, 29);
  assert.deepEqual(
    new Set(board.entries.map((e: { model: string }) => e.model)),
    new Set(summary.models.map((m: { name: string }) => m.name)),
  );
  board.entries.forEach(
    (e: { accuracy: number; ci: [number, number]; rank: number; rankCI: [number, number] }, k: number) => {
      assert.ok(e.ci[0] < e.accuracy && e.accuracy < e.ci[1], 'the interval surrounds the accuracy');
      assert.ok(e.ci[1] - e.ci[0] < 0.03, 'about ±1 point on 10k items');
      assert.ok(e.rankCI[0] <= e.rank && e.rank <= e.rankCI[1]);
      if (k > 0) assert.ok(board.entries[k - 1].accuracy >= e.accuracy, 'best first');
    },
  );
  assert.ok(
    board.tiedGroups.some((g: string[]) => g.length >= 2),
    'some models cannot be separated',
  );
  assert.ok(board.tiedGroups.length >= 2, 'and some can');
  assert.equal(new Set(board.tiedGroups.flat()).size, 29);

  // The groups' label holds: no pair the tests cannot separate is split across groups, and no pair
  // inside a group is separable.
  const together = (a: string, b: string) => board.tiedGroups.some((g: string[]) => g.includes(a) && g.includes(b));
  const comparisons: { a: string; b: string; holmP: number }[] = analysis.baselineComparisons;
  assert.equal(comparisons.length, (29 * 28) / 2);
  for (const c of comparisons) assert.equal(together(c.a, c.b), c.holmP >= 0.05, `${c.a} / ${c.b}: Holm p ${c.holmP}`);
  assert.deepEqual(board.splitPairs, []);
  assert.ok(together('Meta-Llama-3_1-70B-Instruct_5shots', 'DeepSeek-Coder-V2_5shots'), 'Holm p 0.84: one group');
  // Simultaneous rank intervals hold the point rank; the bootstrap interval is the marginal one.
  for (const e of board.entries)
    assert.ok(e.simultaneousRankCI[0] <= e.rank && e.rank <= e.simultaneousRankCI[1], e.model);
  assert.ok(
    analysis.probes.notApplicable.some((n: { probe: string }) => n.probe === 'answerOrderMemory'),
    'no order information in the import',
  );
  assert.deepEqual(analysis.probes.answerOrderMemory, []);
});
