/**
 * Accuracy of one model under one condition, with its standard errors and intervals.
 * Outcomes are 0/1 per item under the strict policy: an unscored item counts as not correct.
 * The estimand is accuracy over the population the benchmark's items were drawn from, so items
 * are the sampling unit and subjects are strata (clustering by subject is an opt-in variant).
 */
import { makeRng } from '../core/rng.js';
import { percentileInterval, zForAlpha } from '../core/distributions.js';

export type Interval = [number, number];

/** Item-level standard error of a proportion: sqrt(p(1 − p)/n). */
export function proportionSE(p: number, n: number): number {
  return n > 0 ? Math.sqrt((p * (1 - p)) / n) : NaN;
}

/** Wilson score interval for `successes` out of `n` at level 1 − alpha. */
export function wilsonInterval(successes: number, n: number, alpha = 0.05): Interval {
  if (n <= 0) return [NaN, NaN];
  const z = zForAlpha(alpha);
  const p = successes / n;
  const z2n = (z * z) / n;
  const centre = (p + z2n / 2) / (1 + z2n);
  const half = (z / (1 + z2n)) * Math.sqrt((p * (1 - p)) / n + z2n / (4 * n));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Normal interval estimate ± z·se. */
export function normalInterval(estimate: number, se: number, alpha = 0.05): Interval {
  const half = zForAlpha(alpha) * se;
  return [estimate - half, estimate + half];
}

/**
 * Stratified SE of the overall accuracy with strata weighted by their share of items:
 * Var = Σ_h (n_h/n)² · p_h(1 − p_h)/n_h = n⁻² Σ_h n_h p_h(1 − p_h). With plug-in stratum
 * variances this equals p(1 − p)/n − n⁻² Σ_h n_h (p_h − p)², so it is never larger than the
 * item-level SE; the gap is the between-subject variation that stratification removes.
 */
export function stratifiedSE(outcomes: ArrayLike<number>, strata: ArrayLike<number>): number {
  const n = outcomes.length;
  if (n === 0) return NaN;
  const count = new Map<number, [number, number]>();
  for (let i = 0; i < n; i++) {
    const c = count.get(strata[i]) ?? [0, 0];
    c[0] += 1;
    c[1] += outcomes[i];
    count.set(strata[i], c);
  }
  let sum = 0;
  for (const [nh, xh] of count.values()) {
    const ph = xh / nh;
    sum += nh * ph * (1 - ph);
  }
  return Math.sqrt(sum) / n;
}

/**
 * Clustered SE of a mean (Miller 2024, "Adding Error Bars to Evals"):
 * SE_c² = n⁻² Σ_c (Σ_{i∈c} (s_i − s̄))², which is the item-level SE² plus the within-cluster
 * cross terms n⁻² Σ_c Σ_i Σ_{j≠i} (s_i − s̄)(s_j − s̄). Cluster ids are arbitrary numbers.
 */
export function clusteredSE(values: ArrayLike<number>, clusters: ArrayLike<number>): number {
  const n = values.length;
  if (n === 0) return NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  const residualSum = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    residualSum.set(clusters[i], (residualSum.get(clusters[i]) ?? 0) + values[i] - mean);
  }
  let sum = 0;
  for (const r of residualSum.values()) sum += r * r;
  return Math.sqrt(sum) / n;
}

/**
 * Percentile bootstrap interval of an accuracy, resampling items with replacement. Each
 * resample's count of correct items is all that is needed, so a resample costs n draws.
 */
export function bootstrapAccuracyInterval(
  outcomes: ArrayLike<number>,
  opts: { seed: number; resamples: number; alpha?: number },
): Interval {
  const n = outcomes.length;
  if (n === 0 || opts.resamples <= 0) return [NaN, NaN];
  const rng = makeRng(opts.seed);
  const means = new Float64Array(opts.resamples);
  for (let b = 0; b < opts.resamples; b++) {
    let correct = 0;
    for (let t = 0; t < n; t++) correct += outcomes[Math.floor(rng() * n)];
    means[b] = correct / n;
  }
  return percentileInterval(means, opts.alpha ?? 0.05);
}

/** Accuracy of one model × condition cell (JSON-serializable). */
export interface AccuracyStats {
  accuracy: number;
  n: number;
  correct: number;
  /** Items whose answer could not be read; counted as not correct (strict policy). */
  unscored: number;
  /** Item-level SE sqrt(p(1 − p)/n). */
  se: number;
  wilson: Interval;
  /** Percentile bootstrap over items; null when no resamples were asked for. */
  bootstrap: Interval | null;
  /** Stratified by subject (never larger than `se`); null without subjects. */
  stratifiedSE: number | null;
  /** Clustered by subject; only computed on request (it answers "new subjects", not "new items"). */
  subjectClusteredSE: number | null;
}

export interface AccuracyOptions {
  alpha?: number;
  /** Subject index per item (same length as outcomes), for stratified / clustered SEs. */
  subjects?: ArrayLike<number>;
  clusterBySubject?: boolean;
  /** Seeded item bootstrap; omit (or resamples 0) to skip. */
  bootstrap?: { seed: number; resamples: number };
}

/**
 * All per-cell statistics from 0/1 outcomes (1 = correct) and an optional unscored mask.
 * Callers apply the strict policy: an unscored item has outcome 0 and unscored 1.
 */
export function accuracyStats(
  outcomes: ArrayLike<number>,
  unscored: ArrayLike<number> | null,
  opts: AccuracyOptions = {},
): AccuracyStats {
  const n = outcomes.length;
  const alpha = opts.alpha ?? 0.05;
  let correct = 0;
  let unscoredCount = 0;
  for (let i = 0; i < n; i++) {
    correct += outcomes[i];
    if (unscored) unscoredCount += unscored[i];
  }
  const p = n > 0 ? correct / n : NaN;
  return {
    accuracy: p,
    n,
    correct,
    unscored: unscoredCount,
    se: proportionSE(p, n),
    wilson: wilsonInterval(correct, n, alpha),
    bootstrap:
      opts.bootstrap && opts.bootstrap.resamples > 0
        ? bootstrapAccuracyInterval(outcomes, { ...opts.bootstrap, alpha })
        : null,
    stratifiedSE: opts.subjects ? stratifiedSE(outcomes, opts.subjects) : null,
    subjectClusteredSE: opts.subjects && opts.clusterBySubject ? clusteredSE(outcomes, opts.subjects) : null,
  };
}

/** Convert results' `correct` field to outcomes under the strict policy. */
export function strictOutcomes(correct: readonly (boolean | null)[]): { outcomes: Uint8Array; unscored: Uint8Array } {
  const outcomes = new Uint8Array(correct.length);
  const unscored = new Uint8Array(correct.length);
  correct.forEach((c, i) => {
    outcomes[i] = c === true ? 1 : 0;
    unscored[i] = c === null ? 1 : 0;
  });
  return { outcomes, unscored };
}
