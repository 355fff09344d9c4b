import assert from 'node:assert/strict';
import { test } from 'node:test';
import { averageRanks, competitionRanks, kendallTauB, spearmanRho, tauK } from '../../src/analysis/rankCorrelation.js';
import { rankAgreement, rankShifts } from '../../src/analysis/rankShifts.js';
import { close } from './helpers.js';

test("Kendall τ-b with ties: scipy.stats.kendalltau's documented example", () => {
  close(kendallTauB([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]), -0.47140452079103173, 1e-15);
  close(kendallTauB([1, 2, 3], [3, 2, 1]), -1);
  // Hand: x ties one pair; C − D = 4 of 6 pairs; (6 − 1)(6 − 0) under the root.
  close(kendallTauB([1, 1, 2, 3], [1, 2, 3, 4]), 5 / Math.sqrt(30), 1e-15);
  assert.ok(Number.isNaN(kendallTauB([1, 1, 1], [1, 2, 3])));
  close(tauK(-1), 0);
  close(tauK(1), 1);
  close(tauK(0), 0.5);
});

test("Spearman ρ on average ranks: scipy.stats.spearmanr's documented example", () => {
  close(spearmanRho([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]), 0.8207826816681233, 1e-14);
  assert.deepEqual(averageRanks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
});

test('competition ranks: higher score is better, ties share the best rank', () => {
  assert.deepEqual(competitionRanks([0.5, 0.7, 0.7, 0.2]), [3, 1, 1, 4]);
});

test('rank shifts and agreement against the baseline', () => {
  const models = ['a', 'b', 'c'];
  const conditions = ['base', 'x', 'y'];
  const accuracy = [
    [0.9, 0.8, 0.7], // base: a 1, b 2, c 3
    [0.7, 0.8, 0.9], // x: reversed
    [0.9, 0.7, 0.7], // y: b and c tie at 2
  ];
  const s = rankShifts(models, conditions, accuracy, 0);
  assert.deepEqual(
    s.perModel.map((p) => p.ranks),
    [
      { base: 1, x: 3, y: 1 },
      { base: 2, x: 2, y: 2 },
      { base: 3, x: 1, y: 2 },
    ],
  );
  assert.deepEqual(
    s.perModel.map((p) => [p.rankRange, p.maxAbsShift, p.maxShiftCondition]),
    [
      [2, 2, 'x'],
      [0, 0, null],
      [2, 2, 'x'],
    ],
  );
  assert.equal(s.modelsMoved, 2);
  assert.deepEqual(s.movedByCondition, { base: 0, x: 2, y: 1 });
  const agr = rankAgreement(conditions, accuracy, 0);
  assert.deepEqual(
    agr.vsBaseline.map((r) => r.b),
    ['x', 'y'],
  );
  close(agr.vsBaseline[0].kendallTauB, -1);
  close(agr.vsBaseline[0].tauK, 0);
  close(agr.vsBaseline[0].spearmanRho, -1);
  close(agr.vsBaseline[1].kendallTauB, 2 / Math.sqrt(6), 1e-15);
  assert.equal(agr.pairs.length, 3);
  const allTied = rankAgreement(
    ['p', 'q'],
    [
      [0.5, 0.5],
      [0.1, 0.2],
    ],
    0,
  );
  assert.equal(allTied.vsBaseline[0].kendallTauB, null);
});
