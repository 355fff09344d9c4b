/**
 * Which factor of the grid moves accuracy most? A main-effects decomposition of the
 * model × condition accuracy table:
 * 1. remove the model effect: r_mc = a_mc − mean_c a_mc (what is left varies with the condition);
 * 2. for a factor f, each level l gets the mean r̄_l of the residuals of the conditions at that
 *    level (over all models); SS_f = Σ_l N_l · r̄_l², N_l = number of cells at level l;
 * 3. share_f = SS_f / Σ_mc r_mc² (the within-model sum of squares).
 * What reorders a leaderboard is how differently models react to a factor, which the main effect
 * averages away; so each factor also gets its factor × model interaction share:
 * SS_fm = Σ_l Σ_m n_l (r̄_ml − r̄_l)², with r̄_ml model m's mean residual at level l and n_l the
 * number of conditions at level l; `totalShare` = share + interactionShare.
 * On a full factorial grid the shares of the factors plus their interactions add to 1. On a
 * one-factor-at-a-time grid the factors overlap (the "standard" level of one factor holds the
 * variations of the others), so the shares need not add up: `unexplainedShare` = 1 − Σ share_f
 * can then be negative. A factor with one level has share 0.
 */
import { GRID_FACTORS } from '../core/factors.js';
import type { ConditionFactors } from '../core/results.js';

export const FACTOR_NAMES: readonly (keyof ConditionFactors)[] = GRID_FACTORS;

export interface FactorLevelEffect {
  level: string;
  conditions: number;
  /** Mean accuracy at this level minus the model's mean, averaged over models. */
  effect: number;
}

export interface FactorShare {
  factor: keyof ConditionFactors;
  levels: FactorLevelEffect[];
  sumOfSquares: number;
  /** Share of the within-model sum of squares explained by this factor's level means. */
  share: number | null;
  interactionSumOfSquares: number;
  /** Share explained by how the level effects differ between models (factor × model). */
  interactionShare: number | null;
  /** share + interactionShare: all the variation the factor's levels account for. */
  totalShare: number | null;
}

export interface FactorVariance {
  /** Σ (a_mc − grand mean)². */
  totalSS: number;
  /** Share of totalSS due to differences between models (removed before the factor shares). */
  modelShare: number | null;
  /** Σ r_mc²: the variation across conditions that the factors compete for. */
  withinModelSS: number;
  factors: FactorShare[];
  unexplainedShare: number | null;
}

/** accuracy[c][m]; factors[c] describes condition c. */
export function factorVariance(
  accuracy: readonly ArrayLike<number>[],
  factors: readonly ConditionFactors[],
): FactorVariance {
  const C = accuracy.length;
  const M = C > 0 ? accuracy[0].length : 0;
  const modelMean = new Array<number>(M).fill(0);
  let grand = 0;
  for (let c = 0; c < C; c++) for (let m = 0; m < M; m++) modelMean[m] += accuracy[c][m] / C;
  for (let m = 0; m < M; m++) grand += modelMean[m] / M;
  let totalSS = 0;
  let withinSS = 0;
  const conditionResidual = new Array<number>(C).fill(0); // Σ_m r_mc
  const residual = accuracy.map(() => new Array<number>(M).fill(0));
  for (let c = 0; c < C; c++) {
    for (let m = 0; m < M; m++) {
      const r = accuracy[c][m] - modelMean[m];
      residual[c][m] = r;
      totalSS += (accuracy[c][m] - grand) ** 2;
      withinSS += r * r;
      conditionResidual[c] += r;
    }
  }
  const share = (ss: number, of: number): number | null => (of > 0 ? ss / of : null);
  const factorShares = FACTOR_NAMES.map((factor): FactorShare => {
    const byLevel = new Map<string, number[]>();
    factors.forEach((f, c) => {
      const level = f[factor];
      byLevel.set(level, [...(byLevel.get(level) ?? []), c]);
    });
    let ss = 0;
    let interactionSS = 0;
    const levels = [...byLevel.entries()].map(([level, cs]) => {
      const cells = cs.length * M;
      const effect = cs.reduce((s, c) => s + conditionResidual[c], 0) / cells;
      ss += cells * effect * effect;
      for (let m = 0; m < M; m++) {
        const modelEffect = cs.reduce((s, c) => s + residual[c][m], 0) / cs.length;
        interactionSS += cs.length * (modelEffect - effect) ** 2;
      }
      return { level, conditions: cs.length, effect };
    });
    const main = share(ss, withinSS);
    const interaction = share(interactionSS, withinSS);
    return {
      factor,
      levels,
      sumOfSquares: ss,
      share: main,
      interactionSumOfSquares: interactionSS,
      interactionShare: interaction,
      totalShare: main === null || interaction === null ? null : main + interaction,
    };
  });
  const explained = factorShares.reduce((s, f) => s + (f.share ?? 0), 0);
  return {
    totalSS,
    modelShare: share(totalSS - withinSS, totalSS),
    withinModelSS: withinSS,
    factors: factorShares,
    unexplainedShare: withinSS > 0 ? 1 - explained : null,
  };
}
