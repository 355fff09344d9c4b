import type { Model, RequestResult } from '../core/types.js';
import type { CellSummary, ItemResult } from '../core/results.js';
import { predict, requiredKind } from '../scoring/methods.js';
import type { Study } from '../study/load.js';
import type { ResultStore } from '../store/store.js';
import { remoteStats } from '../models/remote.js';
import { CachingModel } from './cached.js';
import { RequestTable } from './keys.js';
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
  /** Chunks in flight at once (default: 8 for a model served over HTTP, whose client bounds its own concurrency; else 1). */
  chunksInFlight?: number;
}

/** How often a run waiting for requests another run holds looks again (doubling from the first to the second). */
const MIN_POLL_MS = 50;
const MAX_POLL_MS = 1000;

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
  const modelId = model.identity.id;
  const { ids, total } = uniqueRequests(cells);
  const table = cells[0]?.table ?? new RequestTable();
  const results = new Results(table.size);
  // Taken before the lookup: whatever another run stores from here on arrives with a claim.
  let position = store.logPosition(modelId);
  const found = cache.lookup(Array.from(ids, (id) => table.keys[id]));
  const missing = ids.filter((id) => {
    const r = found.get(table.keys[id]);
    if (r) results.set(id, r);
    return !r;
  });
  control.progress?.start(model.identity.name, missing.length);
  const idOf = new Map(Array.from(missing, (id) => [table.keys[id], id]));
  const absorb = (arrived: Map<string, RequestResult>) => {
    for (const [key, result] of arrived) {
      const id = idOf.get(key);
      if (id === undefined || results.has(id)) continue;
      results.set(id, result);
      cache.counts.cached++;
      control.progress?.tick();
    }
  };
  const chunk = control.chunkSize ?? 256;
  const inFlight = control.chunksInFlight ?? (remoteStats(model) ? 8 : 1);
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  // Requests another live run holds: looked at again once this run has nothing else to do.
  let queue: ArrayLike<number> = missing;
  let waiting: number[] = [];
  let next = 0;
  let pollMs = MIN_POLL_MS;
  while (!failure) {
    if (control.shouldStop?.()) {
      await Promise.all(running);
      throw new Interrupted();
    }
    const batch: number[] = [];
    while (batch.length < chunk && next < queue.length) {
      const id = queue[next++];
      if (!results.has(id)) batch.push(id);
    }
    if (batch.length === 0) {
      if (running.size > 0) {
        await Promise.race(running);
        continue;
      }
      waiting = waiting.filter((id) => !results.has(id));
      if (waiting.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      pollMs = Math.min(MAX_POLL_MS, 2 * pollMs);
      [queue, waiting, next] = [waiting, [], 0];
      continue;
    }
    const claim = store.claim(modelId, batch.map((id) => table.keys[id]), position);
    position = claim.position;
    absorb(claim.arrived);
    const mine = new Set(claim.claimed);
    const claimed = batch.filter((id) => mine.has(table.keys[id]));
    for (const id of batch) if (!mine.has(table.keys[id]) && !results.has(id)) waiting.push(id);
    if (claimed.length === 0) continue;
    pollMs = MIN_POLL_MS;
    const job: Promise<void> = cache
      .compute(
        claimed.map((id) => table.requests[id]),
        claimed.map((id) => table.keys[id]),
        (i, outcome) => {
          if (outcome.ok) results.set(claimed[i], outcome.result);
          control.progress?.tick();
        },
      )
      .catch((error: unknown) => void (failure ??= { error }))
      .finally(() => running.delete(job));
    running.add(job);
    if (running.size >= inFlight) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure) throw failure.error;
  control.progress?.finish();
  const { items, summaries } = reduceCells(model.identity.name, cells, results);
  return { model, items, summaries, requests: { total, unique: ids.length, cached: cache.counts.cached, computed: cache.counts.computed, failed: cache.counts.failed } };
}

/**
 * One model's results by request id, in typed arrays: a large run holds millions of them, and
 * as objects they would outlive the young generation and leave that much garbage per model.
 */
export class Results {
  private readonly logprob: Float64Array;
  private readonly tokens: Int32Array;
  /** 0: none; 1: log-likelihood; 2: greedy log-likelihood; 3: next-token (in `next`). */
  private readonly state: Uint8Array;
  private readonly next = new Map<number, (number | null)[]>();

  constructor(size: number) {
    this.logprob = new Float64Array(size);
    this.tokens = new Int32Array(size);
    this.state = new Uint8Array(size);
  }

  set(id: number, r: RequestResult): void {
    if (r.kind === 'nextToken') {
      this.next.set(id, r.logprobs);
      this.state[id] = 3;
      return;
    }
    this.logprob[id] = r.logprob;
    this.tokens[id] = r.tokens;
    this.state[id] = r.greedy ? 2 : 1;
  }

  has(id: number): boolean {
    return this.state[id] !== 0;
  }

  get(id: number): RequestResult | undefined {
    switch (this.state[id]) {
      case 0: return undefined;
      case 3: return { kind: 'nextToken', logprobs: this.next.get(id)! };
      default: return { kind: 'loglikelihood', logprob: this.logprob[id], tokens: this.tokens[id], greedy: this.state[id] === 2 };
    }
  }
}

/** Turn results into per-item predictions and per-condition accuracies (strict: unscored is not correct). */
export function reduceCells(modelName: string, cells: Cell[], results: Results) {
  const items: ItemResult[] = [];
  const byCondition = new Map<string, CellSummary>();
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
    const correct = predicted === null ? null : predicted === gold;
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
    });
    summary.n++;
    if (correct) summary.correct++;
    if (correct === null) summary.unscored++;
    if (tie) summary.ties++;
  }
  const summaries = [...byCondition.values()].map((s) => ({ ...s, accuracy: s.n ? s.correct / s.n : NaN }));
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
