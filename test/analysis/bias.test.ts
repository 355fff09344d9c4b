import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConditionInfo } from '../../src/core/results.js';
import { argmaxScore, circularEval, prideDebias, pridePrior, rstd } from '../../src/analysis/bias.js';
import { detectCircularGroups } from '../../src/analysis/circularGroups.js';
import { prideCalibrationItems } from '../../src/analysis/biasReport.js';
import { close } from './helpers.js';

test('RStd: population std of per-position recall', () => {
  const r = rstd([0, 0, 1, 1, 2, 2, 3, 3], [1, 1, 1, 0, 0, 0, 1, 0]);
  assert.deepEqual(r.recallByPosition, [1, 0.5, 0, 0.5]);
  assert.deepEqual(r.itemsByPosition, [2, 2, 2, 2]);
  close(r.rstd, Math.sqrt(0.125), 1e-15); // mean 0.5, deviations ±0.5, 0, 0
  // A position with no gold is left out, not counted as recall 0.
  const gap = rstd([0, 0, 2], [1, 0, 1], 4);
  assert.deepEqual(gap.recallByPosition, [0.5, null, 1, null]);
  close(gap.rstd, 0.25);
  close(rstd([0, 1, 2, 3], [1, 1, 1, 1]).rstd, 0);
});

test('CircularEval: per-rotation accuracy, perf and more_k', () => {
  const r = circularEval([
    [1, 1, 0, 1],
    [1, 0, 0, 1],
    [1, 1, 0, 0],
  ]);
  close(r.perRotationAccuracy, [0.75, 0.5, 0.5]);
  close(r.moreK, [0.75, 0.75, 0.25]); // items right 3, 2, 0, 2 times
  close(r.perf, 0.25);
  assert.equal(r.rotations, 3);
  assert.equal(r.n, 4);
});

test('PriDe on a hand example with two options', () => {
  const ln = Math.log;
  // Item 1: P(pos 0) = 0.8, 0.6 under the two rotations → softmax of mean logs ∝ (√0.48, √0.08).
  // Item 2: the same probabilities, so the prior equals item 1's: (√6, 1)/(√6 + 1).
  const calibration = [
    [
      [ln(0.8), ln(0.2)],
      [ln(0.6), ln(0.4)],
    ],
    [
      [ln(0.6), ln(0.4)],
      [ln(0.8), ln(0.2)],
    ],
  ];
  const est = pridePrior(calibration)!;
  assert.equal(est.items, 2);
  close(est.prior, [Math.sqrt(6) / (Math.sqrt(6) + 1), 1 / (Math.sqrt(6) + 1)], 1e-14);
  // Debiasing flips (0.6, 0.4) to position 1: 0.4/0.29 > 0.6/0.71; a confident (0.9, 0.1) stays.
  const r = prideDebias(est.prior, [
    { scores: [ln(0.6), ln(0.4)], goldPosition: 1 },
    { scores: [ln(0.9), ln(0.1)], goldPosition: 0 },
    { scores: [ln(0.55), ln(0.45)], goldPosition: 0 },
    { scores: [ln(0.3), ln(0.3), ln(0.4)], goldPosition: 2 }, // other option count: left out
  ]);
  assert.equal(r.n, 3);
  close(r.originalAccuracy, 2 / 3);
  close(r.debiasedAccuracy, 2 / 3); // item 1 gained, item 3 lost
  // Items with a missing score are skipped when estimating the prior.
  assert.equal(
    pridePrior([
      [
        [null, 0],
        [0, 0],
      ],
    ]),
    null,
  );
  assert.equal(argmaxScore([null, -1, -1]), 1);
  assert.equal(argmaxScore([null, null]), -1);
});

test('PriDe calibration items: seeded, 5% (at least one), sorted', () => {
  const a = prideCalibrationItems(200, 0.05, 1, 'g');
  assert.equal(a.length, 10);
  assert.deepEqual(a, prideCalibrationItems(200, 0.05, 1, 'g'));
  assert.notDeepEqual(a, prideCalibrationItems(200, 0.05, 2, 'g'));
  assert.deepEqual(
    a,
    [...a].sort((x, y) => x - y),
  );
  assert.equal(prideCalibrationItems(3, 0.05, 1, 'g').length, 1);
});

test('circular groups are detected from the recorded orders', () => {
  const factors = { order: 'original', symbols: 'ABCD', template: 't', scoring: 'symbol', shots: '0' };
  const cond = (name: string, extra: Partial<ConditionInfo> = {}): ConditionInfo => ({
    name,
    scoring: 'symbol',
    normalization: 'none',
    perturbations: [],
    factors,
    ...extra,
  });
  const conditions = [cond('base'), cond('r1'), cond('cloze', { scoring: 'cloze' }), cond('r2'), cond('rev')];
  // Per item a base order; r1/r2 rotate it; rev reverses it; cloze shows the base order.
  const baseOrders = [
    [0, 1, 2],
    [2, 0, 1],
  ];
  const rot = (o: number[], k: number) => [...o.slice(k), ...o.slice(0, k)];
  const orderOf = (c: number, i: number): number[] =>
    [baseOrders[i], rot(baseOrders[i], 1), baseOrders[i], rot(baseOrders[i], 2), [...baseOrders[i]].reverse()][c];
  assert.deepEqual(detectCircularGroups(conditions, orderOf, 2), [[0, 1, 3]]);
  // If one item is not rotated consistently, there is no group.
  const broken = (c: number, i: number) => (c === 3 && i === 1 ? [1, 0, 2] : orderOf(c, i));
  assert.deepEqual(detectCircularGroups(conditions, broken, 2), []);
});
