/**
 * How much the leaderboard moves between conditions: rank agreement (Kendall τ-b, τ_k,
 * Spearman ρ) for every pair of conditions and each against the baseline, and per model its
 * rank under every condition (competition ranks, 1 = best), rank range and largest shift.
 */
import { competitionRanks, kendallTauB, spearmanRho, tauK } from './rankCorrelation.js';

export interface RankAgreement {
  a: string;
  b: string;
  /** NaN-free: null when undefined (every model tied under one of the two conditions). */
  kendallTauB: number | null;
  tauK: number | null;
  spearmanRho: number | null;
  /** Models whose rank differs between a and b. */
  modelsMoved: number;
}

export interface ModelRankShift {
  model: string;
  baselineRank: number;
  /** Rank under each condition, keyed by condition name. */
  ranks: Record<string, number>;
  bestRank: number;
  worstRank: number;
  /** worstRank − bestRank over all conditions, the baseline included. */
  rankRange: number;
  /** max over conditions of |rank − baseline rank|. */
  maxAbsShift: number;
  /** A condition where that largest shift happens (null when the model never moves). */
  maxShiftCondition: string | null;
}

export interface RankShiftSummary {
  perModel: ModelRankShift[];
  /** Models whose rank differs from the baseline under at least one condition. */
  modelsMoved: number;
  /** Per condition, how many models have a different rank than under the baseline. */
  movedByCondition: Record<string, number>;
}

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

function agreement(a: string, b: string, accA: number[], accB: number[]): RankAgreement {
  const tau = kendallTauB(accA, accB);
  const ra = competitionRanks(accA);
  const rb = competitionRanks(accB);
  return {
    a,
    b,
    kendallTauB: finiteOrNull(tau),
    tauK: finiteOrNull(tauK(tau)),
    spearmanRho: finiteOrNull(spearmanRho(accA, accB)),
    modelsMoved: ra.filter((r, i) => r !== rb[i]).length,
  };
}

/**
 * accuracy[c][m] = accuracy of model m under condition c. Returns agreement of each condition
 * with the baseline and of every unordered pair of conditions (in condition order).
 */
export function rankAgreement(
  conditions: readonly string[],
  accuracy: readonly number[][],
  baselineIndex: number,
): { vsBaseline: RankAgreement[]; pairs: RankAgreement[] } {
  const vsBaseline = conditions
    .map((c, k) =>
      k === baselineIndex ? null : agreement(conditions[baselineIndex], c, accuracy[baselineIndex], accuracy[k]),
    )
    .filter((x): x is RankAgreement => x !== null);
  const pairs: RankAgreement[] = [];
  for (let i = 0; i < conditions.length; i++) {
    for (let j = i + 1; j < conditions.length; j++)
      pairs.push(agreement(conditions[i], conditions[j], accuracy[i], accuracy[j]));
  }
  return { vsBaseline, pairs };
}

/** Per-model ranks under every condition and their shifts from the baseline. */
export function rankShifts(
  models: readonly string[],
  conditions: readonly string[],
  accuracy: readonly number[][],
  baselineIndex: number,
): RankShiftSummary {
  const ranksByCondition = accuracy.map((acc) => competitionRanks(acc));
  const base = ranksByCondition[baselineIndex];
  const movedByCondition: Record<string, number> = {};
  conditions.forEach((c, k) => {
    movedByCondition[c] = ranksByCondition[k].filter((r, m) => r !== base[m]).length;
  });
  const perModel = models.map((model, m): ModelRankShift => {
    const ranks: Record<string, number> = {};
    let best = Infinity;
    let worst = -Infinity;
    let maxAbsShift = 0;
    let maxShiftCondition: string | null = null;
    conditions.forEach((c, k) => {
      const r = ranksByCondition[k][m];
      ranks[c] = r;
      best = Math.min(best, r);
      worst = Math.max(worst, r);
      const shift = Math.abs(r - base[m]);
      if (shift > maxAbsShift) {
        maxAbsShift = shift;
        maxShiftCondition = c;
      }
    });
    return {
      model,
      baselineRank: base[m],
      ranks,
      bestRank: best,
      worstRank: worst,
      rankRange: worst - best,
      maxAbsShift,
      maxShiftCondition,
    };
  });
  return { perModel, modelsMoved: perModel.filter((p) => p.maxAbsShift > 0).length, movedByCondition };
}
