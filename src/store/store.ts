import type { RequestResult } from '../core/types.js';

/**
 * Where results live. SQLite is the embedded default; the interface is small so that a shared
 * store (e.g. PostgreSQL) can be added without touching the engine.
 */
/** What `claim` found: requests now this worker's to compute, and results others stored meanwhile. */
export interface Claim {
  claimed: string[];
  /** Results appended by others after `since` (by key). */
  arrived: Map<string, RequestResult>;
  /** Pass as `since` next time. */
  position: number;
  /**
   * Nothing claimed because a worker that was alone on the store holds every request of the model
   * and is handing them over one by one: ask again in a moment rather than treating them as taken.
   */
  handingOver?: boolean;
}

export interface ResultStore {
  readonly location: string;
  /** Stored results among `keys` for one model. */
  getMany(modelId: string, keys: readonly string[]): Map<string, RequestResult>;
  /** Store one result the moment it arrives (and forget any earlier failure of that request). */
  put(modelId: string, key: string, result: RequestResult): void;
  /**
   * Optional: make one result durable the moment it arrives, cheaply (SQLite: a line appended to
   * a journal beside the store, replayed by the next run if this one is killed). The caller still
   * stores it with `putMany`, which commits it; a store without this commits only there.
   */
  journal?(modelId: string, key: string, result: RequestResult): void;
  /** Store many results at once (one transaction). */
  putMany(modelId: string, entries: readonly (readonly [string, RequestResult])[]): void;
  /** Where a model's results end now (see `claim`). */
  logPosition(modelId: string): number;
  /**
   * Claim requests to compute, atomically with reading the results others stored after `since`:
   * a key is claimed unless it has arrived or another live worker holds it. Storing (or failing)
   * a request releases its claim; closing the store releases the rest.
   */
  claim(modelId: string, keys: readonly string[], since: number): Claim;
  /** Optional: register this run as a worker of the store; how many other live workers it has (0: alone). */
  join?(): number;
  /** Record a request that finally failed; it is retried on the next run, never scored. */
  putFailure(modelId: string, key: string, error: string): void;
  failureCount(modelId: string): number;
  /** Cached content hash of a file, valid while its size and mtime are unchanged. */
  fileHash(path: string, size: number, mtimeMs: number): string | undefined;
  setFileHash(path: string, size: number, mtimeMs: number, sha256: string): void;
  /** Models with stored results (for `store copy`). */
  models(): string[];
  /** A page of a model's stored results, from `cursor` (none: the start); `cursor` of the answer is absent at the end. */
  scan(
    modelId: string,
    cursor: string | undefined,
    limit: number,
  ): { entries: [string, RequestResult][]; cursor?: string };
  close(): void;
}
