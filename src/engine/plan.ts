import type { Capabilities, Item, Request } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { compileChain, type PerturbedPresentation } from '../perturbations/registry.js';
import { compileItem, requiredKind, type CompiledItem } from '../scoring/methods.js';
import type { Condition } from '../study/load.js';
import type { RequestKeys } from './keys.js';

/** One model × condition × item: the presentation shown and the requests that score it. */
export interface Cell {
  condition: Condition;
  item: Item;
  presentation: PerturbedPresentation;
  compiled: CompiledItem;
  keys: string[];
}

export interface PlanInput {
  items: Item[];
  fewshotPool: Map<string, Item[]>;
  conditions: Condition[];
}

/** Presentations depend only on condition and item, so they are built once for all models. */
export function buildPresentations(input: PlanInput): Map<string, PerturbedPresentation[]> {
  const byCondition = new Map<string, PerturbedPresentation[]>();
  const pool = (item: Item) => input.fewshotPool.get(item.subject ?? '') ?? [];
  for (const condition of input.conditions) {
    const apply = compileChain(condition.chain);
    byCondition.set(
      condition.name,
      input.items.map((item) => {
        try {
          return apply(item, { seed: condition.seed, fewshotPool: pool });
        } catch (e) {
          if (e instanceof UserError) throw new UserError(`${e.message} (item ${item.id})`, `condition ${condition.name}`);
          throw e;
        }
      }),
    );
  }
  return byCondition;
}

/**
 * Compile every cell of one model. Compiled items are shared between models with the same
 * request kind, and keys are computed once per request.
 */
export function planCells(
  presentations: Map<string, PerturbedPresentation[]>,
  conditions: Condition[],
  caps: Capabilities,
  keys: RequestKeys,
  memo: Map<string, { compiled: CompiledItem; keys: string[] }[]>,
): Cell[] {
  const cells: Cell[] = [];
  for (const condition of conditions) {
    const kind = requiredKind(condition.method, caps);
    const memoKey = `${condition.name}\u0000${kind}`;
    let compiledAll = memo.get(memoKey);
    if (!compiledAll) {
      compiledAll = presentations.get(condition.name)!.map((p) => {
        const compiled = compileItem(p, condition.method, condition.normalization, caps);
        return { compiled, keys: compiled.requests.map((r) => keys.keyOf(r)) };
      });
      memo.set(memoKey, compiledAll);
    }
    presentations.get(condition.name)!.forEach((presentation, i) => {
      cells.push({ condition, item: presentation.item, presentation, ...compiledAll![i] });
    });
  }
  return cells;
}

/** Unique requests of a set of cells, in an order that keeps shared prefixes together. */
export function uniqueRequests(cells: Cell[]): { keys: string[]; requests: Request[]; total: number } {
  const byKey = new Map<string, Request>();
  let total = 0;
  for (const cell of cells) {
    cell.keys.forEach((k, i) => {
      total++;
      if (!byKey.has(k)) byKey.set(k, cell.compiled.requests[i]);
    });
  }
  const entries = [...byKey.entries()].sort((a, b) => (a[1].context < b[1].context ? -1 : a[1].context > b[1].context ? 1 : 0));
  return { keys: entries.map((e) => e[0]), requests: entries.map((e) => e[1]), total };
}

