import type { Capabilities, Item } from '../core/types.js';
import { goldPosition } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { compileChain, type PerturbedPresentation } from '../perturbations/registry.js';
import { labelIndices } from '../perturbations/presentation.js';
import { symbolSet } from '../perturbations/symbols.js';
import { promptHash } from '../perturbations/templates.js';
import { compileItem, requiredKind, type CompiledItem } from '../scoring/methods.js';
import type { Condition } from '../study/load.js';
import type { RequestTable } from './keys.js';
import { itemPlace } from '../benchmarks/rows.js';

/**
 * One condition × item as a model is asked it: the presentation shown, the requests that score
 * it (as ids in the study's request table) and what scoring needs. Nothing in it depends on the
 * model beyond the kind of request, so models of the same capabilities share their cells.
 */
export interface Cell {
  condition: Condition;
  item: Item;
  presentation: PerturbedPresentation;
  /** Scores per shown choice from the results of the cell's requests. */
  reduce: CompiledItem['reduce'];
  /** Generative scoring: the text written and the label read from it. */
  read?: CompiledItem['read'];
  table: RequestTable;
  ids: number[];
  /** Symbol shown on each line. */
  labels: string[];
  /** Shown position of the correct choice. */
  gold: number;
  /** Hash of the prompt as scored (see perturbations/templates.ts promptHash). */
  promptHash: string;
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
          throw inCondition(e, condition, item);
        }
      }),
    );
  }
  return byCondition;
}

/** A UserError about one item under one condition, naming the item's file and line and the condition. */
function inCondition(e: unknown, condition: Condition, item: Item): unknown {
  if (!(e instanceof UserError)) return e;
  const place = itemPlace(item);
  return new UserError(
    `${e.message}`,
    `${place}: condition ${condition.name}${place.startsWith('item ') ? '' : ` (item ${item.id})`}`,
  );
}

/** Label lists are few and repeat across cells: one array each. */
const labelLists = new Map<string, string[]>();

function shownLabels(p: PerturbedPresentation): string[] {
  const labels = symbolSet(p.symbolSet).labels(p.order.length);
  const shown = labelIndices(p).map((i) => labels[i]);
  const key = shown.join('\u0000');
  let known = labelLists.get(key);
  if (!known) labelLists.set(key, (known = shown));
  return known;
}

/**
 * Compile the cells of a model with these capabilities. Each condition is compiled once per
 * request kind (prompts rendered and requests interned once), and models with the same kinds
 * get the very same cells.
 */
export function planCells(
  presentations: Map<string, PerturbedPresentation[]>,
  conditions: Condition[],
  caps: Capabilities,
  table: RequestTable,
  memo: Map<string, Cell[]>,
): Cell[] {
  const cells: Cell[] = [];
  for (const condition of conditions) {
    const kind = requiredKind(condition.method, caps);
    const memoKey = `${condition.name}\u0000${kind}`;
    let compiled = memo.get(memoKey);
    if (!compiled) {
      compiled = presentations.get(condition.name)!.map((presentation): Cell => {
        try {
          const c = compileItem(presentation, condition.method, condition.normalization, caps, condition.generation);
          const ids = c.requests.map((r) => table.intern(r));
          const cell: Cell = {
            condition,
            item: presentation.item,
            presentation,
            reduce: c.reduce,
            table,
            ids,
            labels: shownLabels(presentation),
            gold: goldPosition(presentation),
            promptHash: promptHash(c.prompt),
          };
          if (c.read) cell.read = c.read;
          return cell;
        } catch (e) {
          throw inCondition(e, condition, presentation.item);
        }
      });
      memo.set(memoKey, compiled);
    }
    for (const cell of compiled) cells.push(cell);
  }
  table.compact();
  return cells;
}

export interface UniqueRequests {
  /** Distinct request ids, ordered by context so that shared prefixes stay together. */
  ids: Int32Array;
  /** Requests asked for by all cells (before deduplication). */
  total: number;
}

const uniqueMemo = new WeakMap<Cell[], UniqueRequests>();

/** Unique requests of a set of cells (the same cells give the same answer, computed once). */
export function uniqueRequests(cells: Cell[]): UniqueRequests {
  const known = uniqueMemo.get(cells);
  if (known) return known;
  if (cells.length === 0) return { ids: new Int32Array(0), total: 0 };
  const table = cells[0].table;
  if (table.size >= 2 ** 26) throw new Error(`${table.size} distinct requests: more than this planner orders (2^26)`);
  const seen = new Uint8Array(table.size);
  const ranks = table.contextRanks();
  // Sort keys: context rank in the high bits, request id in the low ones (exact in a double).
  const order: number[] = [];
  let total = 0;
  for (const cell of cells) {
    total += cell.ids.length;
    for (const id of cell.ids) {
      if (seen[id]) continue;
      seen[id] = 1;
      order.push(ranks[table.contextIds[id]] * 2 ** 26 + id);
    }
  }
  const sorted = Float64Array.from(order).sort();
  const unique = { ids: Int32Array.from(sorted, (v) => v % 2 ** 26), total };
  uniqueMemo.set(cells, unique);
  return unique;
}
