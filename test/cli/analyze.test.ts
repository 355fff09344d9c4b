import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from '../helpers.js';

/** A study of simulated models on real MMLU questions: runs in seconds, with known truth. */
function writeSimStudy(dir: string): string {
  const file = path.join(dir, 'study.yaml');
  fs.writeFileSync(
    file,
    `name: sim
seed: 4
benchmark:
  format: mmlu
  path: \${GOODHART_SHARED}/data/mmlu/data
  subjects: [anatomy, astronomy]
  limit: { perSubject: 40, seed: 1 }
models:
  - { name: sim-strong, backend: sim, ability: 0.8, abilityBySubject: { anatomy: 0.9 } }
  - { name: sim-biased, backend: sim, ability: 0.5, positionBias: [1.0, 0, 0, -1.0], symbolBias: { A: 0.3 } }
  - { name: sim-leaky, backend: sim, ability: 0.4, memorized: { share: 0.3, seed: 1 } }
conditions:
  - { name: base, scoring: symbol }
  - { name: pmi, scoring: cloze, normalization: pmi }
  - { name: shuffled, scoring: symbol, perturbations: [{ shuffle: { seed: 2 } }] }
  - { name: circ, scoring: symbol, perturbations: [circular] }
baseline: base
`,
  );
  return file;
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

test('run labels simulated models, writes analysis.json and prints the key tables; analyze recomputes it', async () => {
  const dir = tempDir();
  const out = path.join(dir, 'out');
  const args = ['run', writeSimStudy(dir), '--out', out, '--store', path.join(dir, 'store.sqlite'), '-q'];
  const run = await runCli(args);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /sim-strong \[simulated\]/, 'the accuracy table marks simulated models');
  assert.match(
    run.stdout,
    /simulated models \(known truth, not real language models\): sim-strong, sim-biased, sim-leaky/,
  );
  assert.match(run.stdout, /Baseline leaderboard \(base\)/);
  assert.match(run.stdout, /Robust leaderboard/);
  const summary = readJson(path.join(out, 'summary.json'));
  for (const m of summary.models) {
    assert.equal(m.backend, 'sim');
    assert.equal(m.details.simulated, true);
    assert.match(m.id, /^sim:/);
  }
  const analysis = readJson(path.join(out, 'analysis.json'));
  assert.equal(analysis.settings.seed, 4, 'the run seed');
  assert.equal(analysis.items.n, 80);
  assert.deepEqual(
    analysis.leaderboards.map((l: { condition: string }) => l.condition),
    ['base', 'pmi', 'shuffled', 'circ@rot0', 'circ@rot1', 'circ@rot2', 'circ@rot3'],
  );
  assert.equal(analysis.bias.circular.length, 1, 'the rotations are found as a CircularEval set');

  // Everything is cached the second time, and the results do not change.
  const again = await runCli(args);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(readJson(path.join(out, 'summary.json')).requests.computed, 0);
  assert.deepEqual(readJson(path.join(out, 'analysis.json')), analysis);

  const analyze = await runCli(['analyze', out, '--bootstrap', '200', '--seed', '11', '--cluster-by-subject']);
  assert.equal(analyze.code, 0, analyze.stderr);
  assert.match(analyze.stdout, /simulated models/);
  assert.match(analyze.stdout, /rank CI/);
  const reanalysis = readJson(path.join(out, 'analysis.json'));
  assert.deepEqual(
    {
      seed: reanalysis.settings.seed,
      bootstrap: reanalysis.settings.bootstrap,
      cluster: reanalysis.settings.clusterBySubject,
    },
    { seed: 11, bootstrap: 200, cluster: true },
  );
  const repeat = await runCli(['analyze', out, '--bootstrap', '200', '--seed', '11', '--cluster-by-subject']);
  assert.equal(repeat.stdout, analyze.stdout, 'deterministic given the seed');
});

test('analyze refuses what is not a run folder, bad flags and broken result lines, naming them', async () => {
  const dir = tempDir();
  const notRun = await runCli(['analyze', dir]);
  assert.equal(notRun.code, 1);
  assert.match(notRun.stderr, /no summary\.json here: is this a run folder\?/);

  fs.writeFileSync(
    path.join(dir, 'summary.json'),
    JSON.stringify({ seed: 1, baseline: 'base', models: [{ name: 'm' }], conditions: [{ name: 'base' }] }),
  );
  fs.writeFileSync(path.join(dir, 'items.jsonl'), '{"model":"m","condition":"base","itemId":"1"}\n{not json\n');
  const broken = await runCli(['analyze', dir]);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /items\.jsonl:2: not JSON/);

  for (const [flag, value] of [
    ['--bootstrap', 'many'],
    ['--seed', '1.5'],
  ]) {
    const r = await runCli(['analyze', dir, flag, value]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${flag} must be a whole number`));
  }

  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify({ seed: 1 }));
  fs.rmSync(path.join(dir, 'items.jsonl'));
  const incomplete = await runCli(['analyze', dir]);
  assert.equal(incomplete.code, 1);
  assert.match(incomplete.stderr, /summary\.json: summary\.json lacks the conditions, models or baseline/);
});
