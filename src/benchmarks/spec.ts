import { z } from 'zod';
import { UserError } from '../core/errors.js';

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

export const benchmarkSpecSchema = z.discriminatedUnion('format', [
  mmluSpecSchema,
  gauntletSpecSchema,
  jsonlSpecSchema,
  csvSpecSchema,
]);

export type BenchmarkSpec = z.infer<typeof benchmarkSpecSchema>;
/** The spec as written in a study file (defaults not yet filled in). */
export type BenchmarkSpecInput = z.input<typeof benchmarkSpecSchema>;
export type MmluSpec = Extract<BenchmarkSpec, { format: 'mmlu' }>;
export type GauntletSpec = Extract<BenchmarkSpec, { format: 'gauntlet' }>;
export type TableSpec = Extract<BenchmarkSpec, { format: 'jsonl' | 'csv' }>;
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
