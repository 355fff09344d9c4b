import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { RequestResult } from '../core/types.js';
import { noSpaceError, UserError } from '../core/errors.js';
import type { Claim, ResultStore } from './store.js';
import { resultChecksum, verifiedResult } from './checksum.js';
import { AnswerJournal, orphanedJournals, readJournal } from './journal.js';
import { LoneClaims } from './lone-claims.js';
import { processState, thisProcess, type ProcessIdentity } from './liveness.js';

export const SCHEMA_VERSION = 1;
const SQLITE_HEADER = 'SQLite format 3\u0000';
/** Rows per multi-row INSERT: fewer statement runs per result. */
const ROWS_PER_INSERT = 32;
/** Pages of write-ahead log between checkpoints (64 MB at 4 KB pages). */
const WAL_CHECKPOINT_PAGES = 16_384;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS results (model TEXT NOT NULL, key TEXT NOT NULL, result TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (model, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS failures (model TEXT NOT NULL, key TEXT NOT NULL, error TEXT NOT NULL, attempts INTEGER NOT NULL, last_at INTEGER NOT NULL, PRIMARY KEY (model, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS file_hashes (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime REAL NOT NULL, sha256 TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS result_log (model TEXT NOT NULL, seq INTEGER NOT NULL, key TEXT NOT NULL, result TEXT NOT NULL, created_at INTEGER NOT NULL, checksum INTEGER, PRIMARY KEY (model, seq)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS claims (model TEXT NOT NULL, key TEXT NOT NULL, worker TEXT NOT NULL, PRIMARY KEY (model, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS workers (worker TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, heartbeat INTEGER NOT NULL, started INTEGER, boot TEXT, joined INTEGER) WITHOUT ROWID;
`;

/** A worker whose process cannot be checked from here (another machine) and that has not written for this long is taken to be gone. */
const STALE_WORKER_MS = 10 * 60_000;

/*
 * Results are appended to result_log, clustered by model in the order they were stored; a run
 * reads a model's results with one range scan. Request keys are hashes: inserted into a table
 * keyed by them, each commit rewrites about one B-tree page per result, which caps a large run at
 * a few thousand results per second, while appending writes only the pages a commit fills.
 * `results` (keyed by model and request) holds what earlier versions stored; it is still read.
 *
 * Several processes may share a store. Before computing, a worker claims the requests (in
 * `claims`, in the same transaction that reads what others appended since it last looked), so
 * two runs split overlapping work instead of both doing it; storing a result releases its claim.
 * A claim whose worker is gone is taken over: on this machine, once no process with its pid and
 * start time runs (liveness.ts); from another machine, once it has not written for STALE_WORKER_MS.
 * A worker alone on the store claims with one row per model instead (lone-claims.ts).
 */

/** The one message for a store SQLite cannot read whole: truncated, a damaged page, a failed quick_check. */
export function damagedStoreError(location: string, detail: string): UserError {
  return new UserError(
    `the store is damaged (${detail}); it was left untouched. Move it away or point --store at a new file (its results will then be computed again), ` +
      `or copy every readable result into a new store with: goodhart store salvage ${location} <new file>`,
    location,
  );
}

/** `e` as a UserError about the store at `location` if SQLite found it damaged or unwritable for want of room. */
export function storeError(e: unknown, location: string): UserError | undefined {
  if (e instanceof UserError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  if (
    code === 'SQLITE_CORRUPT' ||
    code === 'SQLITE_NOTADB' ||
    (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT'))
  ) {
    return damagedStoreError(location, (e as Error).message);
  }
  return noSpaceError(e, location);
}

/**
 * Delete a store that holds no result, no failure and no other run's work (one a failed run
 * created), with its -wal and -shm files. Returns whether it did.
 */
export function removeStoreIfEmpty(file: string): boolean {
  try {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const tables = new Set(
        db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).pluck().all() as string[],
      );
      // A registered worker or a claim is another run at work on this store: it is not ours to delete.
      for (const table of ['results', 'result_log', 'failures', 'workers', 'claims']) {
        if (tables.has(table) && db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get() !== undefined) return false;
      }
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
  for (const suffix of ['', '-wal', '-shm', '-journal']) fs.rmSync(file + suffix, { force: true });
  return true;
}

/** Refuse anything that is not a goodhart store of a version we know, without touching it. */
function checkExisting(file: string): void {
  const stat = fs.statSync(file);
  if (stat.size === 0) return;
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(16);
  fs.readSync(fd, head, 0, 16, 0);
  fs.closeSync(fd);
  if (head.toString('latin1') !== SQLITE_HEADER) {
    throw new UserError(
      'this file is not a SQLite database, so it is not a goodhart store; it was left untouched. Point --store at another path or move the file away.',
      file,
    );
  }
}

export class SqliteStore implements ResultStore {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly insertRows: Database.Statement;
  private readonly append: Database.Transaction<
    (modelId: string, entries: readonly (readonly [string, RequestResult])[]) => void
  >;
  private readonly insertFailure: Database.Statement;
  private readonly clearFailure: Database.Statement;
  private readonly select: Database.Statement;
  private readonly selectLogged: Database.Statement;
  private readonly lastSeq: Database.Statement;
  private readonly anyResult: Database.Statement;
  private readonly anyFailure: Database.Statement;
  private readonly release: Database.Statement;
  private readonly logSince: Database.Statement;
  private readonly claiming: Record<'register' | 'take' | 'heldByOthers' | 'takeOver', Database.Statement>;
  private readonly heartbeat: Database.Statement;
  private readonly self = thisProcess();
  private readonly worker = `${this.self.host}:${this.self.pid}:${crypto.randomBytes(4).toString('hex')}`;
  private readonly claimTx: Database.Transaction<(modelId: string, keys: readonly string[], since: number) => Claim>;
  private readonly failTx: Database.Transaction<(modelId: string, key: string, error: string) => void>;
  private readonly lone: LoneClaims;
  /** Ranges of sequence numbers this store appended, per model, ascending: its own results need not be read back. */
  private readonly ownSeqs = new Map<string, [number, number][]>();
  /** Per model: whether it may have recorded failures (only then does storing a result clear one). */
  private readonly mayHaveFailures = new Map<string, boolean>();
  /** Stored results read back damaged (checksum mismatch or not JSON): treated as missing, so computed again. */
  rejected = 0;
  /** What opening found of interrupted runs: answers replayed from their journals, and claims of theirs taken over (work redone). */
  readonly recovery = { replayed: 0, takenOver: 0 };
  private readonly answers: AnswerJournal;

  constructor(readonly location: string) {
    fs.mkdirSync(path.dirname(location), { recursive: true });
    if (fs.existsSync(location)) checkExisting(location);
    let opened: Database.Database | undefined;
    try {
      this.db = opened = new Database(location, { timeout: 30_000 });
      // Check what the file is before changing anything in it (even the journal mode).
      const version = this.db.pragma('user_version', { simple: true }) as number;
      if (version > SCHEMA_VERSION) {
        throw new UserError(
          `store schema version ${version} is newer than this goodhart understands (${SCHEMA_VERSION}); upgrade goodhart or use another store`,
          location,
        );
      }
      if (version === 0) {
        const tables = this.db.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'`).get() as {
          n: number;
        };
        if (tables.n > 0)
          throw new UserError(
            'this SQLite file has tables but is not a goodhart store; it was left untouched',
            location,
          );
      }
      // Before anything is written: a damaged page refuses the store instead of failing (or misleading) mid-run.
      const check = this.db.pragma('quick_check', { simple: true }) as string;
      if (check !== 'ok') throw damagedStoreError(location, `SQLite quick_check: ${check}`);
      this.db.pragma('journal_mode = WAL');
      // WAL + NORMAL survives a killed process (not a power cut) and keeps each insert cheap.
      this.db.pragma('synchronous = NORMAL');
      // A checkpoint (copying the log into the file, and syncing) every 64 MB instead of 4: a large
      // run's store grows by gigabytes, and each checkpoint waits on the disk.
      this.db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
      this.db.exec(SCHEMA);
      const columns = this.db.prepare(`SELECT name FROM pragma_table_info('result_log')`).pluck().all() as string[];
      if (!columns.includes('checksum')) this.db.exec('ALTER TABLE result_log ADD COLUMN checksum INTEGER');
      const workerColumns = this.db.prepare(`SELECT name FROM pragma_table_info('workers')`).pluck().all() as string[];
      if (!workerColumns.includes('started'))
        this.db.exec('ALTER TABLE workers ADD COLUMN started INTEGER; ALTER TABLE workers ADD COLUMN boot TEXT');
      if (!workerColumns.includes('joined')) this.db.exec('ALTER TABLE workers ADD COLUMN joined INTEGER');
      if (version === 0) this.db.pragma(`user_version = ${SCHEMA_VERSION}`);
    } catch (e) {
      if (opened?.open) opened.close();
      if (e instanceof UserError) throw e;
      const code = (e as { code?: unknown }).code;
      if (
        code === 'EISDIR' ||
        code === 'EACCES' ||
        code === 'EPERM' ||
        code === 'SQLITE_CANTOPEN' ||
        code === 'SQLITE_READONLY'
      ) {
        throw new UserError(
          `cannot open the store (${String(code)}): check that it is a file this user may read and write, in a folder it may write`,
          location,
        );
      }
      throw noSpaceError(e, location) ?? damagedStoreError(location, (e as Error).message);
    }
    this.insert = this.db.prepare(
      'INSERT INTO result_log (model, seq, key, result, created_at, checksum) VALUES (?, ?, ?, ?, ?, ?)',
    );
    this.insertRows = this.db.prepare(
      `INSERT INTO result_log (model, seq, key, result, created_at, checksum) VALUES ${Array(ROWS_PER_INSERT).fill('(?, ?, ?, ?, ?, ?)').join(', ')}`,
    );
    this.insertFailure = this.db.prepare(
      `INSERT INTO failures (model, key, error, attempts, last_at) VALUES (?, ?, ?, 1, ?)
       ON CONFLICT (model, key) DO UPDATE SET error = excluded.error, attempts = attempts + 1, last_at = excluded.last_at`,
    );
    this.clearFailure = this.db.prepare('DELETE FROM failures WHERE model = ? AND key = ?');
    // One statement per batch of keys (passed as a JSON array) instead of one per key.
    this.select = this.db
      .prepare('SELECT key, result FROM results WHERE model = ? AND key IN (SELECT value FROM json_each(?))')
      .raw();
    this.selectLogged = this.db.prepare('SELECT key, result, checksum FROM result_log WHERE model = ?').raw();
    this.lastSeq = this.db.prepare('SELECT max(seq) FROM result_log WHERE model = ?').pluck();
    this.anyResult = this.db.prepare('SELECT 1 FROM results WHERE model = ? LIMIT 1').pluck();
    this.append = this.db.transaction((modelId: string, entries: readonly (readonly [string, RequestResult])[]) =>
      this.appendRows(modelId, entries),
    );
    this.anyFailure = this.db.prepare('SELECT 1 FROM failures WHERE model = ? LIMIT 1').pluck();
    this.release = this.db.prepare('DELETE FROM claims WHERE model = ? AND key IN (SELECT value FROM json_each(?))');
    this.heartbeat = this.db.prepare('UPDATE workers SET heartbeat = ? WHERE worker = ?');
    this.logSince = this.db
      .prepare(
        'SELECT seq, key, result, checksum FROM result_log WHERE model = ? AND seq > ? AND seq <= ? ORDER BY seq',
      )
      .raw();
    this.claiming = {
      register: this.db.prepare(
        'INSERT INTO workers (worker, host, pid, heartbeat, started, boot) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (worker) DO UPDATE SET heartbeat = excluded.heartbeat',
      ),
      // Keys are passed as one JSON array: one statement per chunk, not one per key.
      take: this.db.prepare(
        'INSERT INTO claims (model, key, worker) SELECT ?, value, ? FROM json_each(?) WHERE true ON CONFLICT (model, key) DO NOTHING',
      ),
      heldByOthers: this.db
        .prepare(
          'SELECT key, worker FROM claims WHERE model = ? AND key IN (SELECT value FROM json_each(?)) AND worker <> ?',
        )
        .raw(),
      takeOver: this.db.prepare('UPDATE claims SET worker = ? WHERE model = ? AND key = ?'),
    };
    this.claimTx = this.db.transaction((modelId: string, keys: readonly string[], since: number) =>
      this.claimRows(modelId, keys, since),
    );
    this.lone = new LoneClaims(this.db, this.worker, (worker, now) => this.workerAlive(worker, now), this.recovery);
    this.failTx = this.db.transaction((modelId: string, key: string, error: string) => {
      this.insertFailure.run(modelId, key, error, Date.now());
      if (!this.lone.released(modelId, [key])) this.release.run(modelId, JSON.stringify([key]));
    });
    this.answers = new AnswerJournal(location);
    try {
      this.replayJournals();
      // Registered from the start, so that a worker alone on the store knows when it no longer is.
      this.register(Date.now());
    } catch (e) {
      this.db.close();
      throw storeError(e, location) ?? e;
    }
  }

  /**
   * Commit the answers of interrupted runs' journals that the store lacks. Each journal is read in
   * the transaction that commits it, so two runs opening the store at once replay it only once.
   */
  private replayJournals(): void {
    for (const file of orphanedJournals(this.location)) {
      const replay = this.db.transaction(() => {
        if (!fs.existsSync(file)) return 0;
        let added = 0;
        for (const [modelId, answers] of readJournal(file)) {
          const stored = this.getMany(modelId, [...answers.keys()]);
          const missing = [...answers].filter(([key]) => !stored.has(key));
          if (missing.length) this.appendRows(modelId, missing);
          added += missing.length;
        }
        return added;
      });
      this.recovery.replayed += replay.immediate();
      fs.rmSync(file, { force: true });
    }
  }

  /** Make one answer durable the moment it arrives (journaled; committed with the next putMany holding it). */
  journal(modelId: string, key: string, result: RequestResult): void {
    this.answers.append(modelId, key, result);
  }

  getMany(modelId: string, keys: readonly string[]): Map<string, RequestResult> {
    const found = new Map<string, RequestResult>();
    if (keys.length === 0) return found;
    if (this.anyResult.get(modelId) !== undefined) {
      for (let at = 0; at < keys.length; at += 10_000) {
        for (const [key, result] of this.select.iterate(
          modelId,
          JSON.stringify(keys.slice(at, at + 10_000)),
        ) as Iterable<[string, string]>) {
          const parsed = verifiedResult(modelId, key, result, null);
          if (parsed) found.set(key, parsed);
        }
      }
    }
    // Built once a row is found: a model new to the store (every model of a first run) needs none.
    let wanted: Set<string> | undefined;
    const damaged = new Set<string>();
    for (const [key, text, checksum] of this.selectLogged.iterate(modelId) as Iterable<
      [string, string, number | null]
    >) {
      if (!(wanted ??= new Set(keys)).has(key)) continue;
      const result = verifiedResult(modelId, key, text, checksum);
      if (result) found.set(key, result);
      else damaged.add(key);
    }
    // A damaged row whose request was stored again since (computed after the damage was found) costs nothing.
    for (const key of damaged) if (!found.has(key)) this.rejected++;
    return found;
  }

  /** Where a model's results end now: `claim(…, since)` returns those appended after it. */
  logPosition(modelId: string): number {
    return (this.lastSeq.get(modelId) as number | null) ?? 0;
  }

  claim(modelId: string, keys: readonly string[], since: number): Claim {
    // Alone, with the model's `*` row in place: nothing to write (a worker arriving now finds the row).
    if (this.lone.holdsAll(modelId)) {
      const { arrived, position } = this.appendedByOthers(modelId, since);
      return {
        claimed: this.lone.claimAlone(modelId, arrived.size ? keys.filter((k) => !arrived.has(k)) : keys),
        arrived,
        position,
      };
    }
    return this.claimTx.immediate(modelId, keys, since);
  }

  private register(now: number): void {
    this.claiming.register.run(this.worker, this.self.host, this.self.pid, now, this.self.start, this.self.boot);
  }

  /**
   * Registers this run as one at work on the store, in the order runs joined (a worker merely
   * opening the store does not count), and returns how many live runs joined before it.
   */
  join(): number {
    return this.db
      .transaction(() => {
        const now = Date.now();
        this.register(now);
        this.db
          .prepare(
            'UPDATE workers SET joined = coalesce(joined, (SELECT coalesce(max(joined), 0) + 1 FROM workers)) WHERE worker = ?',
          )
          .run(this.worker);
        const earlier = this.db
          .prepare(
            'SELECT w.worker FROM workers w, workers me WHERE me.worker = ? AND w.worker <> me.worker AND w.joined < me.joined',
          )
          .pluck()
          .all(this.worker) as string[];
        return earlier.filter((w) => this.workerAlive(w, now)).length;
      })
      .immediate();
  }

  private claimRows(modelId: string, keys: readonly string[], since: number): Claim {
    const now = Date.now();
    const { take, heldByOthers, takeOver } = this.claiming;
    this.register(now);
    const { arrived, position } = this.appendedByOthers(modelId, since);
    const wanted = arrived.size ? keys.filter((k) => !arrived.has(k)) : keys;
    const alone = this.lone.claim(modelId, wanted, now);
    if (alone === 'handing-over') return { claimed: [], arrived, position, handingOver: true };
    if (alone) return { claimed: alone, arrived, position };
    const list = JSON.stringify(wanted);
    take.run(modelId, this.worker, list);
    const held = new Set<string>();
    const alive = new Map<string, boolean>();
    for (const [key, worker] of heldByOthers.all(modelId, list, this.worker) as [string, string][]) {
      if (!alive.has(worker)) alive.set(worker, this.workerAlive(worker, now));
      if (alive.get(worker)) held.add(key);
      else {
        takeOver.run(this.worker, modelId, key);
        this.recovery.takenOver++;
      }
    }
    return { claimed: held.size ? wanted.filter((k) => !held.has(k)) : [...wanted], arrived, position };
  }

  /**
   * Results appended after `since` by other workers. Sequence numbers have no gaps, so when this
   * store appended every row since then, there is nothing to read.
   */
  private appendedByOthers(modelId: string, since: number): { arrived: Map<string, RequestResult>; position: number } {
    const arrived = new Map<string, RequestResult>();
    const last = this.logPosition(modelId);
    const own = this.ownSeqs.get(modelId) ?? [];
    let ownSince = 0;
    for (const [from, to] of own) ownSince += Math.max(0, to - Math.max(from - 1, since));
    if (last - since === ownSince) return { arrived, position: last };
    let range = 0;
    for (const [seq, key, text, checksum] of this.logSince.iterate(modelId, since, last) as Iterable<
      [number, string, string, number | null]
    >) {
      while (range < own.length && own[range][1] < seq) range++;
      if (range < own.length && own[range][0] <= seq) continue;
      const result = verifiedResult(modelId, key, text, checksum);
      if (result) arrived.set(key, result);
      else this.rejected++;
    }
    return { arrived, position: last };
  }

  private workerAlive(worker: string, now: number): boolean {
    const row = this.db
      .prepare('SELECT host, pid, heartbeat, started, boot FROM workers WHERE worker = ?')
      .get(worker) as
      { host: string; pid: number; heartbeat: number; started: number | null; boot: string | null } | undefined;
    if (!row) return false;
    const owner: ProcessIdentity = { host: row.host, boot: row.boot ?? '', pid: row.pid, start: row.started ?? 0 };
    const state = processState(owner);
    if (state !== 'unknown') return state === 'alive';
    return now - row.heartbeat < STALE_WORKER_MS;
  }

  put(modelId: string, key: string, result: RequestResult): void {
    this.putMany(modelId, [[key, result]]);
  }

  /** Store many results in one transaction: one commit instead of one per result. */
  putMany(modelId: string, entries: readonly (readonly [string, RequestResult])[]): void {
    // IMMEDIATE takes the write lock first, so the next sequence number cannot be taken by another process.
    this.append.immediate(modelId, entries);
    this.answers.committed(
      modelId,
      entries.map(([key]) => key),
    );
  }

  private appendRows(modelId: string, entries: readonly (readonly [string, RequestResult])[]): void {
    const now = Date.now();
    let seq = ((this.lastSeq.get(modelId) as number | null) ?? 0) + 1;
    const own = this.ownSeqs.get(modelId) ?? [];
    this.ownSeqs.set(modelId, own);
    const last = own[own.length - 1];
    if (last && last[1] === seq - 1) last[1] = seq + entries.length - 1;
    else own.push([seq, seq + entries.length - 1]);
    let i = 0;
    for (const params: unknown[] = []; i + ROWS_PER_INSERT <= entries.length; params.length = 0) {
      for (const end = i + ROWS_PER_INSERT; i < end; i++) params.push(...this.row(modelId, seq++, entries[i], now));
      this.insertRows.run(params);
    }
    for (; i < entries.length; i++) this.insert.run(this.row(modelId, seq++, entries[i], now));
    if (this.hasFailures(modelId)) for (const [key] of entries) this.clearFailure.run(modelId, key);
    const keys = entries.map(([key]) => key);
    if (!this.lone.released(modelId, keys)) this.release.run(modelId, JSON.stringify(keys));
    this.heartbeat.run(now, this.worker);
  }

  private row(modelId: string, seq: number, [key, result]: readonly [string, RequestResult], now: number): unknown[] {
    const text = JSON.stringify(result);
    return [modelId, seq, key, text, now, resultChecksum(modelId, key, text)];
  }

  putFailure(modelId: string, key: string, error: string): void {
    this.failTx(modelId, key, error);
    this.mayHaveFailures.set(modelId, true);
  }

  private hasFailures(modelId: string): boolean {
    let known = this.mayHaveFailures.get(modelId);
    if (known === undefined) this.mayHaveFailures.set(modelId, (known = this.anyFailure.get(modelId) !== undefined));
    return known;
  }

  failureCount(modelId: string): number {
    return this.db.prepare('SELECT count(*) FROM failures WHERE model = ?').pluck().get(modelId) as number;
  }

  fileHash(file: string, size: number, mtimeMs: number): string | undefined {
    const row = this.db
      .prepare('SELECT sha256 FROM file_hashes WHERE path = ? AND size = ? AND mtime = ?')
      .pluck()
      .get(file, size, mtimeMs);
    return row as string | undefined;
  }

  setFileHash(file: string, size: number, mtimeMs: number, sha256: string): void {
    this.db
      .prepare('INSERT OR REPLACE INTO file_hashes (path, size, mtime, sha256) VALUES (?, ?, ?, ?)')
      .run(file, size, mtimeMs, sha256);
  }

  models(): string[] {
    return this.db
      .prepare('SELECT model FROM result_log UNION SELECT model FROM results ORDER BY 1')
      .pluck()
      .all() as string[];
  }

  /** Results in the order they were appended (cursor `log:<seq>`), then those of earlier versions by key (`old:<key>`). */
  scan(
    modelId: string,
    cursor: string | undefined,
    limit: number,
  ): { entries: [string, RequestResult][]; cursor?: string } {
    const [part, at] = cursor ? [cursor.slice(0, 3), cursor.slice(4)] : ['log', '0'];
    if (part === 'log') {
      const rows = this.db
        .prepare('SELECT seq, key, result FROM result_log WHERE model = ? AND seq > ? ORDER BY seq LIMIT ?')
        .raw()
        .all(modelId, Number(at), limit) as [number, string, string][];
      const entries = rows.map(([, key, result]): [string, RequestResult] => [
        key,
        JSON.parse(result) as RequestResult,
      ]);
      return { entries, cursor: rows.length === limit ? `log:${rows[rows.length - 1][0]}` : 'old:' };
    }
    const rows = this.db
      .prepare('SELECT key, result FROM results WHERE model = ? AND key > ? ORDER BY key LIMIT ?')
      .raw()
      .all(modelId, at, limit) as [string, string][];
    const entries = rows.map(([key, result]): [string, RequestResult] => [key, JSON.parse(result) as RequestResult]);
    return { entries, ...(rows.length === limit ? { cursor: `old:${rows[rows.length - 1][0]}` } : {}) };
  }

  close(): void {
    if (!this.db.open) return;
    this.lone.close();
    try {
      // Throws if a journal write failed (a full disk): the database is closed all the same.
      this.answers.close();
    } finally {
      try {
        this.db.prepare('DELETE FROM claims WHERE worker = ?').run(this.worker);
        this.db.prepare('DELETE FROM workers WHERE worker = ?').run(this.worker);
      } catch {
        // A full disk or a locked file: the claims stay, and whoever wants them takes them over once this process has exited.
      }
      this.db.close();
    }
  }
}
