/**
 * Every perturbation by name, how the study file names them, and how a chain of them turns an item
 * into a presentation and into the labels of the grid's factors.
 */
import { z } from 'zod';
import { UserError } from '../core/errors.js';
import type { Item } from '../core/types.js';
import { GRID_FACTORS, PERTURBED_FACTORS } from '../core/factors.js';
import type { ConditionFactors } from '../core/results.js';
import { perturbationRegistry, type Factor, type PerturbationDefinition } from './definition.js';
import './builtin.js';
import { basePresentation, type PerturbationContext, type PerturbedPresentation } from './presentation.js';
import { DEFAULT_SYMBOL_SET } from './symbols.js';
import { DEFAULT_TEMPLATE, type Method } from './templates.js';

export { basePresentation, type PerturbationContext, type PerturbedPresentation } from './presentation.js';
export type { Factor, PerturbationDefinition } from './definition.js';

/** Every registered perturbation's name (kept current when one is registered later). */
export let PERTURBATION_NAMES: readonly string[] = perturbationRegistry.names();
perturbationRegistry.onChange(() => {
  PERTURBATION_NAMES = perturbationRegistry.names();
});

export function perturbationDefinition(name: string): PerturbationDefinition {
  const found = perturbationRegistry.get(name);
  if (!found) throw new UserError(unknownMessage(name));
  return found;
}

/** As written in the study file: `reverse`, or `{shuffle: {seed: 1}}`. */
export type PerturbationEntry = string | Record<string, unknown>;

/** One normalized step of a chain (the shape stored in ConditionInfo.perturbations). */
export interface PerturbationStep {
  name: string;
  args: unknown;
}

const unknownMessage = (name: string) =>
  `unknown perturbation "${name}"; known perturbations: ${PERTURBATION_NAMES.join(', ')}`;

/** Why an entry is not usable, as zod issues (path relative to the entry); empty when valid. */
function entryIssues(entry: unknown): { message: string; path: PropertyKey[] }[] {
  let name: string;
  let rawArgs: unknown = {};
  if (typeof entry === 'string') {
    name = entry;
  } else if (entry !== null && typeof entry === 'object' && !Array.isArray(entry)) {
    const keys = Object.keys(entry);
    if (keys.length !== 1) {
      return [
        {
          message: `a perturbation is a name or an object with exactly one key, the name (e.g. {shuffle: {seed: 1}}); got keys: ${keys.join(', ') || 'none'}`,
          path: [],
        },
      ];
    }
    name = keys[0];
    rawArgs = (entry as Record<string, unknown>)[name] ?? {}; // `- reverse:` in YAML gives null
  } else {
    return [{ message: `a perturbation is a name or a one-key object, got ${JSON.stringify(entry)}`, path: [] }];
  }
  const definition = perturbationRegistry.get(name);
  if (!definition) return [{ message: unknownMessage(name), path: typeof entry === 'string' ? [] : [name] }];
  const parsed = definition.schema.safeParse(rawArgs);
  if (parsed.success) return [];
  const lead = typeof entry === 'string' ? `${name} needs args (write {${name}: {...}})` : name;
  return parsed.error.issues.map((issue) => ({
    message: `${lead}: ${issue.path.length ? `${issue.path.join('.')}: ` : ''}${issue.message}`,
    path: typeof entry === 'string' ? [] : [name, ...issue.path],
  }));
}

/** Zod schema of one study-file entry; its errors name the unknown perturbation or the bad arg. */
export const perturbationEntrySchema = z.custom<PerturbationEntry>().superRefine((entry, ctx) => {
  for (const issue of entryIssues(entry)) ctx.addIssue({ code: 'custom', ...issue });
});

/** The step's definition and its validated args (defaults filled); throws a UserError. */
function parseStep(step: PerturbationStep): { definition: PerturbationDefinition; args: unknown } {
  const definition = perturbationDefinition(step.name);
  const parsed = definition.schema.safeParse(step.args ?? {});
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`);
    throw new UserError(`invalid args for perturbation "${step.name}": ${detail.join('; ')}`);
  }
  return { definition, args: parsed.data };
}

/** `{name, args}` with args validated and defaults filled (normalized args parse to themselves). */
export function normalizeEntry(entry: PerturbationEntry): PerturbationStep {
  const issues = entryIssues(entry);
  if (issues.length) throw new UserError(issues.map((i) => i.message).join('; '));
  const name = typeof entry === 'string' ? entry : Object.keys(entry)[0];
  const rawArgs = typeof entry === 'string' ? {} : entry[name];
  return { name, args: parseStep({ name, args: rawArgs }).args };
}

/** Validates once, then applies to any number of items. */
export function compileChain(
  chain: readonly PerturbationStep[],
): (item: Item, ctx: PerturbationContext) => PerturbedPresentation {
  const steps = chain.map((step) => parseStep(step));
  return (item, ctx) =>
    steps.reduce((p, { definition, args }) => definition.apply(p, ctx, args), basePresentation(item));
}

export function applyChain(
  item: Item,
  chain: readonly PerturbationStep[],
  ctx: PerturbationContext,
): PerturbedPresentation {
  return compileChain(chain)(item, ctx);
}

/**
 * Turns a chain holding `circular` (n rotations, default 4) into n chains where it is replaced by
 * `rotate {k}`, with suffixes rot0..rot{n-1}. A chain without it comes back alone, suffix ''.
 */
export function expandCircular(chain: readonly PerturbationStep[]): { suffix: string; chain: PerturbationStep[] }[] {
  const at = chain.map((step, i) => (step.name === 'circular' ? i : -1)).filter((i) => i >= 0);
  if (at.length === 0) return [{ suffix: '', chain: chain.slice() }];
  if (at.length > 1) throw new UserError('a chain can hold "circular" only once');
  const { n } = parseStep(chain[at[0]]).args as { n: number };
  return Array.from({ length: n }, (_, k) => ({
    suffix: `rot${k}`,
    chain: chain.map((step, i) => (i === at[0] ? { name: 'rotate', args: { k } } : step)),
  }));
}

const FACTOR_DEFAULTS: Record<Factor, string> = {
  order: 'original',
  symbols: DEFAULT_SYMBOL_SET,
  template: DEFAULT_TEMPLATE,
  shots: '0-shot',
};

/**
 * A short label per factor. Order steps compose, so their labels are joined; symbols, template
 * and shots are replaced by each step, so the last one names the factor.
 */
export function factorsOf(
  chain: readonly PerturbationStep[],
  method: Method,
  normalization?: string,
): ConditionFactors {
  const labels = Object.fromEntries(PERTURBED_FACTORS.map((f) => [f, [] as string[]])) as Record<Factor, string[]>;
  for (const step of chain) {
    const { definition, args } = parseStep(step);
    labels[definition.factor].push(definition.label(args));
  }
  const factor = (f: Factor) => {
    const list = labels[f];
    if (list.length === 0) return FACTOR_DEFAULTS[f];
    return f === 'order' ? list.join(' + ') : list[list.length - 1];
  };
  const scoring = normalization && normalization !== 'none' ? `${method}/${normalization}` : method;
  return Object.fromEntries(GRID_FACTORS.map((f) => [f, f === 'scoring' ? scoring : factor(f)])) as ConditionFactors;
}
