/**
 * Small numerical building blocks: the normal distribution, the symmetric binomial tail
 * (for McNemar's exact test) and sample quantiles. Written here to keep the package free of
 * a numerics dependency; each is accurate to near double precision where it matters.
 */

const SQRT_PI = Math.sqrt(Math.PI);

/** erf by its Taylor series; accurate for |z| < 2.5 (terms shrink fast there). */
function erfSeries(z: number): number {
  const z2 = z * z;
  let term = z;
  let sum = z;
  for (let k = 1; k < 200; k++) {
    term *= -z2 / k;
    const next = term / (2 * k + 1);
    sum += next;
    if (Math.abs(next) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / SQRT_PI) * sum;
}

/** erfc for z >= 2.5 by its continued fraction (modified Lentz), no cancellation in the tail. */
function erfcContinuedFraction(z: number): number {
  // erfc(z) = exp(-z²)/√π · 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + …))))
  const tiny = 1e-300;
  let f = z;
  let c = z;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = z + a * d;
    d = d === 0 ? tiny : d;
    c = z + a / c;
    c = c === 0 ? tiny : c;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-z * z) / SQRT_PI / f;
}

/** Complementary error function. */
export function erfc(z: number): number {
  if (Number.isNaN(z)) return NaN;
  if (z < 0) return 2 - erfc(-z);
  if (z < 2.5) return 1 - erfSeries(z);
  return erfcContinuedFraction(z);
}

/** Standard normal CDF Φ(x). */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** Two-sided p-value of a standard normal statistic. */
export function twoSidedNormalP(z: number): number {
  if (Number.isNaN(z)) return NaN;
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

// Acklam's rational approximation (relative error < 1.2e-9), refined by one Halley step below.
const A = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];

/** Standard normal quantile Φ⁻¹(p). */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  const pLow = 0.02425;
  let x: number;
  if (p < pLow || p > 1 - pLow) {
    const q = Math.sqrt(-2 * Math.log(p < pLow ? p : 1 - p));
    x =
      (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
      ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
    if (p > pLow) x = -x;
  } else {
    const q = p - 0.5;
    const r = q * q;
    x =
      ((((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q) /
      (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/** z such that a two-sided interval at level 1 − alpha is ± z·SE (1.959964 for alpha = 0.05). */
export function zForAlpha(alpha: number): number {
  return normalQuantile(1 - alpha / 2);
}

const LOG_FACTORIAL_TABLE = (() => {
  const t = new Float64Array(256);
  for (let i = 1; i < 256; i++) t[i] = t[i - 1] + Math.log(i);
  return t;
})();

/** log(n!) for a non-negative integer n (table below 256, Stirling's series above). */
export function logFactorial(n: number): number {
  if (n < 256) return LOG_FACTORIAL_TABLE[n];
  const x = n + 1;
  const x2 = x * x;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + (1 / 12 - (1 / 360 - 1 / (1260 * x2)) / x2) / x;
}

/**
 * P(X ≤ k) for X ~ Binomial(n, 1/2). For k < n/2 the terms grow with j, so the sum runs down
 * from j = k and stops once the terms no longer matter; it never underflows for large n.
 */
export function binomialHalfCdf(k: number, n: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  if (2 * k >= n) return 1 - binomialHalfCdf(n - k - 1, n);
  const logTop = logFactorial(n) - logFactorial(k) - logFactorial(n - k) - n * Math.LN2;
  let term = 1;
  let sum = 1;
  for (let j = k; j > 0; j--) {
    term *= j / (n - j + 1); // P(X = j − 1) / P(X = j)
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return Math.min(1, Math.exp(logTop) * sum);
}

/** Quantile of an ascending array by linear interpolation (type 7, the numpy/R default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** Quantile of an ascending array that is always one of its values (type 1, inverse CDF): for ranks. */
export function quantileSortedDiscrete(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const idx = Math.max(0, Math.ceil(n * q) - 1);
  return sorted[Math.min(n - 1, idx)];
}

/** Percentile interval [α/2, 1 − α/2] of a sample (sorted in place: pass a copy you own). */
export function percentileInterval(sample: Float64Array, alpha: number): [number, number] {
  sample.sort();
  return [quantileSorted(sample, alpha / 2), quantileSorted(sample, 1 - alpha / 2)];
}
