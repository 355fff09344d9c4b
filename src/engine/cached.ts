import fs from 'node:fs';
import type { Model, Outcome, Request, RequestResult } from '../core/types.js';
import type { ResultStore } from '../store/store.js';

export interface CacheCounts {
  cached: number;
  computed: number;
  failed: number;
}

/**
 * The one cache for every backend: a request already in the store is answered from it, any
 * other goes to the model, and each result is stored the moment it arrives (so an interrupted
 * run loses nothing it finished). Failures are recorded, never stored as results.
 */
export class CachingModel {
  readonly counts: CacheCounts = { cached: 0, computed: 0, failed: 0 };

  /** Optional audit trail: one line per stored result, so a test can prove nothing is computed twice. */
  private readonly auditFile = process.env.GOODHART_AUDIT_LOG;

  constructor(readonly inner: Model, private readonly store: ResultStore) {}

  /** Stored results for these keys (counted as cached). */
  lookup(keys: readonly string[]): Map<string, RequestResult> {
    const found = this.store.getMany(this.inner.identity.id, keys);
    this.counts.cached += found.size;
    return found;
  }

  /** Compute requests not in the store; `onOutcome` sees each one as it completes. */
  async compute(requests: Request[], keys: string[], onOutcome: (key: string, outcome: Outcome) => void): Promise<void> {
    const modelId = this.inner.identity.id;
    const done = new Array<boolean>(requests.length).fill(false);
    const record = (i: number, o: Outcome) => {
      if (done[i]) return;
      done[i] = true;
      if (o.ok) {
        this.store.put(modelId, keys[i], o.result);
        this.counts.computed++;
        if (this.auditFile) fs.appendFileSync(this.auditFile, `${modelId} ${keys[i]}\n`);
      }
      else { this.store.putFailure(modelId, keys[i], o.error); this.counts.failed++; }
      onOutcome(keys[i], o);
    };
    const outcomes = await this.inner.evaluate(requests, record);
    outcomes.forEach((o, i) => record(i, o ?? { ok: false, error: 'backend returned no result' }));
  }
}
