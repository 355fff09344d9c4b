import path from 'node:path';
import { isPostgresUrl, PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { ResultStore } from './store.js';

/** A store by location: a `postgres://` (or `postgresql://`) URL, or the path of a SQLite file. */
export function openStore(location: string): ResultStore {
  return isPostgresUrl(location) ? new PostgresStore(location) : new SqliteStore(path.resolve(location));
}
