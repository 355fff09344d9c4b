/**
 * How a perturbation is declared: a name, the grid factor it varies, a zod schema for its args,
 * and a factory turning validated args into a pure transformation.
 */
import { z } from 'zod';
import type { Perturb } from './presentation.js';

/** The factors of the grid a perturbation can vary (scoring is set by the condition, not here). */
export type Factor = 'order' | 'symbols' | 'template' | 'shots';

export interface PerturbationDefinition<Args = unknown> {
  name: string;
  factor: Factor;
  /** Validates and fills defaults; a bare name in the study file is parsed as `{}`. */
  args: z.ZodType<Args>;
  make(args: Args): Perturb;
  /** Short human label of this step, e.g. `shuffle(seed=1)`. */
  label(args: Args): string;
}

/** Keeps the args type of each definition while letting the registry hold them all together. */
export function definePerturbation<S extends z.ZodType>(definition: {
  name: string;
  factor: Factor;
  args: S;
  make(args: z.output<S>): Perturb;
  label(args: z.output<S>): string;
}): PerturbationDefinition {
  return definition as unknown as PerturbationDefinition;
}

export const seedArg = z.number().int().optional();

/** A shown position given as a letter (`A`, `b`) or a 0-based index. */
export const positionArg = z
  .union([z.number().int().min(0), z.string().regex(/^[A-Za-z]$/, 'expected a letter A-Z or a 0-based index')])
  .transform((value) => (typeof value === 'number' ? value : value.toUpperCase().charCodeAt(0) - 65));

export const positionLabel = (position: number) =>
  position < 26 ? String.fromCharCode(65 + position) : String(position);

export const withSeed = (name: string, seed: number | undefined) =>
  seed === undefined ? name : `${name}(seed=${seed})`;
