import fs from 'node:fs';
import type { Model, Outcome, Request, RequestResult } from '../core/types.js';
import type { ResultStore } from '../store/store.js';

export interface CacheCounts {
  cached: number;
  computed: number;
  failed: number;
}

/** Results wait at most this long before they are written (a slow backend's results are stored promptly). */
const MAX_PENDING_MS = 1000;

/**
 * The one cache for every backend: a request already in the store is answered from it, any
 * other goes to the model. Each result is made durable the moment it arrives (the store's
 * journal, where it has one), so a killed run loses no answer it had received; results are
 * committed in one transaction per batch the model was given (and at least every second), and a
 * result counts as computed once it is committed. Failures are recorded, never stored as results.
 */
export class CachingModel {
  readonly counts: CacheCounts = { cached: 0, computed: 0, failed: 0 };

  /** Optional audit trail: one line per stored result, so a test can prove nothing is computed twice. */
  private readonly auditFile = process.env.GOODHART_AUDIT_LOG;
  private pending: [string, RequestResult][] = [];
  private pendingSince = 0;

  constructor(
    readonly inner: Model,
    private readonly store: ResultStore,
  ) {}

  /** Stored results for these keys (counted as cached). */
  lookup(keys: readonly string[]): Map<string, RequestResult> {
    const found = this.store.getMany(this.inner.identity.id, keys);
    this.counts.cached += found.size;
    return found;
  }

  /** Compute requests not in the store; `onOutcome` sees each one (by index) as it completes. */
  async compute(
    requests: Request[],
    keys: string[],
    onOutcome: (index: number, outcome: Outcome) => void,
  ): Promise<void> {
    const modelId = this.inner.identity.id;
    const done = new Uint8Array(requests.length);
    const record = (i: number, o: Outcome) => {
      if (done[i]) return;
      done[i] = 1;
      if (o.ok) {
        this.store.journal?.(modelId, keys[i], o.result);
        if (this.pending.length === 0) this.pendingSince = Date.now();
        this.pending.push([keys[i], o.result]);
        if (Date.now() - this.pendingSince > MAX_PENDING_MS) this.flush();
      } else {
        this.store.putFailure(modelId, keys[i], o.error);
        this.counts.failed++;
      }
      onOutcome(i, o);
    };
    try {
      const outcomes = await this.inner.evaluate(requests, record);
      outcomes.forEach((o, i) => record(i, o ?? { ok: false, error: 'backend returned no result' }));
    } finally {
      this.flush();
    }
  }

  /** Write the pending results in one transaction. */
  private flush(): void {
    if (this.pending.length === 0) return;
    const entries = this.pending;
    this.pending = [];
    const modelId = this.inner.identity.id;
    this.store.putMany(modelId, entries);
    this.counts.computed += entries.length;
    if (this.auditFile) fs.appendFileSync(this.auditFile, entries.map(([key]) => `${modelId} ${key}\n`).join(''));
  }
}
