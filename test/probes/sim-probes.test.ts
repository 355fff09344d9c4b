import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeProbes } from '../../src/probes/index.js';
import path from 'node:path';
import { makeItems, runStudy, simSpec, study } from '../sim/helpers.js';
import { SimModel } from '../../src/models/sim.js';
import { runMinK } from '../../src/probes/min-k-run.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { tempDir } from '../helpers.js';

test('on the simulator, the probes find a model that memorized where the answers are, and nothing in one that did not', async () => {
  const s = study(
    [
      { name: 'base', scoring: 'symbol' },
      { name: 'fixD', scoring: 'symbol', perturbations: [{ 'fix-answer': { position: 'D' } }] },
      { name: 'shuffled', scoring: 'symbol', perturbations: [{ shuffle: { seed: 2 } }] },
      { name: 'choices-only', scoring: 'symbol', perturbations: ['choices-only'] },
    ],
    [
      { name: 'memorizer', ability: 0.3, memorized: { share: 0.5, seed: 1 } },
      { name: 'clean', ability: 0.3 },
      { name: 'biased', ability: 0.3, positionBias: [1.0, 0, 0, -1.0] },
    ],
  );
  const benchmark = makeItems(400);
  const { items } = await runStudy(s, benchmark);
  const store = new SqliteStore(path.join(tempDir(), 'store.sqlite'));
  const perModel = [];
  for (const spec of s.spec.models)
    perModel.push((await runMinK(new SimModel(simSpec(spec), benchmark), benchmark, store, { k: 0.2, seed: 1 }))!);
  store.close();
  const probes = computeProbes(
    items,
    s.conditions.map((c) => c.info),
    { k: 0.2, perModel },
  );
  for (const condition of ['fixD', 'shuffled']) {
    const mem = probes.answerOrderMemory.find((m) => m.model === 'memorizer' && m.condition === condition)!;
    const clean = probes.answerOrderMemory.find((m) => m.model === 'clean' && m.condition === condition)!;
    assert.ok(
      mem.ci[0] > mem.expected + 0.1,
      `${condition}: memorizer picks the old position ${mem.rate} vs expected ${mem.expected}`,
    );
    assert.ok(
      clean.ci[0] <= clean.expected && clean.expected <= clean.ci[1],
      `${condition}: clean model within chance of its own rates (${clean.rate} vs ${clean.expected})`,
    );
    // Holm over every model × condition: memory is flagged, position bias alone is not.
    const biased = probes.answerOrderMemory.find((m) => m.model === 'biased' && m.condition === condition)!;
    assert.equal(mem.flagged, true);
    assert.equal(clean.flagged, false);
    assert.equal(
      biased.flagged,
      false,
      `${condition}: position bias only (${biased.rate} vs ${biased.expected}, Holm p ${biased.holmP})`,
    );
  }
  const co = probes.choicesOnly!;
  assert.equal(co.perModel.find((m) => m.model === 'memorizer')!.aboveChance, true);
  const clean = co.perModel.find((m) => m.model === 'clean')!;
  const minKMem = probes.minK!.find((m) => m.model === 'memorizer')!;
  const minKClean = probes.minK!.find((m) => m.model === 'clean')!;
  assert.ok(
    minKMem.shiftCI[0] > 0 && minKMem.auc > 0.6,
    `Min-K% finds the memorized questions (shift ${minKMem.shift}, AUC ${minKMem.auc})`,
  );
  assert.ok(
    minKClean.shiftCI[0] <= 0 && minKClean.shiftCI[1] >= 0,
    `nothing for the clean model (shift ${minKClean.shift} [${minKClean.shiftCI}])`,
  );
  assert.equal(clean.aboveChance, false, `without the question the clean model is at chance (${clean.accuracy})`);
});
