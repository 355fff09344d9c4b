/**
 * The robust leaderboard (mean and worst case over the perturbation conditions, SEs clustered
 * by item, paired-bootstrap rank intervals) and each model's Goodhart gap against the baseline.
 */
import type { Interval } from './accuracy.js';
import type { GoodhartGapEntry, RobustLeaderboard } from './analysisTypes.js';
import { percentileInterval } from '../core/distributions.js';
import { holmAdjust } from './paired.js';
import { columnMeans, type BootstrapSums } from './pairedBootstrap.js';
import { competitionRanks } from './rankCorrelation.js';
import { bootstrapRankIntervals, pairwiseTests } from './rankUncertainty.js';
import { byRank, namedComparisons, rankTable } from './conditionLeaderboards.js';
import { correctCounts, goodhartGap, robustScore } from './robust.js';
import { cellOutcomes, type ResultMatrix } from './resultMatrix.js';

/** Per item, how many of the given conditions model m answered correctly. */
export function robustCounts(mx: ResultMatrix, m: number, conditions: readonly number[]): Uint16Array {
  return correctCounts(
    conditions.map((c) => cellOutcomes(mx, m, c)),
    mx.n,
  );
}

export interface RobustInputs {
  mx: ResultMatrix;
  /** Indices of the perturbation conditions (K ≥ 1). */
  perturbations: readonly number[];
  baselineIndex: number;
  /** Baseline accuracy per model, in model order. */
  baselineAccuracy: readonly number[];
  boot: BootstrapSums | null;
  /** Bootstrap column of each model's robust count. */
  robustColumn: (m: number) => number;
  alpha: number;
}

export function robustAnalysis(inp: RobustInputs): { robust: RobustLeaderboard; goodhartGap: GoodhartGapEntry[] } {
  const { mx, perturbations, alpha } = inp;
  const K = perturbations.length;
  const names = perturbations.map((c) => mx.conditions[c]);
  const perItemMeans = mx.models.map((_, m) => {
    const counts = robustCounts(mx, m, perturbations);
    return Float64Array.from(counts, (x) => x / K);
  });
  const scores = mx.models.map((_, m) =>
    robustScore(
      perturbations.map((c) => cellOutcomes(mx, m, c)),
      alpha,
    ),
  );
  const means = scores.map((s) => s.mean);
  const tests = pairwiseTests(perItemMeans, false, alpha);
  const table = rankTable(mx.models, means, tests, alpha);
  const worstRanks = competitionRanks(scores.map((s) => s.worst));
  const columns = mx.models.map((_, m) => inp.robustColumn(m));
  const rankCIs = inp.boot ? bootstrapRankIntervals(inp.boot, columns, alpha) : null;
  const bootCI = (m: number): Interval | null =>
    inp.boot && inp.boot.resamples > 0 ? percentileInterval(columnMeans(inp.boot, columns[m], mx.n * K), alpha) : null;

  const robust: RobustLeaderboard = {
    conditions: names,
    entries: byRank(table.ranks).map((m) => ({
      model: mx.models[m],
      mean: scores[m].mean,
      se: scores[m].se,
      millerSE: scores[m].millerSE,
      naiveSE: scores[m].naiveSE,
      ci: scores[m].ci,
      bootstrapCI: bootCI(m),
      worst: scores[m].worst,
      worstCondition: names[scores[m].worstIndex],
      worstRank: worstRanks[m],
      rank: table.ranks[m],
      rankCI: rankCIs ? rankCIs[m] : null,
      rankUpperBound: table.upperBounds[m],
      simultaneousRankCI: table.simultaneousRankCIs[m],
      group: table.groupOf[m],
      groups: table.groupsOf[m],
    })),
    tiedGroups: table.tiedGroups,
    splitPairs: table.splitPairs,
    comparisons: namedComparisons(mx.models, tests, alpha),
  };

  const baselineRanks = competitionRanks(inp.baselineAccuracy);
  const gaps = mx.models.map((_, m) => goodhartGap(cellOutcomes(mx, m, inp.baselineIndex), perItemMeans[m], alpha));
  const holm = holmAdjust(gaps.map((g) => g.pValue));
  const goodhartGapEntries = mx.models.map((model, m): GoodhartGapEntry => {
    const rankDifference = baselineRanks[m] - table.ranks[m];
    const g = gaps[m];
    return {
      model,
      baselineAccuracy: inp.baselineAccuracy[m],
      robustAccuracy: means[m],
      gap: g.meanDifference,
      se: g.se,
      ci: g.ci,
      pValue: g.pValue,
      holmP: holm[m],
      baselineRank: baselineRanks[m],
      robustRank: table.ranks[m],
      rankDifference,
      highOnlyUnderBaseline: holm[m] < alpha && g.meanDifference > 0 && rankDifference < 0,
    };
  });
  return { robust, goodhartGap: goodhartGapEntries };
}
