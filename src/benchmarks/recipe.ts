/**
 * How a recipe is declared: where a well-known dataset lives on the Hub and how its rows become
 * items. Each `defineRecipe` registers one (built-ins: benchmarks/recipes.ts); `recipe:` in a
 * study file accepts every registered name.
 */
import { Registry } from '../core/registry.js';
import type { BadRows, FormatLoad } from './rows.js';

/** What a recipe's reader of a benchmark's own local format is asked for. */
export interface LocalRequest {
  split: string;
  fewshotSplit?: string;
  subjects?: string[];
  bad: BadRows;
}

/** Reads a benchmark's own local format, or returns null when `target` is not one. */
export type LocalReader = (target: string, req: LocalRequest) => Promise<FormatLoad | null>;

/** What a row maps to; the loader adds ids and checks the item. */
export interface ItemDraft {
  question: string;
  choices: string[];
  answer: number;
  /** The dataset's own id, when it has one. */
  id?: string;
  subject?: string;
  meta?: Record<string, unknown>;
}

export interface RowContext {
  /** Config the row's file belongs to (`default` for one-config datasets). */
  config: string;
  split: string;
}

/** A draft, or why the row cannot be an item. */
export type RowMapper = (row: Record<string, unknown>, ctx: RowContext) => ItemDraft | string;

export interface Recipe {
  name: string;
  dataset?: string;
  /** Default config; undefined for a dataset with one (`default`), `*` for every config. */
  config?: string;
  split: string;
  fewshotSplit?: string;
  /** How `subjects:` selects: configs of the dataset (one per subject), or rows by their subject. */
  subjects: 'configs' | 'rows';
  mapRow: RowMapper;
  /** Reads a benchmark's own local format (the copies in ../shared), or returns null when `target` is not one. */
  readLocal?: LocalReader;
}

export const recipeRegistry = new Registry<Recipe>('recipe');

/** Registers a recipe and returns it. */
export function defineRecipe(recipe: Recipe): Recipe {
  return recipeRegistry.add(recipe);
}
