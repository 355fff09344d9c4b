import crypto from 'node:crypto';
import os from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { RequestResult } from '../core/types.js';
import { UserError } from '../core/errors.js';
import type { ThreadData } from './pg-thread.js';
import type { Claim, ResultStore } from './store.js';

/** How long a claim outlives the last sign of life of its process (default; GOODHART_LEASE_SECONDS overrides). */
export const DEFAULT_LEASE_SECONDS = 30;
/** An operation that takes longer than this means the server is gone. */
const ANSWER_TIMEOUT_MS = 120_000;

export const isPostgresUrl = (location: string) => /^postgres(ql)?:\/\//.test(location);

export function leaseSeconds(): number {
  const raw = process.env.GOODHART_LEASE_SECONDS;
  if (raw === undefined || raw === '') return DEFAULT_LEASE_SECONDS;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0)
    throw new UserError(`must be a positive number of seconds, not "${raw}"`, 'GOODHART_LEASE_SECONDS');
  return n;
}

/** The URL without its password, for messages and run summaries. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

/**
 * The result store on a PostgreSQL server, shared by every machine that reaches it: the same
 * interface and semantics as the SQLite store, with claims held under a lease that a background
 * thread renews (see pg-thread.ts); a process that stops renewing loses its claims after the lease.
 */
export class PostgresStore implements ResultStore {
  readonly location: string;
  private readonly thread: Worker;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly port: MessageChannel['port1'];
  private closed = false;

  constructor(url: string) {
    this.location = redactUrl(url);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const worker = `${os.hostname()}:${process.pid}:${crypto.randomBytes(4).toString('hex')}`;
    const data: ThreadData = { url, worker, leaseSeconds: leaseSeconds(), reply: port2, signal: this.signal };
    this.thread = startThread(data, port2);
    this.thread.unref();
    try {
      this.call('open');
    } catch (e) {
      void this.thread.terminate();
      throw e;
    }
  }

  private call<T>(op: string, ...args: unknown[]): T {
    if (this.closed) throw new Error(`the store ${this.location} is closed`);
    Atomics.store(this.signal, 0, 0);
    this.thread.postMessage({ op, args });
    if (Atomics.wait(this.signal, 0, 0, ANSWER_TIMEOUT_MS) === 'timed-out') {
      throw new UserError(`the PostgreSQL server did not answer within ${ANSWER_TIMEOUT_MS / 1000} s`, this.location);
    }
    const reply = receiveMessageOnPort(this.port)?.message as
      { value?: T; error?: { message: string; code?: string } } | undefined;
    if (!reply) throw new Error(`no answer from the store's connection thread (${op})`);
    if (reply.error) throw storeError(reply.error, this.location, op);
    return reply.value as T;
  }

  getMany(modelId: string, keys: readonly string[]): Map<string, RequestResult> {
    const found = new Map<string, RequestResult>();
    if (keys.length === 0) return found;
    for (const [key, result] of this.call<[string, string][]>('getMany', modelId, keys))
      found.set(key, JSON.parse(result) as RequestResult);
    return found;
  }

  put(modelId: string, key: string, result: RequestResult): void {
    this.putMany(modelId, [[key, result]]);
  }

  putMany(modelId: string, entries: readonly (readonly [string, RequestResult])[]): void {
    if (entries.length === 0) return;
    this.call(
      'putMany',
      modelId,
      entries.map(([key, result]) => [key, JSON.stringify(result)]),
    );
  }

  logPosition(modelId: string): number {
    return this.call<number>('logPosition', modelId);
  }

  claim(modelId: string, keys: readonly string[], since: number): Claim {
    const got = this.call<{ claimed: string[]; arrived: [string, string][]; position: number }>(
      'claim',
      modelId,
      keys,
      since,
    );
    const arrived = new Map<string, RequestResult>();
    for (const [key, result] of got.arrived) arrived.set(key, JSON.parse(result) as RequestResult);
    return { claimed: got.claimed, arrived, position: got.position };
  }

  join(): number {
    return this.call<number>('join');
  }

  putFailure(modelId: string, key: string, error: string): void {
    this.call('putFailure', modelId, key, error);
  }

  failureCount(modelId: string): number {
    return this.call<number>('failureCount', modelId);
  }

  fileHash(path: string, size: number, mtimeMs: number): string | undefined {
    return this.call<string | undefined>('fileHash', path, size, mtimeMs);
  }

  setFileHash(path: string, size: number, mtimeMs: number, sha256: string): void {
    this.call('setFileHash', path, size, mtimeMs, sha256);
  }

  models(): string[] {
    return this.call<string[]>('models');
  }

  scan(
    modelId: string,
    cursor: string | undefined,
    limit: number,
  ): { entries: [string, RequestResult][]; cursor?: string } {
    const rows = this.call<[string, string][]>('scan', modelId, cursor ?? '', limit);
    const entries = rows.map(([key, result]): [string, RequestResult] => [key, JSON.parse(result) as RequestResult]);
    return { entries, ...(rows.length === limit ? { cursor: rows[rows.length - 1][0] } : {}) };
  }

  close(): void {
    if (this.closed) return;
    try {
      this.call('close');
    } catch {
      // The server is gone: the claims lapse with the lease.
    } finally {
      this.closed = true;
      void this.thread.terminate();
    }
  }
}

/** The connection thread; run from the TypeScript sources, it loads them through tsx as this process does. */
function startThread(workerData: ThreadData, reply: MessageChannel['port2']): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./pg-thread.js', import.meta.url), { workerData, transferList: [reply] });
  const entry = new URL('./pg-thread.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { eval: true, workerData, transferList: [reply] });
}

/** A server error as the user can act on it: what failed and where, never the password. */
function storeError(error: { message: string; code?: string }, location: string, op: string): Error {
  if (error.code === 'GOODHART_VERSION') return new UserError(error.message, location);
  if (
    op === 'open' ||
    ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', '28P01', '28000', '3D000'].includes(error.code ?? '')
  ) {
    return new UserError(
      `cannot use the PostgreSQL store: ${error.message}${error.code ? ` (${error.code})` : ''}. Check the URL, that the server is running and that this user may connect.`,
      location,
    );
  }
  if (error.code === '53100')
    return new UserError(
      `the PostgreSQL server's disk is full (${error.code}): everything stored before is kept; free space there, then run the same command again to resume.`,
      location,
    );
  return new UserError(
    `the PostgreSQL store failed (${op}): ${error.message}${error.code ? ` (${error.code})` : ''}`,
    location,
  );
}
