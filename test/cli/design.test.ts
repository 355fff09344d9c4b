/** goodhart design on real outputs (MMLU-Pro, 29 models, one condition) and on a simulated multi-condition run. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { mcnemarItems } from '../../src/analysis/designMath.js';
import { runCli, sharedDir, tempDir } from '../helpers.js';

test('goodhart design on the MMLU-Pro import: items needed per adjacent pair at 80% power', async () => {
  const out = path.join(tempDir(), 'mmlu-pro');
  const csv = path.join(sharedDir(), 'outputs', 'mmlu-pro', 'mmlu_pro_correctness_29models.csv');
  const imported = await runCli(['import', 'outputs', csv, '--out', out, '--missing', 'skip']);
  assert.equal(imported.code, 0, imported.stderr);
  const r = await runCli(['design', out, '--seed', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Design advice from a pilot of 29 models × 10,326 items/);
  assert.match(r.stdout, /Items needed per adjacent pair under baseline \(power 0\.8/);
  const design = JSON.parse(fs.readFileSync(path.join(out, 'design.json'), 'utf8'));
  const [baseline] = design.candidates;
  assert.equal(baseline.adjacentPairs.length, 28);
  for (const p of baseline.adjacentPairs) {
    assert.ok(p.difference >= 0);
    // The sample size follows from the pair's own discordance and difference.
    assert.equal(p.itemsNeeded, mcnemarItems(p.difference, p.discordance, 0.05, 0.8));
    // Pairs separable now (Holm) need no more items than the pilot has.
    if (p.separable) assert.ok(p.itemsNeeded <= 10326, `${p.a} > ${p.b}: ${p.itemsNeeded}`);
  }
  assert.equal(design.conditionsNeeded, null, 'one condition: no conditions curve');
  assert.ok(baseline.separableAdjacentPairs >= 5 && baseline.separableAdjacentPairs < 28);

  // The report shows the design: its recommendation and the per-pair table.
  const reported = await runCli(['report', out]);
  assert.equal(reported.code, 0, reported.stderr);
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.match(html, /<section id="design">/);
  assert.match(html, /The baseline \(baseline\) is the most stable protocol measured/);
  assert.match(html, /Items needed per adjacent pair under baseline/);
});

test('goodhart design refuses a folder that is not a run, naming it', async () => {
  const dir = tempDir();
  const r = await runCli(['design', dir]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr.split('\n')[0], new RegExp(dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});
