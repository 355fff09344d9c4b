/**
 * Movement told apart from noise. Two leaderboards measured on the same items differ by sampling
 * noise even when the condition changes nothing, so every movement statistic gets a floor:
 * - rank agreement (τ-b, τ_k, ρ) against the baseline beside the agreement that the noise alone
 *   gives: a paired permutation that swaps the two conditions' outcomes of an item (for every model
 *   at once) with probability 1/2 — exact when the condition has no effect on any model — and a
 *   percentile interval from the shared paired bootstrap;
 * - a pair of models changes order for real only when the change in their difference,
 *   D_i = (a_c − b_c)_i − (a_base − b_base)_i, is significantly non-zero (paired z-test over items,
 *   Holm over every pair × condition) and the order of their accuracies differs; a model moved
 *   beyond noise when it is in such a pair.
 */
import { makeRng, seedFrom } from '../core/rng.js';
import type { Interval } from './accuracy.js';
import { quantileSortedDiscrete, twoSidedNormalP, zForAlpha } from '../core/distributions.js';
import { holmAdjust } from './paired.js';
import type { BootstrapSums } from './pairedBootstrap.js';
import { kendallTauB, spearmanRho } from './rankCorrelation.js';
import { cellOutcomes, type ResultMatrix } from './resultMatrix.js';

export interface AgreementNoise {
  /** Permutations drawn (0: none, the fields below are null). */
  permutations: number;
  /** Exact swaps, or (for large runs) the normal law of the per-model shifts they give. */
  nullMethod: 'exact-permutation' | 'normal-approximation' | null;
  /** Central 1 − α range of τ-b when the condition has no effect (the noise floor). */
  kendallTauBNull: Interval | null;
  spearmanRhoNull: Interval | null;
  /** P(τ-b under no effect ≤ the observed τ-b): small when the order moved more than noise does. */
  pValue: number | null;
  /** Percentile interval of τ-b and ρ over the paired bootstrap resamples. */
  kendallTauBCI: Interval | null;
  spearmanRhoCI: Interval | null;
}

export interface OrderChange {
  a: string;
  b: string;
  /** Accuracy of a minus b under the baseline, and under the condition. */
  baselineDifference: number;
  conditionDifference: number;
  /** conditionDifference − baselineDifference, paired per item. */
  change: number;
  se: number;
  ci: Interval;
  pValue: number;
  /** Holm-adjusted over every pair of models × every non-baseline condition. */
  holmP: number;
  significant: boolean;
}

export interface ConditionMovement {
  condition: string;
  /** Models whose competition rank differs from the baseline (raw, noise included). */
  modelsMoved: number;
  /** Models in at least one pair whose order changed significantly. */
  modelsMovedBeyondNoise: number;
  /** Pairs whose order differs from the baseline's, significant or not. */
  reorderedPairs: OrderChange[];
}

/** Exact permutations while discordant entries × permutations stay below this. */
const EXACT_BUDGET = 2e6;

/**
 * The swaps move model m's count by T_m = Σ_i s_i d_mi, s_i ~ Bernoulli(1/2): a sum of many
 * independent terms, so T ≈ N(Σ_i d_i / 2, Σ_i d_i d_iᵀ / 4). Returns a sampler of T (Cholesky
 * factor of the covariance; a model without discordant items never moves).
 */
function shiftDistribution(items: readonly number[], models: readonly number[], deltas: readonly number[], M: number) {
  const mean = new Float64Array(M);
  const cov = new Float64Array(M * M);
  const byItem = new Map<number, number[]>();
  items.forEach((i, k) => {
    mean[models[k]] += deltas[k] / 2;
    const list = byItem.get(i);
    if (list) list.push(k);
    else byItem.set(i, [k]);
  });
  for (const ks of byItem.values()) {
    for (const k of ks) for (const l of ks) cov[models[k] * M + models[l]] += (deltas[k] * deltas[l]) / 4;
  }
  const L = new Float64Array(M * M);
  for (let j = 0; j < M; j++) {
    let d = cov[j * M + j];
    for (let k = 0; k < j; k++) d -= L[j * M + k] ** 2;
    const pivot = d > 1e-9 * (cov[j * M + j] || 1) ? Math.sqrt(d) : 0;
    L[j * M + j] = pivot;
    for (let i = j + 1; i < M; i++) {
      let v = cov[i * M + j];
      for (let k = 0; k < j; k++) v -= L[i * M + k] * L[j * M + k];
      L[i * M + j] = pivot > 0 ? v / pivot : 0;
    }
  }
  const z = new Float64Array(M);
  return (rng: () => number, out: Float64Array): void => {
    for (let m = 0; m < M; m++) {
      let u = rng();
      while (u === 0) u = rng();
      z[m] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
    }
    for (let i = 0; i < M; i++) {
      let v = mean[i];
      for (let k = 0; k <= i; k++) v += L[i * M + k] * z[k];
      out[i] = Math.round(v); // counts are whole numbers, and equal counts tie
    }
  };
}

function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/** Order changes of every pair of models between the baseline and each other condition. */
export function orderChanges(
  mx: ResultMatrix,
  baselineIndex: number,
  alpha: number,
  /** Conditions whose movement makes the headline count (the robust set). */
  headline: ReadonlySet<number>,
): { perCondition: ConditionMovement[]; modelsMovedBeyondNoise: number; modelsMoved: number } {
  const M = mx.models.length;
  const n = mx.n;
  const z = zForAlpha(alpha);
  const tests: { c: number; change: OrderChange; moved: boolean }[] = [];
  const acc = (m: number, c: number) => {
    const o = cellOutcomes(mx, m, c);
    let s = 0;
    for (let i = 0; i < n; i++) s += o[i];
    return s / n;
  };
  const accuracy = mx.conditions.map((_, c) => mx.models.map((__, m) => acc(m, c)));
  mx.conditions.forEach((_, c) => {
    if (c === baselineIndex) return;
    for (let a = 0; a < M; a++) {
      for (let b = a + 1; b < M; b++) {
        const xa = cellOutcomes(mx, a, c);
        const xb = cellOutcomes(mx, b, c);
        const ya = cellOutcomes(mx, a, baselineIndex);
        const yb = cellOutcomes(mx, b, baselineIndex);
        let sum = 0;
        let sumSq = 0;
        for (let i = 0; i < n; i++) {
          const d = xa[i] - xb[i] - ya[i] + yb[i];
          sum += d;
          sumSq += d * d;
        }
        const mean = sum / n;
        const se = n > 1 ? Math.sqrt(Math.max(0, (sumSq - n * mean * mean) / (n - 1)) / n) : NaN;
        const pValue = se > 0 ? twoSidedNormalP(mean / se) : mean === 0 ? 1 : Number.isNaN(se) ? NaN : 0;
        const baselineDifference = accuracy[baselineIndex][a] - accuracy[baselineIndex][b];
        const conditionDifference = accuracy[c][a] - accuracy[c][b];
        tests.push({
          c,
          moved: sign(baselineDifference) !== sign(conditionDifference),
          change: {
            a: mx.models[a],
            b: mx.models[b],
            baselineDifference,
            conditionDifference,
            change: mean,
            se,
            ci: [mean - z * se, mean + z * se],
            pValue,
            holmP: NaN,
            significant: false,
          },
        });
      }
    }
  });
  const holm = holmAdjust(tests.map((t) => t.change.pValue));
  tests.forEach((t, k) => {
    t.change.holmP = holm[k];
    t.change.significant = holm[k] < alpha;
  });
  const anywhere = new Set<string>();
  const movedRaw = new Set<string>();
  const perCondition = mx.conditions.flatMap((condition, c): ConditionMovement[] => {
    if (c === baselineIndex) return [];
    const mine = tests.filter((t) => t.c === c && t.moved);
    const beyond = new Set<string>();
    for (const t of mine) {
      if (!t.change.significant) continue;
      beyond.add(t.change.a);
      beyond.add(t.change.b);
      if (!headline.has(c)) continue;
      anywhere.add(t.change.a);
      anywhere.add(t.change.b);
    }
    const ranks = (k: number) => accuracy[k].map((x) => 1 + accuracy[k].filter((y) => y > x).length);
    const base = ranks(baselineIndex);
    if (headline.has(c)) ranks(c).forEach((r, m) => r !== base[m] && movedRaw.add(mx.models[m]));
    return [
      {
        condition,
        modelsMoved: ranks(c).filter((r, m) => r !== base[m]).length,
        modelsMovedBeyondNoise: beyond.size,
        reorderedPairs: mine.map((t) => t.change),
      },
    ];
  });
  return { perCondition, modelsMovedBeyondNoise: anywhere.size, modelsMoved: movedRaw.size };
}

/**
 * The agreement between the baseline and condition c that noise alone gives, and the bootstrap
 * interval of the observed agreement. `cellColumn(m, c)` locates a cell's sums in `boot`.
 */
export function agreementNoise(
  mx: ResultMatrix,
  baselineIndex: number,
  c: number,
  opts: {
    permutations: number;
    seed: number;
    alpha: number;
    boot: BootstrapSums | null;
    cellColumn: (m: number, c: number) => number;
  },
): AgreementNoise {
  const { alpha } = opts;
  const M = mx.models.length;
  const n = mx.n;
  const baseSum = new Float64Array(M);
  const condSum = new Float64Array(M);
  // Discordant (item, model, condition − baseline) entries: the only ones a swap changes.
  const items: number[] = [];
  const models: number[] = [];
  const deltas: number[] = [];
  for (let m = 0; m < M; m++) {
    const x = cellOutcomes(mx, m, baselineIndex);
    const y = cellOutcomes(mx, m, c);
    for (let i = 0; i < n; i++) {
      baseSum[m] += x[i];
      condSum[m] += y[i];
      if (x[i] !== y[i]) {
        items.push(i);
        models.push(m);
        deltas.push(y[i] - x[i]);
      }
    }
  }
  const tau = kendallTauB(baseSum, condSum);
  const central = (xs: Float64Array): Interval | null => {
    const finite = Float64Array.from(xs.filter((v) => Number.isFinite(v))).sort();
    return finite.length
      ? [quantileSortedDiscrete(finite, alpha / 2), quantileSortedDiscrete(finite, 1 - alpha / 2)]
      : null;
  };

  const R = opts.permutations;
  let tauNull: Interval | null = null;
  let rhoNull: Interval | null = null;
  let pValue: number | null = null;
  let nullMethod: AgreementNoise['nullMethod'] = null;
  if (R > 0) {
    const rng = makeRng(seedFrom(opts.seed, 'agreement-noise', mx.conditions[c]));
    const swap = new Uint32Array(Math.ceil(n / 32));
    const shift = new Float64Array(M);
    const a = new Float64Array(M);
    const b = new Float64Array(M);
    const taus = new Float64Array(R);
    const rhos = new Float64Array(R);
    const exact = items.length * R <= EXACT_BUDGET;
    nullMethod = exact ? 'exact-permutation' : 'normal-approximation';
    const draw = exact ? null : shiftDistribution(items, models, deltas, M);
    let atMost = 0;
    for (let r = 0; r < R; r++) {
      if (draw) draw(rng, shift);
      else {
        for (let w = 0; w < swap.length; w++) swap[w] = Math.floor(rng() * 4294967296);
        shift.fill(0);
        for (let k = 0; k < items.length; k++) {
          const i = items[k];
          if ((swap[i >>> 5] >>> (i & 31)) & 1) shift[models[k]] += deltas[k];
        }
      }
      for (let m = 0; m < M; m++) {
        a[m] = baseSum[m] + shift[m];
        b[m] = condSum[m] - shift[m];
      }
      taus[r] = kendallTauB(a, b);
      rhos[r] = spearmanRho(a, b);
      if (!(taus[r] > tau)) atMost++; // NaN (all tied) counts as no agreement
    }
    tauNull = central(taus);
    rhoNull = central(rhos);
    pValue = Number.isFinite(tau) ? (atMost + 1) / (R + 1) : null;
  }

  let tauCI: Interval | null = null;
  let rhoCI: Interval | null = null;
  const boot = opts.boot;
  if (boot && boot.resamples > 0) {
    const taus = new Float64Array(boot.resamples);
    const rhos = new Float64Array(boot.resamples);
    const a = new Float64Array(M);
    const b = new Float64Array(M);
    for (let r = 0; r < boot.resamples; r++) {
      for (let m = 0; m < M; m++) {
        a[m] = boot.sums[r * boot.columns + opts.cellColumn(m, baselineIndex)];
        b[m] = boot.sums[r * boot.columns + opts.cellColumn(m, c)];
      }
      taus[r] = kendallTauB(a, b);
      rhos[r] = spearmanRho(a, b);
    }
    tauCI = central(taus);
    rhoCI = central(rhos);
  }
  return {
    permutations: R,
    nullMethod,
    kendallTauBNull: tauNull,
    spearmanRhoNull: rhoNull,
    pValue,
    kendallTauBCI: tauCI,
    spearmanRhoCI: rhoCI,
  };
}
