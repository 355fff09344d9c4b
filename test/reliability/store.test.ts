import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../../src/core/errors.js';
import { SCHEMA_VERSION, SqliteStore } from '../../src/store/sqlite.js';
import { tempDir } from '../helpers.js';

const result = (logprob: number) => ({ kind: 'loglikelihood' as const, logprob, tokens: 1, greedy: false });

function filledStore(): string {
  const file = path.join(tempDir(), 'store.sqlite');
  const store = new SqliteStore(file);
  for (let i = 0; i < 5000; i++) store.put('model', `key${i}`, result(-i));
  store.close();
  return file;
}

function expectRefused(file: string, pattern: RegExp) {
  const before = fs.readFileSync(file);
  assert.throws(() => new SqliteStore(file), (e: unknown) => e instanceof UserError && pattern.test(e.message) && e.message.includes(file));
  assert.ok(fs.readFileSync(file).equals(before), 'the file is left untouched');
}

test('results survive closing and reopening; a failure is forgotten once the request succeeds', () => {
  const file = filledStore();
  const store = new SqliteStore(file);
  assert.deepEqual(store.getMany('model', ['key0', 'key4999', 'missing']).get('key4999'), result(-4999));
  assert.equal(store.getMany('model', ['key0', 'key4999', 'missing']).size, 2);
  store.putFailure('model', 'late', 'HTTP 503 from http://127.0.0.1:1/v1/completions');
  store.putFailure('model', 'late', 'HTTP 503 again');
  assert.equal(store.failureCount('model'), 1);
  store.put('model', 'late', result(-1));
  assert.equal(store.failureCount('model'), 0);
  store.close();
});

test('a truncated store is refused with what to do, and left untouched', () => {
  const file = filledStore();
  fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
  expectRefused(file, /damaged[\s\S]*Move it away/);
});

test('a store from a newer version is refused; a SQLite file of something else is refused', () => {
  const newer = filledStore();
  const db = new Database(newer);
  db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  db.close();
  expectRefused(newer, /newer than this goodhart understands/);

  const other = path.join(tempDir(), 'other.sqlite');
  const odb = new Database(other);
  odb.exec('CREATE TABLE notes (body TEXT)');
  odb.close();
  expectRefused(other, /not a goodhart store/);
});

test('a file that is not SQLite at all is refused', () => {
  const file = path.join(tempDir(), 'store.sqlite');
  fs.writeFileSync(file, 'x'.repeat(5000));
  expectRefused(file, /not a SQLite database/);
});
