/**
 * The closed forms behind `goodhart design`: how stable a leaderboard is between two independent
 * replications, and how many items a paired test needs to separate two models.
 *
 * Every prediction starts from one pair of models at a time: on a replication with N items (and K
 * conditions, for a robust score), the pair's difference is approximately normal with mean δ and
 * variance V(N, K). Two independent replications order the pair the same way with probability
 * Φ(z)² + (1 − Φ(z))², z = δ/√V, so E[sign₁·sign₂] = (2Φ(z) − 1)², and the expected Kendall τ
 * between the replications is the mean of that over all pairs (ties ignored).
 */
import { normalCdf, zForAlpha } from '../core/distributions.js';

/** A pair difference's mean and variance components, estimated from a pilot. */
export interface PairVariance {
  /** Mean difference a − b in the pilot (plug-in). */
  delta: number;
  /** δ² net of the pilot's own sampling variance, max(0, δ̂² − V̂(pilot)): unbiased for δ². */
  deltaSquared: number;
  /** Per-item variance (items × conditions main part), σ²_item. */
  item: number;
  /** Variance of the pair's condition effects, σ²_cond (0 for a single condition). */
  condition: number;
  /** Residual item × condition variance, σ²_res. */
  residual: number;
}

/** Variance of a pair's mean difference over N items and K conditions drawn anew. */
export function replicationVariance(v: PairVariance, items: number, conditions = 1): number {
  return v.item / items + v.condition / conditions + v.residual / (items * conditions);
}

/** P(two independent replications order the pair alike) mapped to E[sign₁·sign₂] = (2Φ(z) − 1)². */
export function expectedConcordance(deltaSquared: number, variance: number): number {
  if (deltaSquared <= 0) return 0;
  if (variance <= 0) return 1;
  const z = Math.sqrt(deltaSquared / variance);
  const s = 2 * normalCdf(z) - 1;
  return s * s;
}

/** Expected Kendall τ between two independent replications of size (items, conditions). */
export function expectedTau(pairs: readonly PairVariance[], items: number, conditions = 1): number {
  if (pairs.length === 0) return NaN;
  let sum = 0;
  for (const v of pairs) sum += expectedConcordance(v.deltaSquared, replicationVariance(v, items, conditions));
  return sum / pairs.length;
}

/** The τ reached with unlimited items at K conditions (only condition effects remain). */
export function tauLimit(pairs: readonly PairVariance[], conditions: number): number {
  if (pairs.length === 0) return NaN;
  let sum = 0;
  for (const v of pairs) sum += expectedConcordance(v.deltaSquared, v.condition / conditions);
  return sum / pairs.length;
}

/**
 * The smallest item count at which the expected τ reaches `target` (bisection on a monotone curve),
 * or null when even unlimited items cannot reach it.
 */
export function itemsForTau(
  pairs: readonly PairVariance[],
  target: number,
  conditions = 1,
  maxItems = 1e8,
): number | null {
  if (!(expectedTau(pairs, maxItems, conditions) >= target)) return null;
  if (expectedTau(pairs, 1, conditions) >= target) return 1;
  let lo = 1; // below target
  let hi = maxItems; // at or above target
  while (hi - lo > 1) {
    const mid = Math.min(hi - 1, Math.max(lo + 1, Math.floor(Math.sqrt(lo * hi))));
    if (expectedTau(pairs, mid, conditions) >= target) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Per-item variance of a pair's difference averaged over the pilot's own K conditions (fixed). */
export function fixedConditionsItemVariance(v: PairVariance, conditions: number): number {
  return v.item + v.residual / conditions;
}

/**
 * Power of McNemar's test (two-sided, level alpha) with N items, discordance ψ = P(exactly one of
 * the two right) and difference δ = P(only a) − P(only b): the normal approximation of Connor (1987),
 * Φ((|δ|√N − z_{α/2}√ψ) / √(ψ − δ²)).
 */
export function mcnemarPower(delta: number, discordance: number, items: number, alpha: number): number {
  const spread = discordance - delta * delta;
  if (delta === 0 || items <= 0) return alpha;
  if (spread <= 0) return 1;
  return normalCdf(
    (Math.abs(delta) * Math.sqrt(items) - zForAlpha(alpha) * Math.sqrt(discordance)) / Math.sqrt(spread),
  );
}

/** Items for McNemar's test to reach `power` (Connor 1987): ((z_{α/2}√ψ + z_β√(ψ − δ²)) / δ)². */
export function mcnemarItems(delta: number, discordance: number, alpha: number, power: number): number | null {
  if (delta === 0 || !Number.isFinite(delta)) return null;
  const spread = Math.max(0, discordance - delta * delta);
  const n =
    ((zForAlpha(alpha) * Math.sqrt(discordance) + zForAlpha(2 * (1 - power)) * Math.sqrt(spread)) / Math.abs(delta)) **
    2;
  return Math.ceil(n);
}

/** Power of a paired z-test with per-item difference variance σ² (robust scores). */
export function pairedZPower(delta: number, variance: number, items: number, alpha: number): number {
  if (delta === 0 || items <= 0) return alpha;
  if (variance <= 0) return 1;
  return normalCdf(Math.abs(delta) * Math.sqrt(items / variance) - zForAlpha(alpha));
}

/** Items for the paired z-test to reach `power`: ((z_{α/2} + z_β) σ / δ)². */
export function pairedZItems(delta: number, variance: number, alpha: number, power: number): number | null {
  if (delta === 0 || !Number.isFinite(delta)) return null;
  return Math.ceil(
    (((zForAlpha(alpha) + zForAlpha(2 * (1 - power))) * Math.sqrt(Math.max(0, variance))) / Math.abs(delta)) ** 2,
  );
}

/**
 * Variance components of one pair's differences D[i][k] (items × conditions, item-major), from the
 * two-way ANOVA without replication: E[MS_res] = σ²_res, E[MS_items] = σ²_res + K σ²_item,
 * E[MS_conds] = σ²_res + n σ²_cond. With one condition the residual folds into the item part.
 */
export function pairVariance(diff: Float64Array, items: number, conditions: number): PairVariance {
  const n = items;
  const K = conditions;
  let grand = 0;
  for (let x = 0; x < diff.length; x++) grand += diff[x];
  grand /= n * K;
  if (K === 1) {
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (diff[i] - grand) ** 2;
    const item = n > 1 ? ss / (n - 1) : 0;
    return { delta: grand, deltaSquared: Math.max(0, grand * grand - item / n), item, condition: 0, residual: 0 };
  }
  const rowMeans = new Float64Array(n);
  const colMeans = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) {
      const d = diff[i * K + k];
      rowMeans[i] += d / K;
      colMeans[k] += d / n;
    }
  }
  let ssRows = 0;
  for (let i = 0; i < n; i++) ssRows += (rowMeans[i] - grand) ** 2;
  ssRows *= K;
  let ssCols = 0;
  for (let k = 0; k < K; k++) ssCols += (colMeans[k] - grand) ** 2;
  ssCols *= n;
  let ssRes = 0;
  for (let i = 0; i < n; i++)
    for (let k = 0; k < K; k++) ssRes += (diff[i * K + k] - rowMeans[i] - colMeans[k] + grand) ** 2;
  const msRes = n > 1 ? ssRes / ((n - 1) * (K - 1)) : 0;
  const msRows = n > 1 ? ssRows / (n - 1) : 0;
  const msCols = ssCols / (K - 1);
  const v: PairVariance = {
    delta: grand,
    deltaSquared: 0,
    item: Math.max(0, (msRows - msRes) / K),
    condition: Math.max(0, (msCols - msRes) / n),
    residual: msRes,
  };
  v.deltaSquared = Math.max(0, grand * grand - replicationVariance(v, n, K));
  return v;
}
