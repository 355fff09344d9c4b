/** Public API of the statistics: one call for a run, and the building blocks it is made of. */
export { analyzeRun, formatAnalysisTables, METHODS, type AnalysisInput, type AnalysisOptions } from './analyze.js';
export type * from './analysisTypes.js';
export {
  accuracyStats,
  bootstrapAccuracyInterval,
  clusteredSE,
  normalInterval,
  proportionSE,
  strictOutcomes,
  stratifiedSE,
  wilsonInterval,
  type AccuracyOptions,
  type AccuracyStats,
  type Interval,
} from './accuracy.js';
export {
  compareBinaryPair,
  holmAdjust,
  mcnemarExact,
  pairedDifference,
  type BinaryPairComparison,
  type PairedDifference,
} from './paired.js';
export { averageRanks, competitionRanks, kendallTauB, pearson, spearmanRho, tauK } from './rankCorrelation.js';
export {
  rankAgreement,
  rankShifts,
  type ModelRankShift,
  type RankAgreement,
  type RankShiftSummary,
} from './rankShifts.js';
export {
  bootstrapRankIntervals,
  pairwiseTests,
  rankUpperBounds,
  significantlyBetter,
  simultaneousRankIntervals,
  tiedGroups,
  type PairTest,
  type PairTestKind,
} from './rankUncertainty.js';
export {
  CONDITION_ROLES,
  conditionRoles,
  conditionsWithRole,
  defaultRole,
  parseConditionList,
  type ConditionRole,
  type ResolvedRole,
} from './roles.js';
export {
  agreementNoise,
  orderChanges,
  type AgreementNoise,
  type ConditionMovement,
  type OrderChange,
} from './movement.js';
export { varianceNoise, type FactorNoise, type VarianceNoise } from './factorNoise.js';
export { rstdNoise, type RStdNoise } from './rstdNoise.js';
export { conventions, type ConventionComparison, type ConventionModel, type Conventions } from './conventions.js';
export { stressEffects, type StressEffect } from './stress.js';
export { NULLS } from './nulls.js';
export { columnMeans, pairedBootstrapSums, type BootstrapColumn, type BootstrapSums } from './pairedBootstrap.js';
export {
  argmaxScore,
  circularEval,
  prideDebias,
  pridePrior,
  rstd,
  type CircularEvalResult,
  type PrideAccuracy,
  type RStdResult,
  type SymbolScores,
} from './bias.js';
export { detectCircularGroups } from './circularGroups.js';
export { correctCounts, goodhartGap, robustScore, type RobustScore } from './robust.js';
export {
  FACTOR_NAMES,
  factorVariance,
  type FactorLevelEffect,
  type FactorShare,
  type FactorVariance,
} from './factorVariance.js';
export { buildResultMatrix, cellOutcomes, type ResultMatrix } from './resultMatrix.js';
export { simulateRun, type SimulatedRun, type SimulationSpec } from './simulate.js';
export { designLeaderboard, designRoles, type Design, type DesignOptions, type DesignRole } from './design.js';
export { formatDesign } from './formatDesign.js';
