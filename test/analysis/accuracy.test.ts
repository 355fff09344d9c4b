import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  accuracyStats,
  bootstrapAccuracyInterval,
  clusteredSE,
  proportionSE,
  strictOutcomes,
  stratifiedSE,
  wilsonInterval,
} from '../../src/analysis/accuracy.js';
import { close } from './helpers.js';

test('Wilson interval matches published values', () => {
  // statsmodels proportion_confint(4, 10, method='wilson') = (0.16818, 0.68733)
  close(wilsonInterval(4, 10), [0.16818032970623614, 0.6873262302663417], 1e-12);
  close(wilsonInterval(0, 10), [0, 0.2775327998628892], 1e-12);
  close(wilsonInterval(10, 10), [0.7224672001371107, 1], 1e-12);
});

test('item-level SE and the strict policy for unscored items', () => {
  close(proportionSE(0.5, 100), 0.05);
  const { outcomes, unscored } = strictOutcomes([true, false, null, true]);
  const s = accuracyStats(outcomes, unscored);
  assert.equal(s.correct, 2);
  assert.equal(s.unscored, 1);
  assert.equal(s.n, 4);
  close(s.accuracy, 0.5);
  close(s.se, 0.25);
  assert.equal(s.bootstrap, null);
  assert.equal(s.stratifiedSE, null);
});

test('stratified SE by hand, and never above the item-level SE', () => {
  // A: 3/4 right, B: 1/4 right; Σ n_h p_h(1−p_h) = 0.75 + 0.75, SE = sqrt(1.5)/8.
  const outcomes = [1, 1, 1, 0, 0, 0, 0, 1];
  const strata = [0, 0, 0, 0, 1, 1, 1, 1];
  close(stratifiedSE(outcomes, strata), Math.sqrt(1.5) / 8, 1e-15);
  assert.ok(stratifiedSE(outcomes, strata) <= proportionSE(0.5, 8));
  // Identical strata: no gain, equal to the item-level SE.
  close(stratifiedSE([1, 0, 1, 0], [0, 0, 1, 1]), proportionSE(0.5, 4), 1e-15);
});

test("clustered SE follows Miller's formula", () => {
  // mean 0.5; cluster residual sums +1 and −1 → sqrt(2)/4; equals SE² + n⁻² Σ cross terms.
  close(clusteredSE([1, 1, 0, 0], [7, 7, 9, 9]), Math.sqrt(2) / 4, 1e-15);
  const crossTerms = (2 * 0.25 + 2 * 0.25) / 16;
  close(clusteredSE([1, 1, 0, 0], [7, 7, 9, 9]) ** 2, 0.25 ** 2 + crossTerms, 1e-15);
  // Singleton clusters give back the item-level SE.
  close(clusteredSE([1, 1, 0, 0], [1, 2, 3, 4]), 0.25, 1e-15);
  const s = accuracyStats([1, 1, 0, 0], null, { subjects: [0, 0, 1, 1], clusterBySubject: true });
  close(s.subjectClusteredSE, Math.sqrt(2) / 4, 1e-15);
  assert.equal(accuracyStats([1, 1, 0, 0], null, { subjects: [0, 0, 1, 1] }).subjectClusteredSE, null);
});

test('bootstrap interval is seeded, reproducible and sensible', () => {
  const outcomes = Array.from({ length: 400 }, (_, i) => (i % 10 < 7 ? 1 : 0));
  const a = bootstrapAccuracyInterval(outcomes, { seed: 3, resamples: 2000 });
  const b = bootstrapAccuracyInterval(outcomes, { seed: 3, resamples: 2000 });
  assert.deepEqual(a, b);
  const w = wilsonInterval(280, 400);
  close(a[0], w[0], 0.01);
  close(a[1], w[1], 0.01);
  assert.notDeepEqual(bootstrapAccuracyInterval(outcomes, { seed: 4, resamples: 2000 }), a);
});
