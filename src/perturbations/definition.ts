/**
 * How a perturbation is declared: a name, the grid factor it varies, a zod schema for its args,
 * and a pure transformation of the presentation. Each `definePerturbation` registers one;
 * perturbations/builtin.ts imports the built-in ones.
 */
import { z } from 'zod';
import { Registry } from '../core/registry.js';
import type { PerturbedFactor } from '../core/factors.js';
import type { PerturbationContext, PerturbedPresentation } from './presentation.js';

/** The factors of the grid a perturbation can vary (scoring is set by the condition, not here). */
export type Factor = PerturbedFactor;

export interface PerturbationDefinition<Args = unknown> {
  name: string;
  factor: Factor;
  /** Validates and fills defaults; a bare name in the study file is parsed as `{}`. */
  schema: z.ZodType<Args>;
  /** The presentation after this step; pure, and seeded only by `ctx.seed` and the item. */
  apply(p: PerturbedPresentation, ctx: PerturbationContext, args: Args): PerturbedPresentation;
  /** Short human label of this step, e.g. `shuffle(seed=1)`; it names the step's factor level. */
  label(args: Args): string;
}

export const perturbationRegistry = new Registry<PerturbationDefinition>('perturbation');

/** `name`, or `name(key=value, ...)` with the args. */
export function defaultLabel(name: string, args: unknown): string {
  const entries = args && typeof args === 'object' ? Object.entries(args) : [];
  return entries.length
    ? `${name}(${entries.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ')})`
    : name;
}

/** Registers a perturbation (keeping the args type of its schema in `apply` and `label`) and returns it. */
export function definePerturbation<S extends z.ZodType>(definition: {
  name: string;
  factor: Factor;
  schema: S;
  apply(p: PerturbedPresentation, ctx: PerturbationContext, args: z.output<S>): PerturbedPresentation;
  /** Default: `name(key=value, ...)`. */
  label?(args: z.output<S>): string;
}): PerturbationDefinition {
  const label = definition.label ?? ((args: z.output<S>) => defaultLabel(definition.name, args));
  return perturbationRegistry.add({ ...definition, label } as unknown as PerturbationDefinition);
}

/**
 * A name of a registry's piece (or one of `alsoKnown`), checked when the study is read, so a piece
 * registered later is accepted; an unknown name is an error with the name it most likely misspells.
 */
export const registeredName = (registry: Registry<{ name: string }>, alsoKnown: readonly string[] = []) =>
  z
    .string({
      error: () => `expected a ${registry.kind} name: one of ${[...registry.names(), ...alsoKnown].join(', ')}`,
    })
    .superRefine((name, ctx) => {
      if (!registry.get(name) && !alsoKnown.includes(name))
        ctx.addIssue({ code: 'custom', message: registry.unknownMessage(name, alsoKnown) });
    });

export const seedArg = z.number().int().optional();

/** A shown position given as a letter (`A`, `b`) or a 0-based index. */
export const positionArg = z
  .union([z.number().int().min(0), z.string().regex(/^[A-Za-z]$/, 'expected a letter A-Z or a 0-based index')])
  .transform((value) => (typeof value === 'number' ? value : value.toUpperCase().charCodeAt(0) - 65));

export const positionLabel = (position: number) =>
  position < 26 ? String.fromCharCode(65 + position) : String(position);

export const withSeed = (name: string, seed: number | undefined) =>
  seed === undefined ? name : `${name}(seed=${seed})`;
