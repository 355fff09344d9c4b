/**
 * Extension points: each kind of piece is declared by one `define*` call in its own file and
 * registered by name. The study schema, the JSON Schema, the factor lists and the messages are
 * built from these registries (see docs/extending.md).
 */
export { Registry } from './core/registry.js';
export { GRID_FACTORS, type GridFactor } from './core/factors.js';
export type { Capabilities, Item, Model, Outcome, Request, RequestResult } from './core/types.js';

export {
  defineBackend,
  backendRegistry,
  type BackendDefinition,
  type BackendSpec,
  type ModelContext,
  type ModelSpec,
} from './models/backend.js';
export { createModel } from './models/registry.js';

export {
  definePerturbation,
  perturbationRegistry,
  type Factor,
  type PerturbationDefinition,
} from './perturbations/definition.js';
export { defineTemplate, templateRegistry, type Template } from './perturbations/templates.js';
export { defineSymbolSet, symbolSetRegistry, type SymbolSet } from './perturbations/symbols.js';
export { reorderTexts, type PerturbationContext, type PerturbedPresentation } from './perturbations/presentation.js';

export {
  defineBenchmarkFormat,
  benchmarkFormatRegistry,
  type BenchmarkFormatDefinition,
  type FormatContext,
} from './benchmarks/format.js';
export type { FormatLoad } from './benchmarks/rows.js';
export {
  defineRecipe,
  recipeRegistry,
  type ItemDraft,
  type Recipe,
  type RowContext,
  type RowMapper,
} from './benchmarks/recipe.js';

export {
  defineStatistic,
  statisticRegistry,
  type StatisticDefinition,
  type StatisticInput,
} from './analysis/statistic.js';
export { cellOutcomes, type ResultMatrix } from './analysis/resultMatrix.js';
export { defineReportSection, reportSectionRegistry, type ReportSectionDefinition } from './report/section.js';
export { escapeHtml, escapeMarkdownCell } from './report/escape.js';
export { markdownTable } from './report/markdown.js';
export { htmlTable } from './report/html/table.js';
