/**
 * How sure is a ranking? Rank intervals from the paired item bootstrap, a rank upper bound in
 * the style of Chatbot Arena, and tied groups of models that the paired tests cannot separate.
 *
 * Definitions (all on one leaderboard of m models, Holm over its m(m−1)/2 pairs):
 * - A is significantly better than B when the pair's Holm-adjusted p < alpha and A's mean is
 *   higher. The test is McNemar's exact test for 0/1 outcomes, the paired z-test otherwise.
 * - Rank upper bound = 1 + the number of models significantly better: the best rank the data
 *   cannot rule out.
 * - Tied groups: the largest sets of models in which no pair is separable (the maximal cliques
 *   of the "not significantly different" graph), best first. Every pair inside a group is not
 *   separable and every pair that is not separable shares a group, so groups may overlap.
 * - Simultaneous rank interval: [1 + models significantly better, m − models significantly
 *   worse]. Holm controls the family-wise error over all pairs, so all the intervals hold together
 *   with probability ≥ 1 − α (the "inference for ranks" construction); the bootstrap rank
 *   interval beside it is marginal, one model at a time.
 */
import { compareBinaryPair, holmAdjust, pairedDifference } from './paired.js';
import { competitionRanks } from './rankCorrelation.js';
import { quantileSortedDiscrete } from '../core/distributions.js';
import type { BootstrapSums } from './pairedBootstrap.js';
import type { Interval } from './accuracy.js';

export type PairTestKind = 'mcnemar-exact' | 'paired-z';

/** One tested pair; indices refer to the leaderboard's model list, difference = a − b. */
export interface PairTest {
  a: number;
  b: number;
  meanDifference: number;
  se: number;
  ci: Interval;
  test: PairTestKind;
  pValue: number;
  holmP: number;
  /** Discordant items (0/1 outcomes only): right for a only, right for b only. */
  onlyA?: number;
  onlyB?: number;
}

/** Every pair of models, tested paired on the same items, with Holm over the whole family. */
export function pairwiseTests(scores: readonly ArrayLike<number>[], binary: boolean, alpha = 0.05): PairTest[] {
  const tests: PairTest[] = [];
  for (let a = 0; a < scores.length; a++) {
    for (let b = a + 1; b < scores.length; b++) {
      if (binary) {
        const r = compareBinaryPair(scores[a], scores[b], alpha);
        tests.push({
          a,
          b,
          meanDifference: r.meanDifference,
          se: r.se,
          ci: r.ci,
          test: 'mcnemar-exact',
          pValue: r.mcnemarP,
          holmP: NaN,
          onlyA: r.onlyA,
          onlyB: r.onlyB,
        });
      } else {
        const r = pairedDifference(scores[a], scores[b], alpha);
        tests.push({
          a,
          b,
          meanDifference: r.meanDifference,
          se: r.se,
          ci: r.ci,
          test: 'paired-z',
          pValue: r.pValue,
          holmP: NaN,
        });
      }
    }
  }
  const adjusted = holmAdjust(tests.map((t) => t.pValue));
  tests.forEach((t, k) => (t.holmP = adjusted[k]));
  return tests;
}

/** better[i * m + j] = 1 when model i is significantly better than model j. */
export function significantlyBetter(tests: readonly PairTest[], m: number, alpha = 0.05): Uint8Array {
  const better = new Uint8Array(m * m);
  for (const t of tests) {
    if (!(t.holmP < alpha)) continue;
    if (t.meanDifference > 0) better[t.a * m + t.b] = 1;
    else if (t.meanDifference < 0) better[t.b * m + t.a] = 1;
  }
  return better;
}

/** 1 + number of models significantly better, per model. */
export function rankUpperBounds(better: Uint8Array, m: number): number[] {
  const bounds = new Array<number>(m).fill(1);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) bounds[j] += better[i * m + j];
  return bounds;
}

/** Simultaneous rank intervals [1 + significantly better, m − significantly worse], per model. */
export function simultaneousRankIntervals(better: Uint8Array, m: number): Interval[] {
  return Array.from({ length: m }, (_, i) => {
    let above = 0;
    let below = 0;
    for (let j = 0; j < m; j++) {
      above += better[j * m + i];
      below += better[i * m + j];
    }
    return [1 + above, m - below] as Interval;
  });
}

/** Most maximal cliques enumerated; beyond it the remaining separable-pair structure is reported as split pairs. */
const MAX_GROUPS = 10_000;

/**
 * Tied groups as lists of model indices (see the definition above), each sorted best first; the
 * groups are ordered by their best member, then their size. Bron–Kerbosch with pivoting.
 */
export function tiedGroups(scores: ArrayLike<number>, better: Uint8Array): number[][] {
  const m = scores.length;
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) => scores[j] - scores[i] || i - j);
  const position = new Array<number>(m);
  order.forEach((i, k) => (position[i] = k));
  const tied = (i: number, j: number) => i !== j && !better[i * m + j] && !better[j * m + i];
  const groups: number[][] = [];
  const expand = (r: number[], p: number[], x: number[]): void => {
    if (groups.length >= MAX_GROUPS) return;
    if (p.length === 0 && x.length === 0) {
      groups.push([...r].sort((a, b) => position[a] - position[b]));
      return;
    }
    const pivot = [...p, ...x].reduce((best, u) =>
      p.filter((v) => tied(u, v)).length > p.filter((v) => tied(best, v)).length ? u : best,
    );
    for (const v of p.filter((u) => !tied(pivot, u))) {
      expand(
        [...r, v],
        p.filter((u) => tied(v, u)),
        x.filter((u) => tied(v, u)),
      );
      p = p.filter((u) => u !== v);
      x = [...x, v];
    }
  };
  expand([], [...order], []);
  return groups.sort((a, b) => position[a[0]] - position[b[0]] || b.length - a.length);
}

/**
 * Percentile intervals of each model's competition rank across bootstrap resamples, given the
 * bootstrap columns holding the models' sums (all with the same divisor, so sums rank alike).
 * Uses the discrete (inverse-CDF) quantile so that the bounds are ranks that occurred.
 */
export function bootstrapRankIntervals(
  boot: BootstrapSums,
  columns: readonly number[],
  alpha = 0.05,
): Interval[] | null {
  const m = columns.length;
  const B = boot.resamples;
  if (B <= 0) return null;
  const ranks = Array.from({ length: m }, () => new Float64Array(B));
  const row = new Float64Array(m);
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < m; k++) row[k] = boot.sums[b * boot.columns + columns[k]];
    const r = competitionRanks(row);
    for (let k = 0; k < m; k++) ranks[k][b] = r[k];
  }
  return ranks.map((rs) => {
    rs.sort();
    return [quantileSortedDiscrete(rs, alpha / 2), quantileSortedDiscrete(rs, 1 - alpha / 2)] as Interval;
  });
}
