import { z } from 'zod';
import { UserError } from '../core/errors.js';
import { benchmarkFormatRegistry } from './format.js';
import './formats.js';
import type { BenchmarkSpecInput, GauntletSpec, HfSpec, MmluSpec, TableSpec } from './spec-parts.js';
import { recipeRegistry } from './recipe.js';

export { fieldsSchema, limitSchema } from './spec-parts.js';
export type { BenchmarkSpecInput, GauntletSpec, HfSpec, MmluSpec, TableSpec } from './spec-parts.js';

/**
 * The `benchmark:` section of a study file: one schema per format (benchmarks/formats.ts).
 * Objects are strict so a misspelt key is an error instead of a silently ignored setting.
 */

/** Mappings of well-known datasets onto items, by name (built-ins: benchmarks/recipes.ts); kept current when one is registered later. */
export let RECIPE_NAMES: readonly string[] = recipeRegistry.names();
export type RecipeName = string;

/** A section of one of the built-in formats (a registered format's spec is its own schema's output). */
export type BenchmarkSpec = MmluSpec | GauntletSpec | TableSpec | HfSpec;

const buildBenchmarkSpecSchema = () =>
  z.discriminatedUnion(
    'format',
    benchmarkFormatRegistry.all().map((f) => f.schema()) as unknown as [z.ZodObject, ...z.ZodObject[]],
  ) as unknown as z.ZodType<BenchmarkSpec, BenchmarkSpecInput>;

/** The `benchmark:` section; rebuilt when a format or recipe is registered later. */
export let benchmarkSpecSchema = buildBenchmarkSpecSchema();
const rebuild = () => {
  RECIPE_NAMES = recipeRegistry.names();
  benchmarkSpecSchema = buildBenchmarkSpecSchema();
};
recipeRegistry.onChange(rebuild);
benchmarkFormatRegistry.onChange(rebuild);

/** A Hub dataset spec (`format: hf`, or no format with a recipe). */
export function isHfSpec(spec: BenchmarkSpec): spec is HfSpec {
  return spec.format === undefined || spec.format === 'hf';
}
export type { FieldsSpec, LimitSpec } from './spec-parts.js';

/** Validate a raw `benchmark:` section, reporting the first problem at its key path. */
export function parseBenchmarkSpec(raw: unknown, keyPath = 'benchmark'): BenchmarkSpec {
  const parsed = benchmarkSpecSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = [keyPath, ...issue.path.map(String)].join('.');
  const extra = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem(s))` : '';
  throw new UserError(issue.message + extra, where);
}
