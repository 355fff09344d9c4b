/**
 * The robust score of a model: its accuracy averaged over K perturbation conditions of the same
 * n items (and its worst case). The K outcomes of one item are not independent — it is one item
 * seen K ways — so the item is the cluster: with s_i the item's mean over conditions,
 * SE = sd(s_i)/sqrt(n). Miller's clustered formula over the n·K item-conditions gives the same
 * up to the factor sqrt((n − 1)/n). The naive SE, sqrt(s̄(1 − s̄)/(nK)), treats the n·K outcomes
 * as independent and is too small; it is reported only to show how much.
 */
import { normalInterval, type Interval } from './accuracy.js';
import { pairedDifference, type PairedDifference } from './paired.js';

export interface RobustScore {
  /** Mean accuracy over the K conditions (= mean of s_i). */
  mean: number;
  /** sd(s_i)/sqrt(n), clustered by item: the SE to use. */
  se: number;
  /** Miller (2024) clustered SE over the n·K item-conditions, clusters = items. */
  millerSE: number;
  /** Treats the n·K item-conditions as independent; under-states the uncertainty. */
  naiveSE: number;
  ci: Interval;
  /** Lowest per-condition accuracy and the index (among the K) where it happens. */
  worst: number;
  worstIndex: number;
}

/** Per-item count of conditions answered correctly (0 … K). */
export function correctCounts(outcomesByCondition: readonly ArrayLike<number>[], n: number): Uint16Array {
  const counts = new Uint16Array(n);
  for (const o of outcomesByCondition) for (let i = 0; i < n; i++) counts[i] += o[i];
  return counts;
}

/** Robust score from K outcome vectors over the same n items. */
export function robustScore(outcomesByCondition: readonly ArrayLike<number>[], alpha = 0.05): RobustScore {
  const K = outcomesByCondition.length;
  const n = K > 0 ? outcomesByCondition[0].length : 0;
  const counts = correctCounts(outcomesByCondition, n);
  let total = 0;
  for (let i = 0; i < n; i++) total += counts[i];
  const mean = total / (n * K);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (counts[i] / K - mean) ** 2;
  const se = n > 1 ? Math.sqrt(ss / (n - 1) / n) : NaN;
  let worst = Infinity;
  let worstIndex = -1;
  outcomesByCondition.forEach((o, k) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += o[i];
    if (s / n < worst) {
      worst = s / n;
      worstIndex = k;
    }
  });
  return {
    mean,
    se,
    millerSE: Math.sqrt(ss) / n,
    naiveSE: Math.sqrt((mean * (1 - mean)) / (n * K)),
    ci: normalInterval(mean, se, alpha),
    worst,
    worstIndex,
  };
}

/**
 * Goodhart gap = baseline accuracy − robust accuracy, paired per item:
 * d_i = baseline outcome_i − s_i, gap = mean d, SE = sd(d)/sqrt(n).
 */
export function goodhartGap(
  baseline: ArrayLike<number>,
  robustPerItem: ArrayLike<number>,
  alpha = 0.05,
): PairedDifference {
  return pairedDifference(baseline, robustPerItem, alpha);
}
