import type { RequestResult } from '../core/types.js';

/**
 * Where results live. SQLite is the embedded default; the interface is small so that a shared
 * store (e.g. PostgreSQL) can be added without touching the engine.
 */
export interface ResultStore {
  readonly location: string;
  /** Stored results among `keys` for one model. */
  getMany(modelId: string, keys: readonly string[]): Map<string, RequestResult>;
  /** Store one result the moment it arrives (and forget any earlier failure of that request). */
  put(modelId: string, key: string, result: RequestResult): void;
  /** Record a request that finally failed; it is retried on the next run, never scored. */
  putFailure(modelId: string, key: string, error: string): void;
  failureCount(modelId: string): number;
  /** Cached content hash of a file, valid while its size and mtime are unchanged. */
  fileHash(path: string, size: number, mtimeMs: number): string | undefined;
  setFileHash(path: string, size: number, mtimeMs: number, sha256: string): void;
  close(): void;
}
