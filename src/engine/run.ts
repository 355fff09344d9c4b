import type { Model, RequestResult } from '../core/types.js';
import type { CellSummary, ItemResult } from '../core/results.js';
import { predict, requiredKind, trueMass } from '../scoring/methods.js';
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
  const byCondition = new Map<string, CellSummary>();
  const mc2Sums = new Map<string, number>();
  for (const cell of cells) {
    let summary = byCondition.get(cell.condition.name);
    if (!summary) {
      summary = { model: modelName, condition: cell.condition.name, accuracy: 0, n: 0, correct: 0, unscored: 0, ties: 0, failed: 0 };
      byCondition.set(cell.condition.name, summary);
    }
    const got: RequestResult[] = [];
    for (const id of cell.ids) {
      const r = results.get(id);
      if (r === undefined) break;
      got.push(r);
    }
    if (got.length < cell.ids.length) {
      summary.failed++;
      continue;
    }
    const scores = cell.reduce(got);
    const { predicted, tie } = predict(scores);
    const gold = cell.gold;
    const { order } = cell.presentation;
    // Several true choices (TruthfulQA MC2): any of them is correct, and MC2 credits their probability mass.
    const answers = cell.item.answers;
    const correct = predicted === null ? null : answers ? answers.includes(order[predicted]) : predicted === gold;
    const mc2 = answers && cell.condition.normalization === 'none' ? trueMass(scores, order.map((c) => answers.includes(c))) : null;
    const reading = cell.read?.(got);
    const fill = reading && reading.extracted === null ? randomFill(cell.condition.seed, cell.condition.name, cell.item.id, scores.length) : undefined;
    items.push({
      model: modelName,
      condition: cell.condition.name,
      itemId: cell.item.id,
      subject: cell.item.subject,
      order: cell.presentation.order,
      labels: cell.labels,
      goldPosition: gold,
      scores,
      predicted,
      correct,
      tie,
      ...(reading ? { generated: reading.generated, finish: reading.finish, extracted: reading.extracted } : {}),
      ...(fill !== undefined ? { randomFill: fill } : {}),
      ...(mc2 !== null ? { mc2 } : {}),
      promptHash: cell.promptHash,
    });
    if (mc2 !== null) mc2Sums.set(cell.condition.name, (mc2Sums.get(cell.condition.name) ?? 0) + mc2);
    if (reading) {
      // MMLU-Pro's rule: an unread answer is filled at random; one read but naming no shown choice stays wrong.
      summary.randomFill ??= { accuracy: 0, correct: 0, filled: 0 };
      if (fill !== undefined) summary.randomFill.filled++;
      if (correct || fill === gold) summary.randomFill.correct++;
    }
    summary.n++;
    if (correct) summary.correct++;
    if (correct === null) summary.unscored++;
    if (tie) summary.ties++;
  }
  const summaries = [...byCondition.values()].map((s) => {
    const mc2 = mc2Sums.get(s.condition);
    return {
      ...s,
      accuracy: s.n ? s.correct / s.n : NaN,
      ...(mc2 !== undefined ? { mc2: mc2 / s.n } : {}),
      ...(s.randomFill ? { randomFill: { ...s.randomFill, accuracy: s.n ? s.randomFill.correct / s.n : NaN } } : {}),
    };
  });
  return { items, summaries };
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
    if (!cells) bySignature.set(signature, (cells = planCells(presentations, study.conditions, model.capabilities, table, memo)));
    return cells;
  };
}
