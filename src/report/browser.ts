/**
 * The data behind the item browser: per embedded item its text, the prompt shown under each
 * condition, and each model's scores and prediction. Large runs embed a capped number of items,
 * those whose answer changes between conditions first, and the report says so.
 */
import type { ConditionInfo, ItemResult } from '../core/results.js';
import { promptFor, type PromptSet, type ShownPrompt } from './prompts.js';

export interface BrowserItem {
  id: string;
  subject: string | null;
  /** Absent when the benchmark could not be read back. */
  question?: string;
  choices?: string[];
  answer?: number;
}

export interface BrowserResult {
  order: number[];
  labels: string[] | null;
  gold: number;
  scores: (number | null)[];
  predicted: number | null;
  correct: boolean | null;
  tie: boolean;
  /** Generative scoring: the text written and the label read from it (null: none, unscored). */
  generated?: string;
  extracted?: string | null;
}

export interface BrowserData {
  models: string[];
  conditions: { name: string; scoring: string; normalization: string; baseline: boolean }[];
  items: BrowserItem[];
  /** prompts[c][i]: null when it could not be re-rendered exactly. */
  prompts: (ShownPrompt | null)[][];
  /** results[m][c][i]: null when the run has no result for it. */
  results: (BrowserResult | null)[][][];
  /** flips[m][i]: the model picks different answers (original choices) under different conditions. */
  flips: boolean[][];
  /** Which items are embedded (all, or how the capped set was chosen). */
  note: string;
}

export interface FlipSummary {
  /** Per model: items whose chosen answer differs between conditions, out of the items with results. */
  changed: Record<string, number>;
  items: number;
}

const key = (model: string, condition: string, item: string) => `${model}\u0000${condition}\u0000${item}`;

/** Items whose chosen original choice is not the same under every condition, per model. */
function flippedItems(results: readonly ItemResult[], models: readonly string[]): Map<string, Set<string>> {
  const picks = new Map<string, Set<number>>();
  for (const r of results) {
    if (r.predicted === null) continue;
    const k = `${r.model}\u0000${r.itemId}`;
    let s = picks.get(k);
    if (!s) picks.set(k, (s = new Set()));
    s.add(r.order[r.predicted]);
  }
  const out = new Map(models.map((m) => [m, new Set<string>()]));
  for (const r of results)
    if ((picks.get(`${r.model}\u0000${r.itemId}`)?.size ?? 0) > 1) out.get(r.model)?.add(r.itemId);
  return out;
}

export function flipSummary(results: readonly ItemResult[], models: readonly string[]): FlipSummary {
  const flipped = flippedItems(results, models);
  return {
    changed: Object.fromEntries(models.map((m) => [m, flipped.get(m)!.size])),
    items: new Set(results.map((r) => r.itemId)).size,
  };
}

export function browserData(
  results: readonly ItemResult[],
  models: readonly string[],
  conditions: readonly ConditionInfo[],
  baseline: string,
  prompts: PromptSet,
  maxItems: number,
): BrowserData {
  const byKey = new Map(results.map((r) => [key(r.model, r.condition, r.itemId), r]));
  const flipped = flippedItems(results, models);
  const anyFlip = (id: string) => models.some((m) => flipped.get(m)!.has(id));

  // Benchmark order when the benchmark was read back, then (or else) order of first appearance.
  const withResults = new Set(results.map((r) => r.itemId));
  const benchIndex = new Map(prompts.items.map((item, i) => [item.id, i]));
  const ordered = [
    ...prompts.items.map((item) => item.id).filter((id) => withResults.has(id)),
    ...[...withResults].filter((id) => !benchIndex.has(id)),
  ];
  const keep =
    ordered.length <= maxItems
      ? null
      : new Set([...ordered.filter(anyFlip), ...ordered.filter((id) => !anyFlip(id))].slice(0, maxItems));
  const chosen = keep ? ordered.filter((id) => keep.has(id)) : ordered;
  const flipCount = ordered.filter(anyFlip).length;
  const note =
    chosen.length === ordered.length
      ? `All ${ordered.length} items are included.`
      : `${chosen.length} of ${ordered.length} items are included: ` +
        (flipCount >= chosen.length
          ? `the first ${chosen.length} of the ${flipCount} items whose answer changes between conditions for some model`
          : `the ${flipCount} items whose answer changes between conditions for some model, then the first ${chosen.length - flipCount} others`) +
        ', in benchmark order. Every item is in items.jsonl.';

  const firstResult = new Map<string, ItemResult>();
  for (const r of results) if (!firstResult.has(r.itemId)) firstResult.set(r.itemId, r);
  const items: BrowserItem[] = chosen.map((id) => {
    const i = benchIndex.get(id);
    if (i === undefined) return { id, subject: firstResult.get(id)?.subject ?? null };
    const item = prompts.items[i];
    return { id, subject: item.subject ?? null, question: item.question, choices: item.choices, answer: item.answer };
  });
  const prompt = (condition: string, id: string): ShownPrompt | null => {
    for (const m of models) {
      const r = byKey.get(key(m, condition, id));
      if (r) return promptFor(prompts, benchIndex, r);
    }
    return null;
  };
  return {
    models: [...models],
    conditions: conditions.map((c) => ({
      name: c.name,
      scoring: c.scoring,
      normalization: c.normalization,
      baseline: c.name === baseline,
    })),
    items,
    prompts: conditions.map((c) => chosen.map((id) => prompt(c.name, id))),
    results: models.map((m) =>
      conditions.map((c) =>
        chosen.map((id) => {
          const r = byKey.get(key(m, c.name, id));
          if (!r) return null;
          const result: BrowserResult = {
            order: r.order,
            labels: r.labels ?? null,
            gold: r.goldPosition,
            scores: r.scores,
            predicted: r.predicted,
            correct: r.correct,
            tie: r.tie,
          };
          if (r.generated !== undefined)
            Object.assign(result, { generated: r.generated, extracted: r.extracted ?? null });
          return result;
        }),
      ),
    ),
    flips: models.map((m) => chosen.map((id) => flipped.get(m)!.has(id))),
    note,
  };
}
