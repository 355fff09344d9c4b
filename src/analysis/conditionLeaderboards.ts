/**
 * Per model × condition accuracy cells and, per condition, the leaderboard with its rank
 * uncertainty: rank intervals from the shared paired bootstrap, rank upper bounds and tied
 * groups from Holm-adjusted McNemar exact tests between every pair of models.
 */
import { accuracyStats, normalInterval, type Interval } from './accuracy.js';
import type { CellStats, Leaderboard, PairComparison } from './analysisTypes.js';
import { percentileInterval } from '../core/distributions.js';
import { columnMeans, type BootstrapSums } from './pairedBootstrap.js';
import { competitionRanks } from './rankCorrelation.js';
import {
  bootstrapRankIntervals,
  pairwiseTests,
  rankUpperBounds,
  significantlyBetter,
  simultaneousRankIntervals,
  tiedGroups,
  type PairTest,
} from './rankUncertainty.js';
import { cellOffset, cellOutcomes, cellUnscored, type ResultMatrix } from './resultMatrix.js';

/** Bootstrap column of cell (m, c) in the shared bootstrap (cells come first, model-major). */
export function cellColumn(mx: ResultMatrix, m: number, c: number): number {
  return m * mx.conditions.length + c;
}

export function buildCells(
  mx: ResultMatrix,
  boot: BootstrapSums | null,
  opts: { alpha: number; clusterBySubject: boolean },
): CellStats[] {
  const cells: CellStats[] = [];
  mx.conditions.forEach((condition, c) => {
    mx.models.forEach((model, m) => {
      const stats = accuracyStats(cellOutcomes(mx, m, c), cellUnscored(mx, m, c), {
        alpha: opts.alpha,
        subjects: mx.subjectOfItem ?? undefined,
        clusterBySubject: opts.clusterBySubject,
      });
      if (boot && boot.resamples > 0) {
        stats.bootstrap = percentileInterval(columnMeans(boot, cellColumn(mx, m, c), mx.n), opts.alpha);
      }
      let ties = 0;
      const offset = cellOffset(mx, m, c);
      for (let i = 0; i < mx.n; i++) ties += mx.tie[offset + i];
      const ci =
        opts.clusterBySubject && stats.subjectClusteredSE !== null
          ? normalInterval(stats.accuracy, stats.subjectClusteredSE, opts.alpha)
          : stats.wilson;
      cells.push({ model, condition, ...stats, ties, ci });
    });
  });
  return cells;
}

export interface RankTable {
  ranks: number[];
  upperBounds: number[];
  simultaneousRankCIs: Interval[];
  /** 1-based first (best) group per model, and every group it is in. */
  groupOf: number[];
  groupsOf: number[][];
  tiedGroups: string[][];
  /** Pairs not separable that share no group (only when there were too many groups to list). */
  splitPairs: [string, string][];
}

/** Ranks, upper bounds, simultaneous rank intervals and tied groups of one leaderboard. */
export function rankTable(
  models: readonly string[],
  scores: readonly number[],
  tests: readonly PairTest[],
  alpha: number,
): RankTable {
  const m = models.length;
  const better = significantlyBetter(tests, m, alpha);
  const groups = tiedGroups(scores, better);
  const groupsOf = models.map(() => [] as number[]);
  groups.forEach((g, k) => g.forEach((i) => groupsOf[i].push(k + 1)));
  const splitPairs: [string, string][] = [];
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      if (better[i * m + j] || better[j * m + i]) continue;
      if (!groupsOf[i].some((g) => groupsOf[j].includes(g))) splitPairs.push([models[i], models[j]]);
    }
  }
  return {
    ranks: competitionRanks(scores),
    upperBounds: rankUpperBounds(better, m),
    simultaneousRankCIs: simultaneousRankIntervals(better, m),
    groupOf: groupsOf.map((g) => g[0] ?? 0),
    groupsOf,
    tiedGroups: groups.map((g) => g.map((i) => models[i])),
    splitPairs,
  };
}

export function namedComparisons(
  models: readonly string[],
  tests: readonly PairTest[],
  alpha: number,
): PairComparison[] {
  return tests.map(({ a, b, ...t }) => ({ a: models[a], b: models[b], ...t, significant: t.holmP < alpha }));
}

/** Order of models for display: by rank, then by the input order. */
export function byRank(ranks: readonly number[]): number[] {
  return ranks.map((_, i) => i).sort((i, j) => ranks[i] - ranks[j] || i - j);
}

export function conditionLeaderboards(
  mx: ResultMatrix,
  cells: readonly CellStats[],
  boot: BootstrapSums | null,
  baselineIndex: number,
  alpha: number,
): { leaderboards: Leaderboard[]; baselineComparisons: PairComparison[] } {
  const M = mx.models.length;
  let baselineComparisons: PairComparison[] = [];
  const leaderboards = mx.conditions.map((condition, c): Leaderboard => {
    const outcomes = mx.models.map((_, m) => cellOutcomes(mx, m, c));
    const tests = pairwiseTests(outcomes, true, alpha);
    if (c === baselineIndex) baselineComparisons = namedComparisons(mx.models, tests, alpha);
    const rowCells = cells.slice(c * M, (c + 1) * M);
    const scores = rowCells.map((cell) => cell.accuracy);
    const table = rankTable(mx.models, scores, tests, alpha);
    const rankCIs: Interval[] | null = boot
      ? bootstrapRankIntervals(
          boot,
          mx.models.map((_, m) => cellColumn(mx, m, c)),
          alpha,
        )
      : null;
    return {
      condition,
      entries: byRank(table.ranks).map((m) => ({
        model: mx.models[m],
        accuracy: scores[m],
        ci: rowCells[m].ci,
        rank: table.ranks[m],
        rankCI: rankCIs ? rankCIs[m] : null,
        rankUpperBound: table.upperBounds[m],
        simultaneousRankCI: table.simultaneousRankCIs[m],
        group: table.groupOf[m],
        groups: table.groupsOf[m],
      })),
      tiedGroups: table.tiedGroups,
      splitPairs: table.splitPairs,
    };
  });
  return { leaderboards, baselineComparisons };
}
