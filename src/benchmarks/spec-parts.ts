/** Pieces shared by the benchmark formats' schemas (see benchmarks/formats.ts). */
import { z } from 'zod';

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
