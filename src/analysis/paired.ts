/**
 * Paired comparison of two models on the same items (never an unpaired test on paired data):
 * d_i = s_iA − s_iB, its mean, SE = sd(d)/sqrt(n), a normal interval and p-value; McNemar's
 * exact test for 0/1 outcomes; Holm's step-down correction for a family of tests.
 */
import { binomialHalfCdf, twoSidedNormalP, zForAlpha } from '../core/distributions.js';
import type { Interval } from './accuracy.js';

export interface PairedDifference {
  n: number;
  /** mean of d_i = a_i − b_i. */
  meanDifference: number;
  /** sd(d)/sqrt(n), with the sample sd (n − 1). */
  se: number;
  ci: Interval;
  /** Two-sided p-value of z = mean/se (normal; suited to the n of a benchmark). */
  pValue: number;
}

/** Paired difference of per-item scores (any real scores, e.g. 0/1 or a mean over conditions). */
export function pairedDifference(a: ArrayLike<number>, b: ArrayLike<number>, alpha = 0.05): PairedDifference {
  const n = a.length;
  if (b.length !== n) throw new Error(`pairedDifference: lengths differ (${n} vs ${b.length})`);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += a[i] - b[i];
  const mean = n > 0 ? sum / n : NaN;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const r = a[i] - b[i] - mean;
    ss += r * r;
  }
  const se = n > 1 ? Math.sqrt(ss / (n - 1) / n) : NaN;
  const half = zForAlpha(alpha) * se;
  return { n, meanDifference: mean, se, ci: [mean - half, mean + half], pValue: normalPValue(mean, se) };
}

/** Two-sided p of mean/se. se = 0: every d_i is equal, so a non-zero mean is a sure difference. */
function normalPValue(mean: number, se: number): number {
  if (Number.isNaN(se)) return NaN; // too few items to say
  if (se > 0) return twoSidedNormalP(mean / se);
  return mean === 0 ? 1 : 0;
}

/**
 * McNemar's exact test: with b items right only for A and c right only for B, under H0 each
 * discordant item goes either way with probability 1/2, so p = min(1, 2·P(X ≤ min(b, c))),
 * X ~ Binomial(b + c, 1/2).
 */
export function mcnemarExact(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  return Math.min(1, 2 * binomialHalfCdf(Math.min(b, c), n));
}

export interface BinaryPairComparison extends PairedDifference {
  /** Items correct for A only. */
  onlyA: number;
  /** Items correct for B only. */
  onlyB: number;
  /** McNemar's exact p-value. */
  mcnemarP: number;
}

/**
 * Paired comparison of two 0/1 outcome vectors on the same items. Everything follows from the
 * discordant counts b, c (d_i is +1, −1 or 0): mean = (b − c)/n, Σd² = b + c, so one pass suffices.
 */
export function compareBinaryPair(a: ArrayLike<number>, b: ArrayLike<number>, alpha = 0.05): BinaryPairComparison {
  const n = a.length;
  if (b.length !== n) throw new Error(`compareBinaryPair: lengths differ (${n} vs ${b.length})`);
  // Branch-free: discordant = Σ a_i xor b_i, and onlyA − onlyB = Σa − Σb.
  let discordant = 0;
  let net = 0;
  for (let i = 0; i < n; i++) {
    discordant += a[i] ^ b[i];
    net += a[i] - b[i];
  }
  const onlyA = (discordant + net) / 2;
  const onlyB = (discordant - net) / 2;
  const mean = n > 0 ? (onlyA - onlyB) / n : NaN;
  const se = n > 1 ? Math.sqrt(Math.max(0, (onlyA + onlyB - n * mean * mean) / (n - 1)) / n) : NaN;
  const half = zForAlpha(alpha) * se;
  return {
    n,
    meanDifference: mean,
    se,
    ci: [mean - half, mean + half],
    pValue: normalPValue(mean, se),
    onlyA,
    onlyB,
    mcnemarP: mcnemarExact(onlyA, onlyB),
  };
}

/**
 * Holm's step-down adjusted p-values, in the input's order: sort ascending, multiply the j-th
 * smallest (1-based) by m − j + 1, carry the running maximum, cap at 1. Rejecting where the
 * adjusted p < alpha controls the family-wise error rate at alpha. An undefined (NaN) p counts as 1.
 */
export function holmAdjust(rawPValues: readonly number[]): number[] {
  const pValues = rawPValues.map((p) => (Number.isNaN(p) ? 1 : p));
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((i, j) => pValues[i] - pValues[j]);
  const adjusted = new Array<number>(m);
  let running = 0;
  order.forEach((idx, j) => {
    running = Math.max(running, Math.min(1, (m - j) * pValues[idx]));
    adjusted[idx] = running;
  });
  return adjusted;
}
