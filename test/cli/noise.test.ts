/**
 * Movement told apart from noise, through `goodhart run` and `analyze`, on simulated models (known
 * truth) answering real MMLU questions: with no true effect of any perturbation nothing moves beyond
 * noise; a planted effect (a memorized share) is found; roles choose the robust set.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from '../helpers.js';

const CONDITIONS = `conditions:
  - { name: base, scoring: symbol }
  - { name: shuffled, scoring: symbol, perturbations: [{ shuffle: { seed: 2 } }] }
  - { name: reversed, scoring: symbol, perturbations: [reverse] }
  - { name: roman, scoring: symbol, perturbations: [{ symbols: { set: roman } }] }
  - { name: helm, scoring: symbol, perturbations: [{ template: { name: helm } }] }
  - { name: answer-is-A, scoring: symbol, perturbations: [{ fix-answer: { position: A } }] }
  - { name: choices-only, scoring: symbol, perturbations: [choices-only] }
  - { name: pmi, scoring: cloze, normalization: pmi }
  - { name: five-shot, scoring: symbol, perturbations: [{ fewshot: { k: 2 } }], role: protocol }
baseline: base
`;

function writeStudy(dir: string, models: string): string {
  const file = path.join(dir, 'study.yaml');
  fs.writeFileSync(
    file,
    `name: noise
seed: 5
benchmark:
  format: mmlu
  path: \${GOODHART_SHARED}/data/mmlu/data
  subjects: [anatomy, astronomy, high_school_geography]
  limit: { perSubject: 60, seed: 2 }
models:
${models}
${CONDITIONS}`,
  );
  return file;
}

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));
const covers = (ci: [number, number] | null, x: number) => ci !== null && ci[0] <= x && x <= ci[1];

async function runStudy(models: string) {
  const dir = tempDir();
  const out = path.join(dir, 'out');
  const run = await runCli([
    'run',
    writeStudy(dir, models),
    '--out',
    out,
    '--store',
    path.join(dir, 'store.sqlite'),
    '-q',
  ]);
  assert.equal(run.code, 0, run.stderr);
  return { out, stdout: run.stdout, analysis: readJson(path.join(out, 'analysis.json')) };
}

test('no true effect: nothing moves beyond noise, τ inside its noise range, net shares and gaps cover 0', async () => {
  const { out, stdout, analysis } = await runStudy(`  - { name: sim-a, backend: sim, ability: 0.75, seed: 1 }
  - { name: sim-b, backend: sim, ability: 0.6, seed: 2 }
  - { name: sim-c, backend: sim, ability: 0.55, seed: 3 }
  - { name: sim-d, backend: sim, ability: 0.4, seed: 4 }`);
  assert.equal(analysis.items.n, 180);

  // Roles: only the perturbations make the robust leaderboard, and the tables say which.
  assert.deepEqual(analysis.settings.robustSet, {
    conditions: ['shuffled', 'reversed', 'roman', 'helm'],
    source: 'roles',
  });
  assert.deepEqual(analysis.roles.stress, ['answer-is-A']);
  assert.deepEqual(analysis.roles.probe, ['choices-only']);
  assert.deepEqual(analysis.roles.protocol, ['pmi', 'five-shot']);
  const fiveShot = analysis.conditions.find((c: { name: string }) => c.name === 'five-shot');
  assert.deepEqual([fiveShot.role, fiveShot.roleSource], ['protocol', 'study']);
  assert.match(
    stdout,
    /Robust leaderboard: strict accuracy averaged over 4 conditions \(role perturbation\): shuffled, reversed, roman, helm/,
  );
  assert.match(
    stdout,
    /Not in the robust set: answer-is-A \(stress\), choices-only \(probe\), pmi \(protocol\), five-shot \(protocol\)/,
  );
  assert.deepEqual(
    analysis.alternativeLeaderboards.map((a: { condition: string }) => a.condition),
    ['pmi', 'five-shot'],
  );
  assert.deepEqual(
    analysis.bias.stress.map((s: { condition: string }) => s.condition),
    ['answer-is-A', 'answer-is-A', 'answer-is-A', 'answer-is-A'],
  );

  // Noise floors.
  assert.equal(analysis.rankShifts.modelsMovedBeyondNoise, 0, 'no perturbation has an effect');
  for (const r of analysis.rankAgreement.vsBaseline.filter((x: { role: string }) => x.role === 'perturbation')) {
    assert.ok(
      covers(r.noise.kendallTauBNull, r.kendallTauB),
      `${r.b}: τ ${r.kendallTauB} outside its noise range ${r.noise.kendallTauBNull}`,
    );
    assert.ok(r.noise.kendallTauBCI[0] <= r.kendallTauB && r.kendallTauB <= r.noise.kendallTauBCI[1]);
  }
  for (const g of analysis.goodhartGap) assert.ok(covers(g.ci, 0), `${g.model}: gap ${g.gap} [${g.ci}]`);
  const noise = analysis.factorVariance.noise;
  for (const f of noise.factors.filter((x: { factor: string }) => ['order', 'symbols'].includes(x.factor))) {
    assert.ok(covers(f.netShareCI, 0), `${f.factor}: net share ${f.netShare} [${f.netShareCI}]`);
  }
  assert.ok(noise.noiseShare > 0, 'sampling noise accounts for part of the variation across conditions');
  for (const cell of analysis.bias.rstd.filter((c: { condition: string }) => c.condition === 'base')) {
    assert.equal(cell.noise.beyondNoise, false, `${cell.model}: no position bias`);
    assert.ok(cell.noise.nullQuantile > 0 && cell.noise.ci[0] <= cell.noise.ci[1]);
  }
  assert.ok(
    analysis.probes.answerOrderMemory.length > 0 &&
      analysis.probes.answerOrderMemory.every((m: { flagged: boolean }) => !m.flagged),
  );
  assert.ok(Object.keys(analysis.nulls).length >= 8);

  // --robust names the set instead of the roles; an unknown name is refused.
  const override = await runCli(['analyze', out, '--robust', 'shuffled, helm', '--bootstrap', '100']);
  assert.equal(override.code, 0, override.stderr);
  assert.match(override.stdout, /averaged over 2 conditions \(given to --robust\): shuffled, helm/);
  assert.deepEqual(readJson(path.join(out, 'analysis.json')).settings.robustSet, {
    conditions: ['shuffled', 'helm'],
    source: 'option',
  });
  const bad = await runCli(['analyze', out, '--robust', 'shuffled,nope']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /robust-set condition "nope" is not one of the conditions/);
});

test('a planted effect is found: a memorized share gives a Goodhart gap and moves the model beyond noise', async () => {
  const { analysis } = await runStudy(`  - { name: sim-a, backend: sim, ability: 0.7, seed: 1 }
  - { name: sim-leaky, backend: sim, ability: 0.3, memorized: { share: 0.5, seed: 1 }, seed: 2 }
  - { name: sim-c, backend: sim, ability: 0.55, seed: 3 }`);
  const leaky = analysis.goodhartGap.find((g: { model: string }) => g.model === 'sim-leaky');
  assert.ok(leaky.ci[0] > 0 && leaky.holmP < 0.05, `gap ${leaky.gap} [${leaky.ci}]`);
  for (const g of analysis.goodhartGap.filter((x: { model: string }) => x.model !== 'sim-leaky'))
    assert.ok(covers(g.ci, 0), g.model);
  const shuffled = analysis.rankShifts.orderChanges.find((c: { condition: string }) => c.condition === 'shuffled');
  assert.ok(
    shuffled.reorderedPairs.some(
      (p: { a: string; b: string; significant: boolean }) => p.significant && [p.a, p.b].includes('sim-leaky'),
    ),
  );
  assert.ok(analysis.rankShifts.modelsMovedBeyondNoise >= 2);
  const order = analysis.factorVariance.noise.factors.find((f: { factor: string }) => f.factor === 'order');
  assert.ok(order.netInteractionShareCI[0] > 0, 'models react differently to moving the choices');
});
