import assert from 'node:assert/strict';
import { test } from 'node:test';
import { designRoles, designLeaderboard } from '../../src/analysis/design.js';
import {
  expectedTau,
  itemsForTau,
  mcnemarItems,
  mcnemarPower,
  pairVariance,
  pairedZItems,
  pairedZPower,
  type PairVariance,
} from '../../src/analysis/designMath.js';
import { simulateRun } from '../../src/analysis/simulate.js';
import { buildResultMatrix } from '../../src/analysis/resultMatrix.js';
import { replicate, validateDesign } from './design-sim.js';

test('power and sample size invert each other (McNemar and paired z)', () => {
  for (const [delta, psi] of [
    [0.02, 0.3],
    [0.05, 0.2],
    [-0.01, 0.4],
  ]) {
    const n = mcnemarItems(delta, psi, 0.05, 0.8)!;
    assert.ok(mcnemarPower(delta, psi, n, 0.05) >= 0.8, `power at ${n}`);
    assert.ok(mcnemarPower(delta, psi, n - 2, 0.05) < 0.8, `power just below ${n}`);
  }
  const n = pairedZItems(0.01, 0.05, 0.05, 0.9)!;
  assert.ok(pairedZPower(0.01, 0.05, n, 0.05) >= 0.9 && pairedZPower(0.01, 0.05, n - 2, 0.05) < 0.9);
  assert.equal(mcnemarItems(0, 0.3, 0.05, 0.8), null, 'no difference: no size separates it');
  // Textbook check (Connor 1987): δ = 0.1, ψ = 0.3, α = 0.05, power 0.8 → 234 pairs.
  assert.equal(mcnemarItems(0.1, 0.3, 0.05, 0.8), 234);
});

test('variance components recover a planted item × condition structure', () => {
  // D[i][k] = 0.1 + u_i + w_k + e_ik with var(u) = 0.04, var(w) = 0.01, var(e) = 0.09.
  const n = 4000;
  const K = 40;
  let seed = 7;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const u = Array.from({ length: n }, () => 0.2 * gauss());
  const w = Array.from({ length: K }, () => 0.1 * gauss());
  const d = new Float64Array(n * K);
  for (let i = 0; i < n; i++) for (let k = 0; k < K; k++) d[i * K + k] = 0.1 + u[i] + w[k] + 0.3 * gauss();
  const v = pairVariance(d, n, K);
  assert.ok(Math.abs(v.item - 0.04) < 0.006, `item ${v.item}`);
  assert.ok(Math.abs(v.residual - 0.09) < 0.003, `residual ${v.residual}`);
  assert.ok(v.condition > 0.003 && v.condition < 0.02, `condition ${v.condition}`);
});

test('expected τ grows with items to its limit; itemsForTau finds where it crosses the target', () => {
  const mx = replicate({ abilities: [0, 0.3, 0.6, 0.9], conditionSD: 0 }, 3000, 1, 5);
  const pairs: PairVariance[] = [];
  for (let a = 0; a < 4; a++)
    for (let b = a + 1; b < 4; b++) {
      const d = new Float64Array(mx.n);
      for (let i = 0; i < mx.n; i++) d[i] = mx.correct[a * mx.n + i] - mx.correct[b * mx.n + i];
      pairs.push(pairVariance(d, mx.n, 1));
    }
  const taus = [100, 1000, 10000, 100000].map((n) => expectedTau(pairs, n));
  for (let j = 1; j < taus.length; j++) assert.ok(taus[j] > taus[j - 1]);
  const n = itemsForTau(pairs, 0.9)!;
  assert.ok(expectedTau(pairs, n) >= 0.9 && expectedTau(pairs, n - 1) < 0.9);
  assert.equal(
    itemsForTau(
      pairs.map((p) => ({ ...p, deltaSquared: 0 })),
      0.5,
    ),
    null,
    'no true differences: never',
  );
});

test('predictions agree with simulated replications within 5 points at three sizes', () => {
  // Six models, 0.2 logits apart; pilot of 14,000 items (MMLU's size); 150 pairs of replications per size.
  const panel = { abilities: [0, 0.2, 0.4, 0.6, 0.8, 1.0], conditionSD: 0 };
  for (const row of validateDesign(panel, 14000, 1, [300, 1000, 3000], 150, 1)) {
    assert.ok(
      Math.abs(row.predictedPower - row.observedPower) <= 0.05,
      `power at ${row.items}: ${row.predictedPower} vs ${row.observedPower}`,
    );
    assert.ok(
      Math.abs(row.predictedTau - row.observedTau) <= 0.05,
      `τ at ${row.items}: ${row.predictedTau} vs ${row.observedTau}`,
    );
  }
  // New conditions too: a pilot with 16 perturbation conditions predicts the robust ranking's τ.
  for (const row of validateDesign({ ...panel, conditionSD: 0.15 }, 3000, 16, [300, 1000], 40, 2)) {
    assert.ok(
      Math.abs(row.predictedTau - row.observedTau) <= 0.05,
      `robust τ at ${row.items}: ${row.predictedTau} vs ${row.observedTau}`,
    );
  }
});

test('designLeaderboard on a simulated run: candidates by role, pairs, and a recommendation', () => {
  const run = simulateRun({ models: 5, items: 600, conditions: 12, seed: 3, rotations: false });
  const mx = buildResultMatrix(
    run.items,
    run.models,
    run.conditions.map((c) => c.name),
  );
  const roles = designRoles(run.conditions, run.baseline);
  assert.equal(roles.baseline, 'baseline');
  assert.equal(roles['scoring=cloze-char'], 'protocol');
  assert.equal(roles['symbols=abcd'], 'perturbation');
  const design = designLeaderboard(mx, roles, { seed: 1, splits: 50, bootstrap: 50 });
  const names = design.candidates.map((c) => c.name);
  assert.deepEqual(names, ['baseline', 'scoring=cloze-char', 'scoring=hybrid-token', 'robust']);
  for (const c of design.candidates) {
    assert.equal(c.adjacentPairs.length, 4);
    assert.ok(c.expectedTau >= -1 && c.expectedTau <= 1);
    assert.ok(
      Math.abs(c.splitHalf.observed - c.splitHalf.predicted) < 0.35,
      `${c.name}: split-half ${c.splitHalf.observed} vs ${c.splitHalf.predicted}`,
    );
    for (const p of c.adjacentPairs) {
      assert.ok(p.difference >= 0, 'adjacent pairs go best first');
      if (p.itemsNeeded !== null && p.powerAtPilot < 0.8)
        assert.ok(p.itemsNeeded > 600, 'underpowered now: needs more items');
    }
  }
  assert.ok(design.conditionsNeeded && design.conditionsNeeded.perturbations.length >= 4);
  assert.ok(design.recommendation.length >= 3);
  assert.match(design.recommendation.join(' '), /τ ≈ 0\.\d\d/);
});
