import type { Model, RequestResult } from '../core/types.js';
import type { CellSummary, ItemResult } from '../core/results.js';
import { CellTally, judgeItem } from '../scoring/item-results.js';
import { requiredKind } from '../scoring/methods.js';
import { randomFill } from '../scoring/generate.js';
import type { Study } from '../study/load.js';
import type { ResultStore } from '../store/store.js';
import { computeRequests, type Results, type RunControl } from './compute.js';
import { RequestTable } from './keys.js';
import { buildPresentations, planCells, uniqueRequests, type Cell, type PlanInput } from './plan.js';

export { Interrupted, type RunControl } from './compute.js';

export interface RequestCounts {
  /** Requests asked for by all cells (before deduplication). */
  total: number;
  /** Distinct requests (per model). */
  unique: number;
  /** Found in the store at the start. */
  cached: number;
  /** Computed in this run. */
  computed: number;
  /** Failed in this run (retried next time, never scored). */
  failed: number;
  /** HTTP attempts repeated after transient faults (remote backends only). */
  retries?: number;
  /** HTTP attempts abandoned after timeoutMs (remote backends only). */
  timeouts?: number;
  /** Prompts sent to the server again, by retries or by splitting a batch that timed out (remote backends only). */
  resentPrompts?: number;
}

export interface ModelRun {
  model: Model;
  items: ItemResult[];
  summaries: CellSummary[];
  requests: RequestCounts;
}

/** Evaluate every cell of one model, using the store for what is already known. */
export async function runModel(
  model: Model,
  cells: Cell[],
  store: ResultStore,
  control: RunControl,
): Promise<ModelRun> {
  const { ids, total } = uniqueRequests(cells);
  const table = cells[0]?.table ?? new RequestTable();
  const { results, counts } = await computeRequests(model, table, ids, store, control);
  const { items, summaries } = reduceCells(model.identity.name, cells, results);
  return { model, items, summaries, requests: { total, unique: ids.length, ...counts } };
}

/** Turn results into per-item predictions and per-condition accuracies (strict: unscored is not correct). */
export function reduceCells(modelName: string, cells: Cell[], results: Results) {
  const items: ItemResult[] = [];
  const tally = new CellTally();
  for (const cell of cells) {
    const got: RequestResult[] = [];
    for (const id of cell.ids) {
      const r = results.get(id);
      if (r === undefined) break;
      got.push(r);
    }
    if (got.length < cell.ids.length) {
      tally.fail(modelName, cell.condition.name);
      continue;
    }
    const scores = cell.reduce(got);
    const reading = cell.read?.(got);
    const result = judgeItem({
      model: modelName,
      condition: cell.condition.name,
      itemId: cell.item.id,
      subject: cell.item.subject,
      order: cell.presentation.order,
      labels: cell.labels,
      goldPosition: cell.gold,
      scores,
      // Several true choices (TruthfulQA MC2): any of them is correct, and MC2 credits their probability mass.
      trueChoices: cell.item.answers,
      logLikelihoods: cell.condition.normalization === 'none',
      reading,
      randomFill:
        reading && reading.extracted === null
          ? randomFill(cell.condition.seed, cell.condition.name, cell.item.id, scores.length)
          : undefined,
      promptHash: cell.promptHash,
    });
    items.push(result);
    tally.add(result);
  }
  return { items, summaries: tally.summaries() };
}

/** Plan the whole study once; each model then compiles the cells it needs. */
export function planStudy(study: Study, input: Omit<PlanInput, 'conditions'>) {
  const presentations = buildPresentations({ ...input, conditions: study.conditions });
  const table = new RequestTable();
  const memo = new Map<string, Cell[]>();
  const bySignature = new Map<string, Cell[]>();
  return (model: Model) => {
    const signature = study.conditions.map((c) => requiredKind(c.method, model.capabilities)).join(',');
    let cells = bySignature.get(signature);
    if (!cells)
      bySignature.set(signature, (cells = planCells(presentations, study.conditions, model.capabilities, table, memo)));
    return cells;
  };
}
