/** The built-in benchmark formats' schemas and the pieces they share (registered in benchmarks/formats.ts). */
import { z } from 'zod';
import { recipeRegistry } from './recipe.js';

export const pathSchema = z.string().min(1, 'path must not be empty');
export const fieldNameSchema = z.string().min(1, 'field name must not be empty');
export const onBadRowSchema = z.enum(['error', 'skip']).default('error');

export const limitSchema = z
  .object({
    /** At most this many items per subject (applied first). */
    perSubject: z.number().int().positive().optional(),
    /** At most this many items overall (applied after perSubject). */
    total: z.number().int().positive().optional(),
    seed: z.number().int().default(0),
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

export const tableSpecShape = {
  path: pathSchema,
  fields: fieldsSchema,
  /** index: 0-based integer; letter: A, B, ...; text: equal to one of the choices. */
  answerFormat: z.enum(['index', 'letter', 'text']).default('index'),
  /** A file of the same shape whose rows form the few-shot pool. */
  fewshotPath: pathSchema.optional(),
  limit: limitSchema.optional(),
  onBadRow: onBadRowSchema,
};

export const mmluSpecSchema = z
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

export const gauntletSpecSchema = z
  .object({
    format: z.literal('gauntlet'),
    path: pathSchema.refine((p) => p.toLowerCase().endsWith('.jsonl'), 'gauntlet path must be a .jsonl file'),
    /** Defaults to the file's basename (e.g. `arc_challenge`). */
    subject: z.string().min(1).optional(),
    limit: limitSchema.optional(),
    onBadRow: onBadRowSchema,
  })
  .strict();

export const jsonlSpecSchema = z.object({ format: z.literal('jsonl'), ...tableSpecShape }).strict();

export const csvSpecSchema = z
  .object({
    format: z.literal('csv'),
    ...tableSpecShape,
    /** Without a header, fields name columns by 0-based position: "0", "1", ... */
    header: z.boolean().default(true),
  })
  .strict();

/**
 * A Hugging Face dataset (`format: hf`, which may be left out when `recipe` is given): by
 * reference (`dataset: hf://datasets/<owner>/<name>`, downloaded into the cache) or from a local
 * folder or file (`path`). A recipe knows a dataset's fields, default config and split; without
 * one, `fields` maps the rows.
 */
export const hfSpecSchema = () =>
  z
    .object({
      format: z.literal('hf').optional(),
      recipe: z.enum(recipeRegistry.names() as [string, ...string[]]).optional(),
      /** hf://datasets/<owner>/<name>[@<revision>]; default: the recipe's dataset. */
      dataset: z
        .string()
        .regex(/^(hf:\/\/datasets\/)?[\w.-]+\/[\w.-]+(@\S+)?$/, 'expected hf://datasets/<owner>/<name>')
        .optional(),
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
        ctx.addIssue({
          code: 'custom',
          path: ['recipe'],
          message: `give recipe (one of ${recipeRegistry.names().join(', ')}), fields with format: hf, or format: mmlu | gauntlet | jsonl | csv`,
        });
      }
      if (spec.recipe !== undefined && spec.fields !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['fields'],
          message: 'a recipe maps the fields itself: give recipe or fields, not both',
        });
      if (spec.dataset !== undefined && spec.path !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['path'],
          message: 'give dataset (a Hub reference) or path (local files), not both',
        });
      if (spec.recipe === undefined && spec.dataset === undefined && spec.path === undefined)
        ctx.addIssue({ code: 'custom', path: ['dataset'], message: 'without a recipe, give dataset or path' });
    });

export type MmluSpec = z.output<typeof mmluSpecSchema>;
export type GauntletSpec = z.output<typeof gauntletSpecSchema>;
export type TableSpec = z.output<typeof jsonlSpecSchema> | z.output<typeof csvSpecSchema>;
export type HfSpec = z.output<ReturnType<typeof hfSpecSchema>>;
/** A built-in format's section as written in a study file (defaults not yet filled in). */
export type BenchmarkSpecInput =
  | z.input<typeof mmluSpecSchema>
  | z.input<typeof gauntletSpecSchema>
  | z.input<typeof jsonlSpecSchema>
  | z.input<typeof csvSpecSchema>
  | z.input<ReturnType<typeof hfSpecSchema>>;

export type LimitSpec = z.infer<typeof limitSchema>;
export type FieldsSpec = z.infer<typeof fieldsSchema>;
