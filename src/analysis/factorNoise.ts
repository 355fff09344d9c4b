/**
 * Variance shares net of sampling noise. Every sum of squares of the factor decomposition is a
 * quadratic form SS(a) = aᵀQa of the model × condition accuracy table a. With a = μ + e and the
 * table's sampling covariance Σ, E[SS(a)] = SS(μ) + tr(QΣ): even a factor with no effect gets
 * tr(QΣ). Σ is estimated from the items (every cell is a mean over the same items), so
 * tr(QΣ) ≈ Σ_i SS(x_i − ā) / (n(n − 1)), x_i the item's 0/1 table — the same decomposition applied
 * to each centred item. Net SS = SS(ā) − that. Its interval is the basic bootstrap one,
 * [2·SS(ā) − q_hi, 2·SS(ā) − q_lo] with q the quantiles of SS over the paired bootstrap resamples
 * (the noise term cancels), cut at 0 since SS(μ) ≥ 0; shares divide by the observed within-model SS.
 */
import type { ConditionFactors } from '../core/results.js';
import type { Interval } from './accuracy.js';
import { quantileSorted } from '../core/distributions.js';
import { FACTOR_NAMES } from './factorVariance.js';
import type { BootstrapSums } from './pairedBootstrap.js';
import { cellOutcomes, type ResultMatrix } from './resultMatrix.js';

export interface FactorNoise {
  factor: keyof ConditionFactors;
  /** Expected main-effect SS from sampling noise alone, tr(QΣ). */
  noiseSumOfSquares: number;
  /** (SS − noise) / within-model SS: the share beyond noise; may be below 0. */
  netShare: number | null;
  netShareCI: Interval | null;
  noiseInteractionSumOfSquares: number;
  netInteractionShare: number | null;
  netInteractionShareCI: Interval | null;
}

export interface VarianceNoise {
  /** Expected within-model SS from sampling noise alone. */
  noiseWithinModelSS: number;
  /** noiseWithinModelSS / within-model SS: how much of the variation across conditions noise explains. */
  noiseShare: number | null;
  factors: FactorNoise[];
}

/** Levels of each factor as lists of condition indices (fixed for all tables). */
function factorLevels(factors: readonly ConditionFactors[]): number[][][] {
  return FACTOR_NAMES.map((f) => {
    const byLevel = new Map<string, number[]>();
    factors.forEach((x, c) => byLevel.set(x[f], [...(byLevel.get(x[f]) ?? []), c]));
    return [...byLevel.values()];
  });
}

/** Within-model SS, then per factor main SS and factor × model SS, of table t[c * M + m]. */
function sumsOfSquares(t: Float64Array, C: number, M: number, levels: number[][][], out: Float64Array): void {
  const modelMean = new Float64Array(M);
  for (let c = 0; c < C; c++) for (let m = 0; m < M; m++) modelMean[m] += t[c * M + m] / C;
  let within = 0;
  for (let c = 0; c < C; c++) for (let m = 0; m < M; m++) within += (t[c * M + m] - modelMean[m]) ** 2;
  out[0] = within;
  levels.forEach((lv, f) => {
    let ss = 0;
    let inter = 0;
    for (const cs of lv) {
      let total = 0;
      for (const c of cs) for (let m = 0; m < M; m++) total += t[c * M + m] - modelMean[m];
      const effect = total / (cs.length * M);
      ss += cs.length * M * effect * effect;
      for (let m = 0; m < M; m++) {
        let s = 0;
        for (const c of cs) s += t[c * M + m] - modelMean[m];
        inter += cs.length * (s / cs.length - effect) ** 2;
      }
    }
    out[1 + 2 * f] = ss;
    out[2 + 2 * f] = inter;
  });
}

/** The decomposition's noise over the given conditions (indices into mx.conditions, with their factors). */
export function varianceNoise(
  mx: ResultMatrix,
  conditions: readonly number[],
  factors: readonly ConditionFactors[],
  opts: { boot: BootstrapSums | null; cellColumn: (m: number, c: number) => number; alpha: number },
): VarianceNoise {
  const C = conditions.length;
  const M = mx.models.length;
  const n = mx.n;
  const levels = factorLevels(factors);
  const S = 1 + 2 * FACTOR_NAMES.length;
  const observed = new Float64Array(S);
  const mean = new Float64Array(C * M);
  const outcomes: Uint8Array[] = [];
  for (let c = 0; c < C; c++) {
    for (let m = 0; m < M; m++) {
      const o = cellOutcomes(mx, m, conditions[c]);
      outcomes[c * M + m] = o;
      let s = 0;
      for (let i = 0; i < n; i++) s += o[i];
      mean[c * M + m] = s / n;
    }
  }
  sumsOfSquares(mean, C, M, levels, observed);

  const noise = new Float64Array(S);
  const one = new Float64Array(S);
  const centred = new Float64Array(C * M);
  if (n > 1) {
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < C * M; k++) centred[k] = outcomes[k][i] - mean[k];
      sumsOfSquares(centred, C, M, levels, one);
      for (let s = 0; s < S; s++) noise[s] += one[s];
    }
    for (let s = 0; s < S; s++) noise[s] /= n * (n - 1);
  }

  const boot = opts.boot;
  let draws: Float64Array[] | null = null;
  if (boot && boot.resamples > 0) {
    draws = Array.from({ length: S }, () => new Float64Array(boot.resamples));
    const table = new Float64Array(C * M);
    for (let r = 0; r < boot.resamples; r++) {
      for (let c = 0; c < C; c++)
        for (let m = 0; m < M; m++)
          table[c * M + m] = boot.sums[r * boot.columns + opts.cellColumn(m, conditions[c])] / n;
      sumsOfSquares(table, C, M, levels, one);
      for (let s = 0; s < S; s++) draws[s][r] = one[s];
    }
    draws.forEach((d) => d.sort());
  }
  const within = observed[0];
  const share = (x: number): number | null => (within > 0 ? x / within : null);
  const basicInterval = (s: number): Interval | null => {
    if (!draws || !(within > 0)) return null;
    const lo = quantileSorted(draws[s], opts.alpha / 2);
    const hi = quantileSorted(draws[s], 1 - opts.alpha / 2);
    // A sum of squares of true accuracies is never negative: the interval is cut at 0.
    return [Math.max(0, 2 * observed[s] - hi) / within, Math.max(0, 2 * observed[s] - lo) / within];
  };
  return {
    noiseWithinModelSS: noise[0],
    noiseShare: share(noise[0]),
    factors: FACTOR_NAMES.map((factor, f) => ({
      factor,
      noiseSumOfSquares: noise[1 + 2 * f],
      netShare: share(observed[1 + 2 * f] - noise[1 + 2 * f]),
      netShareCI: basicInterval(1 + 2 * f),
      noiseInteractionSumOfSquares: noise[2 + 2 * f],
      netInteractionShare: share(observed[2 + 2 * f] - noise[2 + 2 * f]),
      netInteractionShareCI: basicInterval(2 + 2 * f),
    })),
  };
}
