import { z } from 'zod';
import { UserError } from '../core/errors.js';
import { recipeRegistry } from './recipe.js';
import './recipes.js';

/**
 * The `benchmark:` section of a study file. Objects are strict so a misspelt key is an
 * error instead of a silently ignored setting.
 */

const pathSchema = z.string().min(1, 'path must not be empty');
const fieldNameSchema = z.string().min(1, 'field name must not be empty');
const onBadRowSchema = z.enum(['error', 'skip']).default('error');

export const limitSchema = z
  .object({
    /** At most this many items per subject (applied first). */
    perSubject: z.number().int().positive().optional(),
    /** At most this many items overall (applied after perSubject). */
    total: z.number().int().positive().optional(),
    seed: z.number().int().default(0),
  })
  .strict();

const mmluSpecSchema = z
  .object({
    format: z.literal('mmlu'),
    /** Folder holding dev/, val/ and test/ (or a folder whose data/ holds them). */
    path: pathSchema,
    split: z.enum(['test', 'val', 'dev']).default('test'),
    fewshotSplit: z.enum(['dev', 'val', 'test']).default('dev'),
    subjects: z.array(z.string().min(1)).min(1).optional(),
    limit: limitSchema.optional(),
    onBadRow: onBadRowSchema,
  })
  .strict();

const gauntletSpecSchema = z
  .object({
    format: z.literal('gauntlet'),
    path: pathSchema.refine((p) => p.toLowerCase().endsWith('.jsonl'), 'gauntlet path must be a .jsonl file'),
    /** Defaults to the file's basename (e.g. `arc_challenge`). */
    subject: z.string().min(1).optional(),
    limit: limitSchema.optional(),
    onBadRow: onBadRowSchema,
  })
  .strict();

export const fieldsSchema = z
  .object({
    id: fieldNameSchema.optional(),
    question: fieldNameSchema,
    /** One field holding an array of choices, or several fields holding one choice each. */
    choices: z.union([fieldNameSchema, z.array(fieldNameSchema).min(2, 'list at least 2 choice fields')]),
    answer: fieldNameSchema,
    subject: fieldNameSchema.optional(),
  })
  .strict();

const tableSpecShape = {
  path: pathSchema,
  fields: fieldsSchema,
  /** index: 0-based integer; letter: A, B, ...; text: equal to one of the choices. */
  answerFormat: z.enum(['index', 'letter', 'text']).default('index'),
  /** A file of the same shape whose rows form the few-shot pool. */
  fewshotPath: pathSchema.optional(),
  limit: limitSchema.optional(),
  onBadRow: onBadRowSchema,
};

const jsonlSpecSchema = z.object({ format: z.literal('jsonl'), ...tableSpecShape }).strict();

const csvSpecSchema = z
  .object({
    format: z.literal('csv'),
    ...tableSpecShape,
    /** Without a header, fields name columns by 0-based position: "0", "1", ... */
    header: z.boolean().default(true),
  })
  .strict();

/** Mappings of well-known datasets onto items, by name (built-ins: benchmarks/recipes.ts); kept current when one is registered later. */
export let RECIPE_NAMES: readonly string[] = recipeRegistry.names();
export type RecipeName = string;

/**
 * A Hugging Face dataset (`format: hf`, which may be left out when `recipe` is given): by
 * reference (`dataset: hf://datasets/<owner>/<name>`, downloaded into the cache) or from a local
 * folder or file (`path`). A recipe knows a dataset's fields, default config and split; without
 * one, `fields` maps the rows.
 */
const hfSpecSchema = () => z
  .object({
    format: z.literal('hf').optional(),
    recipe: z.enum(RECIPE_NAMES as [string, ...string[]]).optional(),
    /** hf://datasets/<owner>/<name>[@<revision>]; default: the recipe's dataset. */
    dataset: z.string().regex(/^(hf:\/\/datasets\/)?[\w.-]+\/[\w.-]+(@\S+)?$/, 'expected hf://datasets/<owner>/<name>').optional(),
    /** A local folder in the Hub's layout, a data file, or a format the recipe reads (instead of `dataset`). */
    path: pathSchema.optional(),
    /** Branch, tag or commit of `dataset` (default main). */
    revision: z.string().min(1).optional(),
    /** Dataset config (subset); `*` for every config. Default: the recipe's, else `default`. */
    config: z.string().min(1).optional(),
    /** Default: the recipe's (e.g. test), else test. */
    split: z.string().min(1).optional(),
    /** Split whose items form the few-shot pool; false for none. Default: the recipe's. */
    fewshotSplit: z.union([z.string().min(1), z.literal(false)]).optional(),
    /** Subjects (MMLU subjects, MMLU-Pro categories, KMMLU configs; or values of fields.subject). */
    subjects: z.array(z.string().min(1)).min(1).optional(),
    /** Row fields; a name may reach into a nested value with dots (`choices.text`). */
    fields: fieldsSchema.optional(),
    /** With `fields`: index (0-based), index1 (1-based), letter (A, B, ...) or text. */
    answerFormat: z.enum(['index', 'index1', 'letter', 'text']).default('index'),
    /** Files of the split inside the dataset, as globs (`*`, `**`, `{config}`, `{split}`), instead of the Hub's layouts. */
    files: z.array(z.string().min(1)).min(1).optional(),
    limit: limitSchema.optional(),
    onBadRow: onBadRowSchema,
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (spec.recipe === undefined && spec.fields === undefined) {
      ctx.addIssue({ code: 'custom', path: ['recipe'], message: `give recipe (one of ${RECIPE_NAMES.join(', ')}), fields with format: hf, or format: mmlu | gauntlet | jsonl | csv` });
    }
    if (spec.recipe !== undefined && spec.fields !== undefined) ctx.addIssue({ code: 'custom', path: ['fields'], message: 'a recipe maps the fields itself: give recipe or fields, not both' });
    if (spec.dataset !== undefined && spec.path !== undefined) ctx.addIssue({ code: 'custom', path: ['path'], message: 'give dataset (a Hub reference) or path (local files), not both' });
    if (spec.recipe === undefined && spec.dataset === undefined && spec.path === undefined) ctx.addIssue({ code: 'custom', path: ['dataset'], message: 'without a recipe, give dataset or path' });
  });

const buildBenchmarkSpecSchema = () => z.discriminatedUnion('format', [
  mmluSpecSchema,
  gauntletSpecSchema,
  jsonlSpecSchema,
  csvSpecSchema,
  hfSpecSchema(),
]);

/** The `benchmark:` section; rebuilt when a recipe is registered later. */
export let benchmarkSpecSchema = buildBenchmarkSpecSchema();
recipeRegistry.onChange(() => {
  RECIPE_NAMES = recipeRegistry.names();
  benchmarkSpecSchema = buildBenchmarkSpecSchema();
});

export type BenchmarkSpec = z.infer<typeof benchmarkSpecSchema>;
/** The spec as written in a study file (defaults not yet filled in). */
export type BenchmarkSpecInput = z.input<typeof benchmarkSpecSchema>;
export type MmluSpec = Extract<BenchmarkSpec, { format: 'mmlu' }>;
export type GauntletSpec = Extract<BenchmarkSpec, { format: 'gauntlet' }>;
export type TableSpec = Extract<BenchmarkSpec, { format: 'jsonl' | 'csv' }>;
export type HfSpec = Extract<BenchmarkSpec, { recipe?: RecipeName }>;

/** A Hub dataset spec (`format: hf`, or no format with a recipe). */
export function isHfSpec(spec: BenchmarkSpec): spec is HfSpec {
  return spec.format === undefined || spec.format === 'hf';
}
export type LimitSpec = z.infer<typeof limitSchema>;
export type FieldsSpec = z.infer<typeof fieldsSchema>;

/** Validate a raw `benchmark:` section, reporting the first problem at its key path. */
export function parseBenchmarkSpec(raw: unknown, keyPath = 'benchmark'): BenchmarkSpec {
  const parsed = benchmarkSpecSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = [keyPath, ...issue.path.map(String)].join('.');
  const extra = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem(s))` : '';
  throw new UserError(issue.message + extra, where);
}
