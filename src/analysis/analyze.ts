/**
 * One call from the per-item results of a run to every statistic of the report (analysis.json):
 * per-cell accuracies with intervals, per-condition leaderboards with rank uncertainty, rank
 * agreement and shifts between conditions, the robust leaderboard and Goodhart gap, the share of
 * variance per grid factor, and position-bias measures. Deterministic given `seed`.
 */
import { UserError } from '../core/errors.js';
import type { ConditionInfo, ItemResult } from '../core/results.js';
import { seedFrom } from '../core/rng.js';
import type { Analysis, ConditionSummary } from './analysisTypes.js';
import { buildCells, cellColumn, conditionLeaderboards } from './conditionLeaderboards.js';
import { varianceNoise } from './factorNoise.js';
import { FACTOR_NAMES, factorVariance } from './factorVariance.js';
import { agreementNoise, orderChanges } from './movement.js';
import { NULLS } from './nulls.js';
import { conditionRoles, conditionsWithRole, type ResolvedRole } from './roles.js';
import { pairedBootstrapSums, type BootstrapColumn } from './pairedBootstrap.js';
import { rankAgreement, rankShifts } from './rankShifts.js';
import { buildResultMatrix, cellOutcomes } from './resultMatrix.js';
import { robustAnalysis, robustCounts } from './robustLeaderboard.js';
import { computeStatistics } from './statistic.js';
import './statistics.js';

export { formatAnalysisTables } from './formatTables.js';
export type { Analysis } from './analysisTypes.js';

export interface AnalysisInput {
  items: ItemResult[];
  conditions: ConditionInfo[];
  baseline: string;
  /** Models to include, in display order; default: every model in `items`, in order of appearance. */
  models?: string[];
}

export interface AnalysisOptions {
  seed: number;
  /** Paired bootstrap resamples over items (default 1000; 0 skips bootstrap intervals). */
  bootstrap?: number;
  /** 1 − confidence level of every interval and the family-wise level of every test (default 0.05). */
  alpha?: number;
  /** Also report SEs clustered by subject and use them for cell intervals (default false). */
  clusterBySubject?: boolean;
  /** Conditions averaged into the robust score (default: the conditions whose role is `perturbation`). */
  robust?: string[];
  /** Permutations for the noise floors of rank agreement and RStd (default: `bootstrap`; 0 skips them). */
  permutations?: number;
  /** Sets of conditions that are cyclic rotations of each other (default: detected from the data). */
  circularGroups?: string[][];
  /** Share of items used to estimate the PriDe prior (default 0.05). */
  prideShare?: number;
}

export const METHODS: Record<string, string> = {
  accuracy:
    'Strict policy: an unscored item counts as not correct; unscored items are counted separately. Only items with a result for every model under every condition are used, so every comparison is paired.',
  cellSE:
    'Item-level SE sqrt(p(1-p)/n); stratified SE by subject n^-2 sum_h n_h p_h(1-p_h) (never larger); subject-clustered SE (Miller 2024) only on request.',
  cellInterval: 'Wilson score interval; percentile bootstrap over items from the shared paired bootstrap.',
  ranks: 'Competition ranks: 1 + number of models with a strictly higher score (ties share the best rank).',
  rankCI:
    'Percentile interval of the rank over paired bootstrap resamples of item ids (every model keeps its results on the drawn items).',
  rankUpperBound:
    '1 + number of models significantly better: McNemar exact test (0/1 outcomes) or paired z-test (robust scores), Holm-adjusted over all pairs of the leaderboard.',
  tiedGroups:
    'Maximal sets of models no two of which are separable by the same Holm-adjusted tests; every pair in a group is not separable and every non-separable pair shares a group, so groups may overlap.',
  simultaneousRankCI:
    '[1 + models significantly better, models − models significantly worse] from the Holm-adjusted pairwise tests: all intervals hold together with probability ≥ 1 − alpha.',
  roles:
    'Each condition is baseline, perturbation (form, not content), stress (exploits a bias), probe or protocol (another scoring method); the study may set it, analyze --robust names the robust set.',
  rankAgreementNoise:
    "Null range of tau-b and rho from paired permutations that swap the two conditions' outcomes of an item for every model at once; interval from the paired bootstrap.",
  movedBeyondNoise:
    'A pair of models changes order for real when the change in their paired difference, D_i = (a_c - b_c)_i - (a_base - b_base)_i, is non-zero by a z-test (Holm over every pair x condition) and their order differs; a model moved beyond noise when it is in such a pair.',
  factorVarianceNoise:
    'Expected sum of squares from sampling noise tr(Q Sigma) = sum_i SS(x_i - mean)/(n(n-1)) is subtracted; basic bootstrap interval [2 SS - q_hi, 2 SS - q_lo] cut at 0, divided by the within-model SS.',
  rstdNoise:
    'Null: gold positions assigned to items at random (permutation of outcomes); floor = 1 - alpha quantile; Holm over cells; interval by a bootstrap stratified by gold position.',
  rankAgreement:
    'Kendall tau-b (tie-corrected), tau_k = (tau + 1)/2, Spearman rho on average ranks, computed on accuracies across models.',
  robust:
    'Mean accuracy over the conditions whose role is perturbation (or those given to analyze --robust); SE clustered by item, sd(s_i)/sqrt(n) with s_i the item mean over conditions; worst case = lowest per-condition accuracy.',
  goodhartGap:
    'Baseline accuracy minus robust accuracy, paired per item (d_i = baseline outcome_i - s_i); flagged when Holm-adjusted p < alpha, the gap is positive and the robust rank is lower.',
  factorVariance:
    "Over the baseline, perturbation and protocol conditions (not stress or probes), on the model x condition accuracy table after removing each model's mean: main share = sum over levels of cells x (level mean residual)^2 / within-model sum of squares; the factor x model share adds how differently models react to the levels.",
  rstd: 'Population std over shown answer positions of the accuracy on items whose gold is at that position (accuracy units).',
  circularEval:
    'Per-rotation accuracy; perf = right under every rotation; moreK[k-1] = right under at least k rotations.',
  pride:
    'Prior = mean over a seeded share of items of softmax(mean over rotations of log P(symbol per position)); debiased prediction = argmax(log P - log prior), scored on the held-out items of the target condition.',
};

function indexOfCondition(names: readonly string[], name: string, what: string): number {
  const k = names.indexOf(name);
  if (k < 0) throw new UserError(`${what} "${name}" is not one of the conditions (${names.join(', ')})`);
  return k;
}

/** Models with results under the known conditions, in order of first appearance. */
function modelsInOrder(results: readonly ItemResult[], conditions: ReadonlySet<string>): string[] {
  const seen = new Set<string>();
  let last = '';
  for (const r of results) {
    if (r.model === last || !conditions.has(r.condition)) continue;
    seen.add(r.model);
    last = r.model;
  }
  return [...seen];
}

/** For an error message: the models and conditions that have no result at all. */
function missingCells(
  results: readonly ItemResult[],
  models: readonly string[],
  conditions: readonly string[],
): string {
  const seenModels = new Set(results.map((r) => r.model));
  const seenConditions = new Set(results.map((r) => r.condition));
  const absent = [...models.filter((m) => !seenModels.has(m)), ...conditions.filter((c) => !seenConditions.has(c))];
  return absent.length > 0 ? ` (no results at all for: ${absent.join(', ')})` : '';
}

export function analyzeRun(input: AnalysisInput, opts: AnalysisOptions): Analysis {
  const alpha = opts.alpha ?? 0.05;
  const resamples = opts.bootstrap ?? 1000;
  if (!(alpha > 0 && alpha < 1)) throw new UserError(`alpha must be between 0 and 1, got ${alpha}`);
  if (!Number.isInteger(resamples) || resamples < 0)
    throw new UserError(`bootstrap must be a whole number ≥ 0, got ${resamples}`);
  const clusterBySubject = opts.clusterBySubject ?? false;
  const infos = input.conditions;
  const conditionNames = infos.map((c) => c.name);
  if (new Set(conditionNames).size !== conditionNames.length) throw new UserError('condition names must be unique');
  const baselineIndex = indexOfCondition(conditionNames, input.baseline, 'baseline');
  const known = new Set(conditionNames);
  const models = input.models ?? modelsInOrder(input.items, known);
  if (models.length === 0) throw new UserError('no model has results for these conditions');

  const mx = buildResultMatrix(input.items, models, conditionNames);
  if (mx.n === 0)
    throw new UserError(
      `no item has a result for every model under every condition${missingCells(input.items, models, conditionNames)}`,
    );
  const roles = conditionRoles(infos, input.baseline);
  const robustSource = opts.robust ? 'option' : 'roles';
  const perturbations = (opts.robust ?? conditionsWithRole(roles, 'perturbation')).map((name) =>
    indexOfCondition(conditionNames, name, 'robust-set condition'),
  );
  if (perturbations.includes(baselineIndex))
    throw new UserError(`the robust set cannot hold the baseline "${input.baseline}"`);
  const permutations = opts.permutations ?? resamples;
  if (!Number.isInteger(permutations) || permutations < 0)
    throw new UserError(`permutations must be a whole number ≥ 0, got ${permutations}`);
  const K = perturbations.length;
  const M = models.length;
  const C = conditionNames.length;

  // One paired bootstrap for everything: the cells first (model-major), then robust counts.
  const columns: BootstrapColumn[] = [];
  for (let m = 0; m < M; m++) for (let c = 0; c < C; c++) columns.push({ values: cellOutcomes(mx, m, c), max: 1 });
  if (K > 0) for (let m = 0; m < M; m++) columns.push({ values: robustCounts(mx, m, perturbations), max: K });
  const boot =
    resamples > 0 ? pairedBootstrapSums(columns, mx.n, resamples, seedFrom(opts.seed, 'paired-bootstrap')) : null;

  const cells = buildCells(mx, boot, { alpha, clusterBySubject });
  const { leaderboards, baselineComparisons } = conditionLeaderboards(mx, cells, boot, baselineIndex, alpha);
  const accuracy = conditionNames.map((_, c) => cells.slice(c * M, (c + 1) * M).map((cell) => cell.accuracy));
  const robustPart =
    K > 0
      ? robustAnalysis({
          mx,
          perturbations,
          baselineIndex,
          alpha,
          boot,
          baselineAccuracy: accuracy[baselineIndex],
          robustColumn: (m) => M * C + m,
        })
      : null;

  const inRobust = new Set(perturbations);
  const conditions = infos.map((c, k): ConditionSummary => ({
    name: c.name,
    scoring: c.scoring,
    normalization: c.normalization,
    factors: c.factors,
    isBaseline: k === baselineIndex,
    inRobustScore: inRobust.has(k),
    role: roles[k].role,
    roleSource: roles[k].source,
    roleReason: roles[k].reason,
  }));
  const circularGroups = opts.circularGroups?.map((g) =>
    g.map((name) => indexOfCondition(conditionNames, name, 'circular group condition')),
  );
  const noiseSeed = seedFrom(opts.seed, 'noise');
  const column = (m: number, c: number) => cellColumn(mx, m, c);
  const agreement = rankAgreement(conditionNames, accuracy, baselineIndex);
  const roleOf = new Map(roles.map((r) => [r.condition, r.role]));
  const vsBaseline = agreement.vsBaseline.map((r) => ({
    ...r,
    role: roleOf.get(r.b)!,
    noise: agreementNoise(mx, baselineIndex, conditionNames.indexOf(r.b), {
      permutations,
      seed: noiseSeed,
      alpha,
      boot,
      cellColumn: column,
    }),
  }));
  const movement = orderChanges(mx, baselineIndex, alpha, new Set(perturbations));
  const shifts = rankShifts(models, conditionNames, accuracy, baselineIndex);
  // Ways of measuring, not probes or bias exploits: a choices-only probe would count as the standard level of every factor.
  const varied = roles.flatMap((r, k) => (r.role === 'stress' || r.role === 'probe' ? [] : [k]));
  const notApplicable: Analysis['notApplicable'] = [];
  if (K === 0)
    notApplicable.push({
      statistic: 'robust',
      reason: 'no condition has the role "perturbation" (set role: perturbation, or analyze --robust a,b)',
    });
  if (C === 1)
    notApplicable.push({
      statistic: 'rank agreement, rank shifts, moved beyond noise',
      reason: 'the run has one condition: nothing to compare the baseline with',
    });
  if (varied.every((c) => FACTOR_NAMES.every((f) => infos[c].factors[f] === infos[varied[0]].factors[f]))) {
    notApplicable.push({ statistic: 'factorVariance', reason: 'every condition has the same level of every factor' });
  } else if (C > 1 && infos.some((c) => c.factors.order === 'as imported')) {
    notApplicable.push({
      statistic: 'factorVariance (factors other than --factor)',
      reason: 'imported conditions differ in one declared factor only',
    });
  }
  if (permutations === 0) notApplicable.push({ statistic: 'noise floors', reason: 'permutations set to 0' });
  if (resamples === 0) notApplicable.push({ statistic: 'bootstrap intervals', reason: 'bootstrap set to 0' });
  const registered = computeStatistics({
    mx,
    items: input.items,
    conditions: infos,
    baselineIndex,
    roles,
    seed: opts.seed,
    alpha,
    permutations,
    prideShare: opts.prideShare,
    circularGroups,
  });
  notApplicable.push(...registered.notApplicable);

  const analysis: Omit<Analysis, 'bias' | 'conventions'> = {
    schemaVersion: 1,
    settings: {
      seed: opts.seed,
      bootstrap: resamples,
      permutations,
      alpha,
      confidence: 1 - alpha,
      clusterBySubject,
      baseline: input.baseline,
      perturbations: perturbations.map((c) => conditionNames[c]),
      robustSet: { conditions: perturbations.map((c) => conditionNames[c]), source: robustSource },
      accuracyPolicy: 'strict',
      rankMethod: 'competition',
      cellInterval: clusterBySubject && mx.subjectOfItem ? 'normal-subject-clustered' : 'wilson',
    },
    models: [...models],
    conditions,
    roles: rolesByKind(roles),
    items: { n: mx.n, incomplete: mx.incompleteItems, subjects: mx.subjects.length },
    cells,
    leaderboards,
    baselineComparisons,
    rankAgreement: { vsBaseline, pairs: agreement.pairs },
    rankShifts: {
      ...shifts,
      modelsMovedBeyondNoise: movement.modelsMovedBeyondNoise,
      modelsMovedInRobustSet: movement.modelsMoved,
      movedBeyondNoiseByCondition: Object.fromEntries(
        movement.perCondition.map((p) => [p.condition, p.modelsMovedBeyondNoise]),
      ),
      orderChanges: movement.perCondition,
    },
    robust: robustPart ? robustPart.robust : null,
    goodhartGap: robustPart ? robustPart.goodhartGap : [],
    alternativeLeaderboards: vsBaseline
      .filter((r) => r.role === 'protocol')
      .map((r) => ({
        condition: r.b,
        kendallTauB: r.kendallTauB,
        kendallTauBNull: r.noise.kendallTauBNull,
        modelsMoved: shifts.movedByCondition[r.b],
        modelsMovedBeyondNoise: movement.perCondition.find((p) => p.condition === r.b)?.modelsMovedBeyondNoise ?? 0,
      })),
    factorVariance: {
      conditions: varied.map((c) => conditionNames[c]),
      ...factorVariance(
        varied.map((c) => accuracy[c]),
        varied.map((c) => infos[c].factors),
      ),
      noise: varianceNoise(
        mx,
        varied,
        varied.map((c) => infos[c].factors),
        { boot, cellColumn: column, alpha },
      ),
    },
    notApplicable,
    nulls: { ...NULLS },
    methods: { ...METHODS, ...registered.methods },
  };
  // The statistics declared with defineStatistic follow the built-in ones, before the notes.
  const { notApplicable: notes, nulls, methods, ...statistics } = analysis;
  return { ...statistics, ...registered.results, notApplicable: notes, nulls, methods } as Analysis;
}

function rolesByKind(roles: readonly ResolvedRole[]): Analysis['roles'] {
  return {
    baseline: conditionsWithRole(roles, 'baseline')[0],
    perturbation: conditionsWithRole(roles, 'perturbation'),
    stress: conditionsWithRole(roles, 'stress'),
    probe: conditionsWithRole(roles, 'probe'),
    protocol: conditionsWithRole(roles, 'protocol'),
    perCondition: roles.map((r) => ({ ...r })),
  };
}
