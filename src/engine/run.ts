import type { Model, RequestResult } from '../core/types.js';
import { goldPosition } from '../core/types.js';
import type { CellSummary, ItemResult } from '../core/results.js';
import { predict } from '../scoring/methods.js';
import { labelIndices } from '../perturbations/presentation.js';
import { symbolSet } from '../perturbations/symbols.js';
import type { Study } from '../study/load.js';
import type { ResultStore } from '../store/store.js';
import { CachingModel } from './cached.js';
import { RequestKeys } from './keys.js';
import { buildPresentations, planCells, uniqueRequests, type Cell, type PlanInput } from './plan.js';
import type { Progress } from './progress.js';

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
}

export interface ModelRun {
  model: Model;
  items: ItemResult[];
  summaries: CellSummary[];
  requests: RequestCounts;
}

export interface RunControl {
  progress?: Progress;
  /** Checked between chunks: when it returns true the run stops early (results so far are stored). */
  shouldStop?: () => boolean;
  /** Requests sent to a model at once. */
  chunkSize?: number;
}

export class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

/** Evaluate every cell of one model, using the store for what is already known. */
export async function runModel(
  model: Model,
  cells: Cell[],
  store: ResultStore,
  control: RunControl,
): Promise<ModelRun> {
  const cache = new CachingModel(model, store);
  const { keys, requests, total } = uniqueRequests(cells);
  const results = cache.lookup(keys);
  const missing = keys.map((k, i) => i).filter((i) => !results.has(keys[i]));
  control.progress?.start(model.identity.name, missing.length);
  const chunk = control.chunkSize ?? 256;
  for (let start = 0; start < missing.length; start += chunk) {
    if (control.shouldStop?.()) throw new Interrupted();
    const idx = missing.slice(start, start + chunk);
    await cache.compute(
      idx.map((i) => requests[i]),
      idx.map((i) => keys[i]),
      (key, outcome) => {
        if (outcome.ok) results.set(key, outcome.result);
        control.progress?.tick();
      },
    );
  }
  control.progress?.finish();
  const { items, summaries } = reduceCells(model.identity.name, cells, results);
  return { model, items, summaries, requests: { total, unique: keys.length, cached: cache.counts.cached, computed: cache.counts.computed, failed: cache.counts.failed } };
}

/** Turn results into per-item predictions and per-condition accuracies (strict: unscored is not correct). */
export function reduceCells(modelName: string, cells: Cell[], results: Map<string, RequestResult>) {
  const items: ItemResult[] = [];
  const byCondition = new Map<string, CellSummary>();
  for (const cell of cells) {
    let summary = byCondition.get(cell.condition.name);
    if (!summary) {
      summary = { model: modelName, condition: cell.condition.name, accuracy: 0, n: 0, correct: 0, unscored: 0, ties: 0, failed: 0 };
      byCondition.set(cell.condition.name, summary);
    }
    const got = cell.keys.map((k) => results.get(k));
    if (got.some((r) => r === undefined)) {
      summary.failed++;
      continue;
    }
    const scores = cell.compiled.reduce(got as RequestResult[]);
    const { predicted, tie } = predict(scores);
    const gold = goldPosition(cell.presentation);
    const correct = predicted === null ? null : predicted === gold;
    items.push({
      model: modelName,
      condition: cell.condition.name,
      itemId: cell.item.id,
      subject: cell.item.subject,
      order: cell.presentation.order,
      labels: shownLabels(cell),
      goldPosition: gold,
      scores,
      predicted,
      correct,
      tie,
    });
    summary.n++;
    if (correct) summary.correct++;
    if (correct === null) summary.unscored++;
    if (tie) summary.ties++;
  }
  const summaries = [...byCondition.values()].map((s) => ({ ...s, accuracy: s.n ? s.correct / s.n : NaN }));
  return { items, summaries };
}

function shownLabels(cell: Cell): string[] {
  const labels = symbolSet(cell.presentation.symbolSet).labels(cell.presentation.order.length);
  return labelIndices(cell.presentation).map((i) => labels[i]);
}

/** Plan the whole study once; each model then compiles the cells it needs. */
export function planStudy(study: Study, input: Omit<PlanInput, 'conditions'>) {
  const presentations = buildPresentations({ ...input, conditions: study.conditions });
  const keys = new RequestKeys();
  const memo = new Map();
  return (model: Model) => planCells(presentations, study.conditions, model.capabilities, keys, memo);
}
