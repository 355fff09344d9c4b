import { z } from 'zod';

const logOdds = z.number().min(-20).max(20);

/**
 * A simulated model with known truth (`backend: sim`): it answers the benchmark's own questions
 * through the normal request path, so every scoring method, perturbation, cache and statistic
 * can be checked against numbers that are known in advance. Never a real language model.
 */
export const simModelSchema = z
  .object({
    name: z.string().min(1),
    backend: z.literal('sim'),
    /** Probability that the model knows an item's answer under the standard format; otherwise it guesses. */
    ability: z.number().min(0).max(1),
    /** Per-subject ability (subject names as the benchmark gives them), overriding `ability`. */
    abilityBySubject: z.record(z.string(), z.number().min(0).max(1)).optional(),
    /** Log-odds added to the choice shown at each position (first entry: first line), when choices are shown. */
    positionBias: z.array(logOdds).max(26).optional(),
    /** Log-odds added to a shown answer symbol under symbol scoring, e.g. {A: 0.3}. */
    symbolBias: z.record(z.string(), logOdds).optional(),
    /** SD of the log-odds shift of `ability` under each prompt format other than the standard one. */
    templateSensitivity: z.number().min(0).max(5).default(0),
    /**
     * A share of items whose answer position was memorized (a leaked test set): right while the
     * choices keep their published order, wrong when they move. Models with the same `seed`
     * memorize the same items.
     */
    memorized: z.strictObject({ share: z.number().min(0).max(1), seed: z.number().int().default(0) }).optional(),
    /** Share of an item's difficulty common to every simulated model (0 = independent models). */
    sharedDifficulty: z.number().min(0).max(1).default(0.5),
    /** Nats per token taken from a choice text's log-prob (short answers win unnormalized; PMI removes it). */
    lengthPenalty: z.number().min(0).max(10).default(0),
    /** Share of generated answers that name no choice (generative scoring reads nothing from them). */
    unreadable: z.number().min(0).max(1).optional(),
    seed: z.number().int().default(0),
  })
  .strict();

export type SimSpec = z.infer<typeof simModelSchema>;
