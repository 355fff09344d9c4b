/**
 * goodhart as a library: load a study, run it into a result store, analyze the results and write
 * the report — what the `goodhart` command does, without printing or exiting. See docs/api.md.
 *
 * ```ts
 * import { loadStudy, runStudy, analyzeRun, writeReport } from 'goodhart';
 * const result = await runStudy(loadStudy('study.yaml'), { store: 'results.sqlite', out: 'runs/study' });
 * const { analysis } = analyzeRun('runs/study');
 * await writeReport('runs/study');
 * ```
 *
 * Errors the user can act on (bad study file, unreadable benchmark, a full disk) are `UserError`s
 * whose message names the file, line, key or endpoint.
 * @packageDocumentation
 */
export { loadStudy } from './study/load.js';
export { runStudy, StudyInterrupted, type ProgressEvent, type RunResult, type RunStudyOptions } from './api/run.js';
export { analyzeRun, type AnalyzeOptions, type AnalyzeResult, type RunData } from './api/analyze.js';
export {
  importLmEval,
  importOutputs,
  type ImportLmEvalOptions,
  type ImportLmEvalResult,
  type ImportOptions,
  type ImportOutputsOptions,
  type ImportOutputsResult,
} from './api/imports.js';

// writeReport(dir, { maxItems, compare }): report.html (self-contained) and report.md in a run folder.
export { writeReport, type ReportOptions } from './report/index.js';

// openStore(location): a SQLite file or a postgres:// URL, for `runStudy`'s `store` (the caller closes it).
export { openStore } from './store/open.js';
export type { ResultStore } from './store/store.js';

export { NoSpaceError, UserError } from './core/errors.js';
export { VERSION } from './core/version.js';

// Public types of studies, results and analyses.
export type { Study, Condition } from './study/load.js';
export type { StudySpec, ModelSpec, ConditionSpec } from './study/schema.js';
export type { RunSummary } from './output/run-dir.js';
export type { CellSummary, ConditionFactors, ConditionInfo, ItemResult } from './core/results.js';
export type { Capabilities, Item, Model, ModelIdentity } from './core/types.js';
export type { RequestCounts } from './engine/run.js';
export type { Analysis } from './analysis/index.js';
export type { MinKScores, Probes } from './probes/index.js';

// ---- Extension registries ----------------------------------------------------------------------
// The registration functions (docs/extending.md), beside the backends' capabilities and the perturbations.
export {
  defineBackend,
  definePerturbation,
  defineBenchmarkFormat,
  defineRecipe,
  defineStatistic,
  defineReportSection,
  defineTemplate,
  defineSymbolSet,
  type BackendDefinition,
  type BackendSpec,
  type BenchmarkFormatDefinition,
  type FormatContext,
  type Recipe,
  type ReportSectionDefinition,
  type StatisticDefinition,
  type StatisticInput,
  type SymbolSet,
  type Template,
} from './registry.js';
export { backendCapabilities, createModel, type ModelContext } from './models/registry.js';
export { PERTURBATION_NAMES, perturbationDefinition, type PerturbationDefinition } from './perturbations/registry.js';
