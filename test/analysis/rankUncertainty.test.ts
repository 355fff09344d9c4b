import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeRng } from '../../src/core/rng.js';
import { pairedBootstrapSums } from '../../src/analysis/pairedBootstrap.js';
import {
  bootstrapRankIntervals,
  pairwiseTests,
  rankUpperBounds,
  significantlyBetter,
  simultaneousRankIntervals,
  tiedGroups,
  type PairTest,
} from '../../src/analysis/rankUncertainty.js';

test('paired bootstrap: packed sums equal the sums over the same draws, done naively', () => {
  const n = 37;
  const rng = makeRng(11);
  const columns = Array.from({ length: 21 }, (_, j) => {
    const max = j % 5 === 4 ? 7 : 1; // binary columns with a few counts mixed in
    return { max, values: Array.from({ length: n }, () => Math.floor(rng() * (max + 1))) };
  });
  const boot = pairedBootstrapSums(columns, n, 50, 99);
  const draw = makeRng(99);
  for (let b = 0; b < 50; b++) {
    const sums = new Array<number>(columns.length).fill(0);
    for (let t = 0; t < n; t++) {
      const i = Math.floor(draw() * n);
      columns.forEach((c, j) => (sums[j] += c.values[i]));
    }
    assert.deepEqual(Array.from(boot.sums.subarray(b * columns.length, (b + 1) * columns.length)), sums);
  }
  assert.throws(() => pairedBootstrapSums([{ values: [0, 2], max: 1 }], 2, 1, 1));
});

/** A hand-made family of tests for three models with means 0.9 > 0.8 > 0.3. */
function tests(pAB: number, pAC: number, pBC: number): PairTest[] {
  const t = (a: number, b: number, d: number, holmP: number): PairTest => ({
    a,
    b,
    meanDifference: d,
    se: 0.01,
    ci: [d - 0.02, d + 0.02],
    test: 'paired-z',
    pValue: holmP,
    holmP,
  });
  return [t(0, 1, 0.1, pAB), t(0, 2, 0.6, pAC), t(1, 2, 0.5, pBC)];
}

test('rank upper bound = 1 + models significantly better; tied groups are the maximal inseparable sets', () => {
  const scores = [0.9, 0.8, 0.3];
  const better = significantlyBetter(tests(0.2, 0.001, 0.001), 3);
  assert.deepEqual(rankUpperBounds(better, 3), [1, 1, 3]);
  assert.deepEqual(tiedGroups(scores, better), [[0, 1], [2]]);
  // Chains do not merge groups: c is inseparable from b but separable from a, so b is in two groups.
  const chain = significantlyBetter(tests(0.2, 0.001, 0.2), 3);
  assert.deepEqual(rankUpperBounds(chain, 3), [1, 1, 2]);
  assert.deepEqual(tiedGroups(scores, chain), [
    [0, 1],
    [1, 2],
  ]);
  assert.deepEqual(simultaneousRankIntervals(chain, 3), [
    [1, 2],
    [1, 3],
    [2, 3],
  ]);
  const none = significantlyBetter(tests(0.2, 0.2, 0.2), 3);
  assert.deepEqual(tiedGroups(scores, none), [[0, 1, 2]]);
  // A negative difference makes b the better one.
  const reversed = significantlyBetter([{ ...tests(0.01, 1, 1)[0], meanDifference: -0.1 }], 2);
  assert.deepEqual(rankUpperBounds(reversed, 2), [2, 1]);
});

test('pairwise tests are Holm-adjusted over the whole family', () => {
  const a = Array.from({ length: 200 }, (_, i) => (i < 150 ? 1 : 0));
  const b = Array.from({ length: 200 }, (_, i) => (i < 100 ? 1 : 0));
  const c = Array.from({ length: 200 }, (_, i) => (i < 98 ? 1 : 0));
  const family = pairwiseTests([a, b, c], true);
  assert.equal(family.length, 3);
  assert.ok(family.every((t) => t.test === 'mcnemar-exact' && t.holmP >= t.pValue));
  const bc = family.find((t) => t.a === 1 && t.b === 2)!;
  assert.equal(bc.onlyA, 2);
  assert.equal(bc.onlyB, 0);
  const better = significantlyBetter(family, 3);
  assert.deepEqual(rankUpperBounds(better, 3), [1, 2, 2]);
});

test('bootstrap rank intervals: a clear leader is always first, close models swap', () => {
  const n = 300;
  const rng = makeRng(5);
  const base = Array.from({ length: n }, () => rng());
  const columns = [0.9, 0.5, 0.49].map((p) => ({ values: base.map((u): number => (u < p ? 1 : 0)), max: 1 }));
  columns[2].values = columns[2].values.map((v, i) => (i % 7 === 0 ? 1 - v : v)); // decorrelate the close pair
  const boot = pairedBootstrapSums(columns, n, 400, 1);
  const ci = bootstrapRankIntervals(boot, [0, 1, 2])!;
  assert.deepEqual(ci[0], [1, 1]);
  assert.deepEqual(ci[1], [2, 3]);
  assert.deepEqual(ci[2], [2, 3]);
  assert.equal(bootstrapRankIntervals({ resamples: 0, columns: 3, sums: new Float64Array() }, [0, 1, 2]), null);
});
