import type { GenerateResult, Model, RequestResult } from '../core/types.js';
import type { ResultStore } from '../store/store.js';
import { CachingModel, type CacheCounts } from './cached.js';
import type { RequestTable } from './keys.js';
import type { Progress } from './progress.js';

export interface RunControl {
  progress?: Progress;
  /** Checked between chunks: when it returns true the run stops early (results so far are stored). */
  shouldStop?: () => boolean;
  /** Requests sent to a model at once. */
  chunkSize?: number;
  /** Chunks in flight at once (default: the model's preferredConcurrency, else 1). */
  chunksInFlight?: number;
  /** Keep each result's per-token log-probs (see Results). */
  keepTokenLogprobs?: boolean;
}

/** How often a run waiting for requests another run holds looks again (doubling from the first to the second). */
const MIN_POLL_MS = 50;
const MAX_POLL_MS = 1000;

export class Interrupted extends Error {
  constructor() {
    super('interrupted');
  }
}

/**
 * The results of the requests `ids` of `table` for one model: those in the store are read,
 * the rest are claimed chunk by chunk and computed (or, when another run sharing the store holds
 * them, waited for). A request that fails stays without a result.
 */
export async function computeRequests(
  model: Model,
  table: RequestTable,
  ids: Int32Array,
  store: ResultStore,
  control: RunControl = {},
): Promise<{ results: Results; counts: CacheCounts }> {
  const cache = new CachingModel(model, store);
  const modelId = model.identity.id;
  const results = new Results(table.size, control.keepTokenLogprobs);
  // Taken before the lookup: whatever another run stores from here on arrives with a claim.
  let position = store.logPosition(modelId);
  const found = cache.lookup(Array.from(ids, (id) => table.keys[id]));
  const missing = ids.filter((id) => {
    const r = found.get(table.keys[id]);
    if (r) results.set(id, r);
    return !r;
  });
  control.progress?.start(model.identity.name, missing.length);
  // Built when another run first stores something: alone, a run never needs it.
  let idOf: Map<string, number> | undefined;
  const absorb = (arrived: Map<string, RequestResult>) => {
    if (arrived.size === 0) return;
    idOf ??= new Map(Array.from(missing, (id) => [table.keys[id], id]));
    for (const [key, result] of arrived) {
      const id = idOf.get(key);
      if (id === undefined || results.has(id)) continue;
      results.set(id, result);
      cache.counts.cached++;
      control.progress?.tick();
    }
  };
  // At least 16 claims per model: two runs started together on one store then split shared work
  // finely instead of the first taking it all in a chunk or two.
  const chunk = control.chunkSize ?? Math.min(256, Math.max(32, Math.ceil(missing.length / 16)));
  const inFlight = control.chunksInFlight ?? model.preferredConcurrency ?? 1;
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  // Another run already at work on this store walks the requests from the other end: two runs
  // started together then meet in the middle of the work they share, each doing part of it.
  const fromTheEnd = missing.length > 0 && (store.join?.() ?? 0) % 2 === 1;
  // Requests another live run holds: looked at again once this run has nothing else to do.
  let queue: ArrayLike<number> = fromTheEnd ? missing.slice().reverse() : missing;
  let waiting: number[] = [];
  let next = 0;
  let pollMs = MIN_POLL_MS;
  while (!failure) {
    if (control.shouldStop?.()) {
      await Promise.all(running);
      throw new Interrupted();
    }
    const batch: number[] = [];
    const batchStart = next;
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
    const claim = store.claim(
      modelId,
      batch.map((id) => table.keys[id]),
      position,
    );
    position = claim.position;
    absorb(claim.arrived);
    if (claim.handingOver) {
      // A run that was alone hands its requests over within moments: the same batch again then.
      next = batchStart;
      await new Promise((resolve) => setTimeout(resolve, MIN_POLL_MS));
      continue;
    }
    let claimed = batch;
    if (claim.claimed.length < batch.length) {
      const mine = new Set(claim.claimed);
      claimed = batch.filter((id) => mine.has(table.keys[id]));
      for (const id of batch) if (!mine.has(table.keys[id]) && !results.has(id)) waiting.push(id);
    }
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
  return { results, counts: cache.counts };
}

/**
 * One model's results by request id, in typed arrays: a large run holds millions of them, and
 * as objects they would outlive the young generation and leave that much garbage per model.
 */
export class Results {
  private readonly logprob: Float64Array;
  private readonly tokens: Int32Array;
  /** 0: none; 1: log-likelihood; 2: greedy log-likelihood; 3: next-token (in `next`); 4: generated text (in `generated`). */
  private readonly state: Uint8Array;
  private readonly next = new Map<number, (number | null)[]>();
  private readonly generated = new Map<number, GenerateResult>();
  /** Per-token log-probs, kept only when asked for (the Min-K% probe reads them; a study's cells do not). */
  private readonly perToken?: Map<number, number[]>;

  constructor(size: number, keepTokenLogprobs = false) {
    if (keepTokenLogprobs) this.perToken = new Map();
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
    if (r.kind === 'generate') {
      this.generated.set(id, r);
      this.state[id] = 4;
      return;
    }
    this.logprob[id] = r.logprob;
    this.tokens[id] = r.tokens;
    if (this.perToken && r.tokenLogprobs) this.perToken.set(id, r.tokenLogprobs);
    this.state[id] = r.greedy ? 2 : 1;
  }

  has(id: number): boolean {
    return this.state[id] !== 0;
  }

  get(id: number): RequestResult | undefined {
    switch (this.state[id]) {
      case 0:
        return undefined;
      case 3:
        return { kind: 'nextToken', logprobs: this.next.get(id)! };
      case 4:
        return this.generated.get(id)!;
      default: {
        const tokenLogprobs = this.perToken?.get(id);
        return {
          kind: 'loglikelihood',
          logprob: this.logprob[id],
          tokens: this.tokens[id],
          greedy: this.state[id] === 2,
          ...(tokenLogprobs ? { tokenLogprobs } : {}),
        };
      }
    }
  }
}
