import fs from 'node:fs';
import Database from 'better-sqlite3';
import { UserError } from '../core/errors.js';
import type { RequestResult } from '../core/types.js';
import { damagedStoreError, SqliteStore } from './sqlite.js';
import { verifiedResult } from './checksum.js';

/*
 * `goodhart store verify` and `goodhart store salvage`: both read a store without writing to it
 * (read-only, no journal-mode change), so a damaged store is examined as it is.
 */

export interface VerifyReport {
  /** SQLite's integrity_check: ['ok'] or the problems it lists. */
  integrity: string[];
  results: number;
  /** Results stored before checksums existed (trusted as they are). */
  unchecked: number;
  /** Results whose checksum does not match or whose text is not JSON. */
  damaged: number;
  failures: number;
}

/** Open read-only; `done` closes it and removes the -wal and -shm files opening made (SQLite makes them for a WAL store even read-only). */
function openReadOnly(file: string): { db: Database.Database; done(): void } {
  const absent = ['-wal', '-shm'].filter((suffix) => !fs.existsSync(file + suffix));
  const db = openDatabase(file);
  return {
    db,
    done() {
      db.close();
      for (const suffix of absent) {
        const extra = file + suffix;
        if (suffix === '-shm' || (fs.existsSync(extra) && fs.statSync(extra).size === 0))
          fs.rmSync(extra, { force: true });
      }
    },
  };
}

function openDatabase(file: string): Database.Database {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    throw new UserError(`cannot read the store: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
  if (stat.isDirectory()) throw new UserError('this is a folder, not a store file', file);
  try {
    return new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw damagedStoreError(file, (e as Error).message);
  }
}

/** Check every page (integrity_check) and every result's checksum. */
export function verifyStore(file: string): VerifyReport {
  const { db, done } = openReadOnly(file);
  try {
    const report: VerifyReport = { integrity: [], results: 0, unchecked: 0, damaged: 0, failures: 0 };
    try {
      report.integrity = (db.prepare('PRAGMA integrity_check(20)').pluck().all() as unknown[])
        .flatMap((row) => String(row).split('\n'))
        .filter((line) => !line.startsWith('*** in database'));
    } catch (e) {
      report.integrity = [(e as Error).message];
    }
    const rows = readAll(db, file);
    report.results = rows.rows;
    report.unchecked = rows.unchecked;
    report.damaged = rows.damaged;
    if (rows.unreadable) report.integrity.push(`${rows.unreadable} parts of the result log could not be read`);
    try {
      report.failures = db.prepare('SELECT count(*) FROM failures').pluck().get() as number;
    } catch {
      // A damaged failures table is reported by integrity_check already.
    }
    return report;
  } finally {
    done();
  }
}

interface Rows {
  rows: number;
  unchecked: number;
  damaged: number;
  /** Ranges of the log that threw when read (a damaged page), skipped. */
  unreadable: number;
  good: Map<string, [string, RequestResult][]>;
}

/** The largest jump over unreadable rows of one model's log (sequence numbers are below 2^53). */
const MAX_SKIP = 2 ** 40;

/**
 * Every verified result, reading around damaged pages: a query that throws is retried past the
 * row it stopped at, jumping twice as far each time until a read succeeds.
 */
function readRows(db: Database.Database): Rows {
  const out: Rows = { rows: 0, unchecked: 0, damaged: 0, unreadable: 0, good: new Map() };
  const take = (model: string, key: string, text: string, checksum: number | null) => {
    out.rows++;
    if (checksum === null) out.unchecked++;
    const result = verifiedResult(model, key, text, checksum);
    if (!result) return void out.damaged++;
    let list = out.good.get(model);
    if (!list) out.good.set(model, (list = []));
    list.push([key, result]);
  };
  let models: string[];
  try {
    models = db.prepare('SELECT DISTINCT model FROM result_log').pluck().all() as string[];
  } catch {
    models = modelsAround(db);
    out.unreadable++;
  }
  const after = db
    .prepare('SELECT seq, key, result, checksum FROM result_log WHERE model = ? AND seq > ? ORDER BY seq')
    .raw();
  for (const model of models) {
    let seq = 0;
    let skip = 1;
    while (skip <= MAX_SKIP) {
      try {
        for (const [s, key, text, checksum] of after.iterate(model, seq) as Iterable<
          [number, string, string, number | null]
        >) {
          seq = s;
          skip = 1;
          take(model, key, text, checksum);
        }
        break;
      } catch {
        if (skip === 1) out.unreadable++;
        seq += skip;
        skip *= 2;
      }
    }
  }
  try {
    for (const [model, key, text] of db.prepare('SELECT model, key, result FROM results').raw().iterate() as Iterable<
      [string, string, string]
    >)
      take(model, key, text, null);
  } catch {
    out.unreadable++;
  }
  return out;
}

function readAll(db: Database.Database, file: string): Rows {
  try {
    return readRows(db);
  } catch (e) {
    throw damagedStoreError(file, `its results cannot be read at all: ${(e as Error).message}`);
  }
}

/** Model names when the log's index cannot be scanned whole: those of the rows that can be read. */
function modelsAround(db: Database.Database): string[] {
  const models = new Set<string>();
  try {
    for (const model of db.prepare('SELECT model FROM result_log').pluck().iterate() as Iterable<string>)
      models.add(model);
  } catch {
    // Whatever was read before the damage.
  }
  return [...models];
}

/** Copy every readable, verified result of `from` into a new store `to`. */
export function salvageStore(from: string, to: string): { copied: number; damaged: number; unreadable: number } {
  if (fs.existsSync(to)) throw new UserError('the salvage target already exists; name a new file', to);
  const { db, done } = openReadOnly(from);
  let rows: Rows;
  try {
    rows = readAll(db, from);
  } finally {
    done();
  }
  const target = new SqliteStore(to);
  let copied = 0;
  try {
    for (const [model, list] of rows.good) {
      // Later rows of a key win when read, so keeping the order keeps the same answers.
      target.putMany(model, list);
      copied += list.length;
    }
  } finally {
    target.close();
  }
  return { copied, damaged: rows.damaged, unreadable: rows.unreadable };
}
