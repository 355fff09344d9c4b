import crypto from 'node:crypto';
import path from 'node:path';
import type { TestContext } from 'node:test';
import pg from 'pg';
import { tempDir } from '../helpers.js';

/**
 * The stores every store test runs against: a SQLite file, and a fresh database on the PostgreSQL
 * server named by GOODHART_TEST_POSTGRES (scripts/postgres-test.sh starts one). Without that server
 * the PostgreSQL variants are skipped with a note, except where GOODHART_REQUIRE_POSTGRES=1 (CI):
 * there they fail.
 */
export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: StoreKind[] = ['sqlite', 'postgres'];

const serverUrl = () => process.env.GOODHART_TEST_POSTGRES;

/** Why a PostgreSQL test cannot run here (undefined: it can); throws where it must run. */
export function postgresMissing(): string | undefined {
  if (serverUrl()) return undefined;
  if (process.env.GOODHART_REQUIRE_POSTGRES === '1')
    throw new Error(
      'GOODHART_REQUIRE_POSTGRES=1 but GOODHART_TEST_POSTGRES is not set: start a server with scripts/postgres-test.sh start',
    );
  return 'no PostgreSQL server: set GOODHART_TEST_POSTGRES (scripts/postgres-test.sh start prints it)';
}

/** A new, empty database on the test server; its URL. */
export async function freshDatabase(): Promise<string> {
  const url = new URL(serverUrl()!);
  const name = `goodhart_test_${crypto.randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  url.pathname = `/${name}`;
  return url.toString();
}

/** Where a test's store is: a SQLite file in a new folder, or a new PostgreSQL database. */
export async function storeLocation(kind: StoreKind, dir = tempDir()): Promise<string> {
  return kind === 'sqlite' ? path.join(dir, 'store.sqlite') : freshDatabase();
}

/** Run `body` once per store kind, as subtests named after it. */
export async function forEachStore(
  t: TestContext,
  body: (kind: StoreKind, location: string, t: TestContext) => Promise<void> | void,
): Promise<void> {
  for (const kind of STORE_KINDS) {
    const missing = kind === 'postgres' ? postgresMissing() : undefined;
    await t.test(kind, { skip: missing }, async (sub) => body(kind, await storeLocation(kind), sub));
  }
}

/** Run SQL on a store's PostgreSQL database (for tests that set up what a crashed worker leaves). */
export async function sql(url: string, text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}
