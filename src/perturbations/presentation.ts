/**
 * The presentation as perturbations see it, plus the small helpers they share for reordering.
 */
import type { Item, Presentation, Shot } from '../core/types.js';
import { DEFAULT_SYMBOL_SET } from './symbols.js';

/**
 * A presentation whose symbols may be detached from their shown positions.
 * `labelOrder[shownPosition]` = index into the symbol set's labels shown on that line; absent means
 * identity (A on the first line, B on the second...). Only `shuffle-pairs` sets it, so that a text
 * keeps the symbol it had before its line moved.
 */
export interface PerturbedPresentation extends Presentation {
  labelOrder?: number[];
  /** Show the choices without the question (the choices-only probe), in every block. */
  hideQuestion?: boolean;
  shots: PerturbedShot[];
}

/** A shot may carry detached symbols too (a self-shot copies the test item's lines). */
export interface PerturbedShot extends Shot {
  labelOrder?: number[];
}

/** Context every perturbation receives: the condition's seed and the item's few-shot pool. */
export interface PerturbationContext {
  seed: number;
  /** The benchmark's dev items for the item's subject, in file order. */
  fewshotPool: (item: Item) => Item[];
}

/** The template of the standard format (templates.ts renders it; lm-eval's MMLU prompt). */
export const DEFAULT_TEMPLATE = 'lm-eval';

/** The standard format: original order, ABCD, lm-eval template, no shots. */
export function basePresentation(item: Item): PerturbedPresentation {
  return {
    item,
    order: identity(item.choices.length),
    symbolSet: DEFAULT_SYMBOL_SET,
    template: DEFAULT_TEMPLATE,
    shots: [],
  };
}

export function identity(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** Index of the label shown at each position (identity unless a perturbation detached them). */
export function labelIndices(p: PerturbedPresentation): number[] {
  return p.labelOrder ?? identity(p.order.length);
}

/**
 * Moves the choice texts while the symbols stay on their lines:
 * `fromPositions[i]` = the shown position whose text is now shown at i.
 */
export function reorderTexts(p: PerturbedPresentation, fromPositions: readonly number[]): PerturbedPresentation {
  return { ...p, order: fromPositions.map((i) => p.order[i]) };
}

/** Swaps two entries of a copy of `order`. */
export function swapped(order: readonly number[], i: number, j: number): number[] {
  const out = order.slice();
  [out[i], out[j]] = [out[j], out[i]];
  return out;
}
