/**
 * The shape of analysis.json: everything the report draws, as plain JSON. Numbers that are
 * undefined for the data at hand (e.g. a correlation when every model is tied) are NaN in
 * memory and become null once written with JSON.stringify.
 */
import type { ConditionFactors, ConditionInfo } from '../core/results.js';
import type { AccuracyStats, Interval } from './accuracy.js';
import type { CircularEvalResult, RStdResult } from './bias.js';
import type { Conventions } from './conventions.js';
import type { VarianceNoise } from './factorNoise.js';
import type { FactorVariance } from './factorVariance.js';
import type { AgreementNoise, ConditionMovement } from './movement.js';
import type { RankAgreement, RankShiftSummary } from './rankShifts.js';
import type { PairTestKind } from './rankUncertainty.js';
import type { ConditionRole, ResolvedRole } from './roles.js';
import type { RStdNoise } from './rstdNoise.js';
import type { StressEffect } from './stress.js';

export interface AnalysisSettings {
  seed: number;
  bootstrap: number;
  /** Permutations of the noise floors (rank agreement, RStd). */
  permutations: number;
  alpha: number;
  confidence: number;
  clusterBySubject: boolean;
  baseline: string;
  /** Conditions averaged into the robust score (the same list as robustSet.conditions). */
  perturbations: string[];
  /** The robust set and where it came from: the conditions' roles, or analyze --robust. */
  robustSet: { conditions: string[]; source: 'roles' | 'option' };
  accuracyPolicy: 'strict';
  rankMethod: 'competition';
  /** How a cell's `ci` is computed: Wilson, or normal with the subject-clustered SE on request. */
  cellInterval: 'wilson' | 'normal-subject-clustered';
}

export interface ConditionSummary {
  name: string;
  scoring: ConditionInfo['scoring'];
  normalization: ConditionInfo['normalization'];
  factors: ConditionFactors;
  isBaseline: boolean;
  inRobustScore: boolean;
  role: ConditionRole;
  /** `study`: set by the study; `default`: from the perturbations and scoring. */
  roleSource: 'study' | 'default';
  roleReason: string;
}

/** Rank agreement of a condition with the baseline, its role and its noise floor. */
export interface BaselineAgreement extends RankAgreement {
  role: ConditionRole;
  noise: AgreementNoise;
}

/** A protocol condition: another way to publish the leaderboard, compared with the baseline. */
export interface AlternativeLeaderboard {
  condition: string;
  kendallTauB: number | null;
  kendallTauBNull: Interval | null;
  modelsMoved: number;
  modelsMovedBeyondNoise: number;
}

export interface CellStats extends AccuracyStats {
  model: string;
  condition: string;
  /** Items whose argmax was tied (broken by lowest position). */
  ties: number;
  /** The interval shown in tables (see settings.cellInterval). */
  ci: Interval;
}

/** A paired test between two models on the same items; difference = a − b. */
export interface PairComparison {
  a: string;
  b: string;
  meanDifference: number;
  se: number;
  ci: Interval;
  test: PairTestKind;
  pValue: number;
  /** Holm-adjusted over every pair of the same leaderboard. */
  holmP: number;
  significant: boolean;
  onlyA?: number;
  onlyB?: number;
}

export interface LeaderboardEntry {
  model: string;
  accuracy: number;
  ci: Interval;
  /** Competition rank, 1 = best. */
  rank: number;
  /** Percentile interval of the rank over paired item-bootstrap resamples (null without bootstrap). */
  rankCI: Interval | null;
  /** 1 + number of models significantly better (Holm-adjusted paired tests). */
  rankUpperBound: number;
  /** [1 + significantly better, models − significantly worse]: all models' intervals hold together (Holm). */
  simultaneousRankCI: Interval;
  /** 1-based index into `tiedGroups` of the best group holding the model. */
  group: number;
  /** Every group holding the model (groups overlap). */
  groups: number[];
}

export interface Leaderboard {
  condition: string;
  /** Best first. */
  entries: LeaderboardEntry[];
  /** Maximal sets of models no two of which the paired tests separate, best first; they may overlap. */
  tiedGroups: string[][];
  /** Pairs not separable that share no group (empty unless the groups were too many to list). */
  splitPairs: [string, string][];
}

export interface RobustEntry {
  model: string;
  /** Mean accuracy over the perturbation conditions. */
  mean: number;
  /** Clustered by item: sd(s_i)/sqrt(n). */
  se: number;
  millerSE: number;
  /** Item-conditions treated as independent; too small, for comparison only. */
  naiveSE: number;
  ci: Interval;
  bootstrapCI: Interval | null;
  worst: number;
  worstCondition: string;
  /** Competition rank by worst-case accuracy. */
  worstRank: number;
  rank: number;
  rankCI: Interval | null;
  rankUpperBound: number;
  simultaneousRankCI: Interval;
  group: number;
  groups: number[];
}

export interface RobustLeaderboard {
  conditions: string[];
  entries: RobustEntry[];
  tiedGroups: string[][];
  splitPairs: [string, string][];
  /** Paired z-tests on the per-item means s_i, Holm over all pairs. */
  comparisons: PairComparison[];
}

export interface GoodhartGapEntry {
  model: string;
  baselineAccuracy: number;
  robustAccuracy: number;
  /** baseline − robust, paired per item. */
  gap: number;
  se: number;
  ci: Interval;
  pValue: number;
  /** Holm-adjusted over the models. */
  holmP: number;
  baselineRank: number;
  robustRank: number;
  /** baselineRank − robustRank: negative when the model ranks lower on the robust leaderboard. */
  rankDifference: number;
  /** Gap significantly above 0 (Holm) and a lower robust rank: high only under the baseline. */
  highOnlyUnderBaseline: boolean;
}

export interface RStdCell extends RStdResult {
  model: string;
  condition: string;
  /** Only in analysis.json written by analyzeRun (noise floor, p-value, interval). */
  noise?: RStdNoise;
}

export interface PrideModelResult {
  model: string;
  /** Estimated prior over shown positions; null when no calibration item had complete scores. */
  prior: number[] | null;
  /** Calibration items with complete scores under every rotation. */
  priorItems: number;
  /** Held-out items of the target condition that were debiased. */
  n: number;
  originalAccuracy: number;
  debiasedAccuracy: number;
}

export interface PrideReport {
  /** The condition whose predictions are debiased (the baseline when it is a rotation). */
  target: string;
  /** Share of items used to estimate the prior (seeded choice). */
  calibrationShare: number;
  calibrationItems: number;
  perModel: PrideModelResult[];
}

export interface CircularReport {
  /** Conditions that are the cyclic rotations of one another. */
  conditions: string[];
  perModel: (CircularEvalResult & { model: string })[];
  /** Only for symbol scoring (it needs log P per symbol); null otherwise. */
  pride: PrideReport | null;
}

export interface Analysis {
  schemaVersion: 1;
  settings: AnalysisSettings;
  models: string[];
  conditions: ConditionSummary[];
  items: { n: number; incomplete: number; subjects: number };
  /** One per model × condition, condition-major in the order of `conditions`, then `models`. */
  cells: CellStats[];
  /** One per condition, in the order of `conditions`. */
  leaderboards: Leaderboard[];
  /** Every pair of models under the baseline. */
  baselineComparisons: PairComparison[];
  rankAgreement: { vsBaseline: BaselineAgreement[]; pairs: RankAgreement[] };
  rankShifts: RankShiftSummary & {
    /** Models in a pair whose order changed significantly under a condition of the robust set (Holm over pairs × all conditions). */
    modelsMovedBeyondNoise: number;
    /** Models whose rank differs from the baseline under a condition of the robust set, noise included. */
    modelsMovedInRobustSet: number;
    movedBeyondNoiseByCondition: Record<string, number>;
    orderChanges: ConditionMovement[];
  };
  /** Null when no condition is in the robust set. */
  robust: RobustLeaderboard | null;
  goodhartGap: GoodhartGapEntry[];
  /** Conditions with the role `protocol`, against the baseline. */
  alternativeLeaderboards: AlternativeLeaderboard[];
  /** Over `conditions`: the baseline, perturbation and protocol conditions. */
  factorVariance: FactorVariance & { conditions: string[]; noise: VarianceNoise };
  bias: { rstd: RStdCell[]; circular: CircularReport[]; stress: StressEffect[] };
  /** Conditions by role, and each condition's role with its source. */
  roles: {
    baseline: string;
    perturbation: string[];
    stress: string[];
    probe: string[];
    protocol: string[];
    perCondition: ResolvedRole[];
  };
  /** Strict accuracy beside the published random-fill convention. */
  conventions: Conventions;
  /** Statistics that cannot be computed from what the run has, and why. */
  notApplicable: { statistic: string; reason: string }[];
  /** Each statistic's null hypothesis in one sentence. */
  nulls: Record<string, string>;
  /** One-line definitions of the methods, for the report. */
  methods: Record<string, string>;
}
