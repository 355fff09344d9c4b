import assert from 'node:assert/strict';
import { test } from 'node:test';
import { correctCounts, goodhartGap, robustScore } from '../../src/analysis/robust.js';
import { factorVariance } from '../../src/analysis/factorVariance.js';
import { close } from './helpers.js';

test('robust score: item-clustered, Miller and naive SEs by hand', () => {
  // s_i = [1, 0.5, 0, 0.5]; mean 0.5; Σ(s_i − s̄)² = 0.5
  const r = robustScore([
    [1, 1, 0, 0],
    [1, 0, 0, 1],
  ]);
  close(r.mean, 0.5);
  close(r.se, Math.sqrt(0.5 / 3 / 4), 1e-15);
  close(r.millerSE, Math.sqrt(0.5) / 4, 1e-15);
  close(r.naiveSE, Math.sqrt(0.25 / 8), 1e-15);
  close(r.worst, 0.5);
  assert.equal(r.worstIndex, 0);
  assert.deepEqual(
    Array.from(
      correctCounts(
        [
          [1, 1, 0, 0],
          [1, 0, 0, 1],
        ],
        4,
      ),
    ),
    [2, 1, 0, 1],
  );
  // Perfectly repeated conditions: the naive SE shrinks with K, the clustered one does not.
  const same = [1, 0, 1, 1, 0, 1, 0, 1];
  const k4 = robustScore([same, same, same, same]);
  close(k4.se, robustScore([same]).se, 1e-15);
  close(k4.naiveSE * 2, robustScore([same]).naiveSE, 1e-15);
  const worst = robustScore([
    [1, 1, 1, 1],
    [1, 0, 0, 0],
    [1, 1, 0, 0],
  ]);
  assert.equal(worst.worstIndex, 1);
  close(worst.worst, 0.25);
});

test('Goodhart gap is the paired baseline − robust difference', () => {
  const g = goodhartGap([1, 1, 1, 0], [1, 0.5, 0, 0.5]);
  close(g.meanDifference, 0.25);
  close(g.se, Math.sqrt(1.25 / 12), 1e-15);
});

test('factor variance: main-effect shares by hand', () => {
  const f = (order: string, symbols: string) => ({ order, symbols, template: 't', scoring: 's', shots: '0' });
  // accuracy[c][m]; condition 1 changes the order, condition 2 the symbols.
  const accuracy = [
    [0.8, 0.6],
    [0.6, 0.5],
    [0.8, 0.3],
  ];
  const v = factorVariance(accuracy, [f('o', 'A'), f('shuffle', 'A'), f('o', '1234')]);
  close(v.withinModelSS, 0.07333333333333335, 1e-12);
  close(v.totalSS, 0.18, 1e-12);
  close(v.modelShare, 0.5925925925925927, 1e-12);
  const share = Object.fromEntries(v.factors.map((x) => [x.factor, x.share]));
  close(share.order, 0.10227272727272732, 1e-12);
  close(share.symbols, 0.10227272727272732, 1e-12);
  close(share.template, 0, 1e-12);
  const interaction = Object.fromEntries(v.factors.map((x) => [x.factor, x.interactionShare]));
  close(interaction.order, 0.2840909090909093, 1e-12);
  close(interaction.symbols, 0.5568181818181818, 1e-12);
  close(interaction.template, 0, 1e-12);
  const order = v.factors.find((x) => x.factor === 'order')!;
  assert.deepEqual(
    order.levels.map((l) => [l.level, l.conditions]),
    [
      ['o', 2],
      ['shuffle', 1],
    ],
  );
  close(order.levels[1].effect, -0.05, 1e-12);
  close(v.unexplainedShare, 1 - 2 * 0.10227272727272732, 1e-12);
});
