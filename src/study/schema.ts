import { z } from 'zod';
import { benchmarkSpecSchema } from '../benchmarks/spec.js';
import { perturbationEntrySchema } from '../perturbations/registry.js';
import { modelSpecSchema } from '../models/spec.js';
import { benchmarkFormatRegistry } from '../benchmarks/format.js';
import { recipeRegistry } from '../benchmarks/recipe.js';
import { backendRegistry } from '../models/backend.js';
import { PROTOCOL_NAMES } from './protocols.js';

export { modelSpecSchema, type ModelSpec } from '../models/spec.js';

/** A regular expression of a custom extraction rule; `{label}` stands for any shown label. */
const extractionPattern = z.union([
  z.string().min(1),
  z.strictObject({
    regex: z.string().min(1),
    flags: z
      .string()
      .regex(/^[dgimsuvy]*$/)
      .optional(),
  }),
]);

/** Settings of `scoring: generate` (see docs/generative.md). */
export const generationSchema = z
  .object({
    /** Tokens the model may write. */
    maxTokens: z.number().int().min(1).max(32_768),
    /** Think step by step first: true for MMLU-Pro's instruction and cue, or your own. */
    chainOfThought: z.union([z.boolean(), z.strictObject({ instruction: z.string(), cue: z.string() })]).default(false),
    /** How the answer is read: mmlu-pro (its regex cascade), leading-letter, or {patterns: [...]}. Default: mmlu-pro with chain of thought, else leading-letter. */
    extraction: z
      .union([z.enum(['mmlu-pro', 'leading-letter']), z.strictObject({ patterns: z.array(extractionPattern).min(1) })])
      .optional(),
    /** Generation ends before the first of these. Default: ["Question:"] as MMLU-Pro, plus a blank line without chain of thought. */
    stop: z.array(z.string().min(1)).max(8).optional(),
  })
  .strict();

export const conditionSchema = z
  .object({
    name: z.string().regex(/^[\w.:@+-]+$/, 'a condition name uses letters, digits and _ . : @ + -'),
    /** A published protocol of the benchmark: its template, scoring, normalization and shots (the keys below refine it). */
    protocol: z.enum(PROTOCOL_NAMES).optional(),
    /** Required without a protocol. */
    scoring: z.enum(['symbol', 'hybrid', 'cloze', 'generate']).optional(),
    /** Required with, and only with, scoring: generate. */
    generation: generationSchema.optional(),
    /** Default: the protocol's; else none for symbol and generate, char (lm-eval acc_norm) for hybrid and cloze. */
    normalization: z.enum(['none', 'token', 'char', 'byte', 'pmi']).optional(),
    /** Applied after the protocol's own steps. */
    perturbations: z.array(perturbationEntrySchema).default([]),
    /** Seed for this condition's perturbations (default: the study seed). */
    seed: z.number().int().optional(),
    /**
     * What the condition is for: perturbation (form, not content; averaged into the robust
     * leaderboard), stress (exploits a bias), probe, protocol (another way to publish), baseline.
     * Default: from the perturbations and scoring.
     */
    role: z.enum(['baseline', 'perturbation', 'stress', 'probe', 'protocol']).optional(),
  })
  .strict()
  .refine((c) => c.scoring !== undefined || c.protocol !== undefined, {
    message: 'give scoring (symbol, hybrid, cloze or generate) or a protocol',
    path: ['scoring'],
  });

function buildStudySchema() {
  return z
    .object({
      $schema: z.string().optional(),
      name: z.string().regex(/^[\w.-]+$/, 'a study name uses letters, digits and _ . -'),
      description: z.string().optional(),
      seed: z.number().int().default(0),
      /** SQLite store shared by runs (relative to the study file); default .goodhart/store.sqlite in the working folder. */
      store: z.string().optional(),
      benchmark: benchmarkSpecSchema,
      models: z.array(modelSpecSchema).min(1),
      conditions: z.array(conditionSchema).min(1),
      /** Name of the condition that reproduces the leaderboard as usually published; default: a condition "lm-eval" under the lm-eval protocol (added when missing). */
      baseline: z.string().optional(),
      /** When most gold answers sit at one position (TruthfulQA lists them first), show the baseline's choices shuffled under symbol and hybrid scoring. */
      goldPositionShuffle: z.boolean().default(true),
      /** Probes computed beside the grid (choices-only and answer-order memory come from conditions). */
      probes: z
        .object({
          /** Min-K% Prob of each question against a seeded control; k is the share of lowest tokens. */
          minK: z
            .object({ k: z.number().gt(0).max(1).default(0.2) })
            .strict()
            .optional(),
        })
        .strict()
        .optional(),
    })
    .strict();
}

/** The study file's schema; rebuilt when a backend or recipe is registered later, so its entries are accepted too. */
export let studySchema = buildStudySchema();
backendRegistry.onChange(() => {
  studySchema = buildStudySchema();
});
recipeRegistry.onChange(() => {
  studySchema = buildStudySchema();
});
benchmarkFormatRegistry.onChange(() => {
  studySchema = buildStudySchema();
});

export type StudySpec = z.infer<typeof studySchema>;
export type ConditionSpec = z.infer<typeof conditionSchema>;
