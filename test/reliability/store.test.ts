import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { UserError } from '../../src/core/errors.js';
import { openStore } from '../../src/store/open.js';
import { SCHEMA_VERSION, SqliteStore } from '../../src/store/sqlite.js';
import { CLI_ARGS, tempDir } from '../helpers.js';
import { forEachStore } from '../store/backends.js';

const result = (logprob: number) => ({ kind: 'loglikelihood' as const, logprob, tokens: 1, greedy: false });

function filledStore(): string {
  const file = path.join(tempDir(), 'store.sqlite');
  const store = new SqliteStore(file);
  for (let i = 0; i < 5000; i++) store.put('model', `key${i}`, result(-i || 0));
  store.close();
  return file;
}

function expectRefused(file: string, pattern: RegExp) {
  const before = fs.readFileSync(file);
  assert.throws(
    () => new SqliteStore(file),
    (e: unknown) => e instanceof UserError && pattern.test(e.message) && e.message.includes(file),
  );
  assert.ok(fs.readFileSync(file).equals(before), 'the file is left untouched');
}

test('results survive closing and reopening; a failure is forgotten once the request succeeds', (t) =>
  forEachStore(t, (_kind, location) => {
    const filling = openStore(location);
    filling.putMany(
      'model',
      Array.from({ length: 5000 }, (_, i) => [`key${i}`, result(-i)] as const),
    );
    filling.close();
    const store = openStore(location);
    assert.deepEqual(store.getMany('model', ['key0', 'key4999', 'missing']).get('key4999'), result(-4999));
    assert.equal(store.getMany('model', ['key0', 'key4999', 'missing']).size, 2);
    store.putFailure('model', 'late', 'HTTP 503 from http://127.0.0.1:1/v1/completions');
    store.putFailure('model', 'late', 'HTTP 503 again');
    assert.equal(store.failureCount('model'), 1);
    store.put('model', 'late', result(-1));
    assert.equal(store.failureCount('model'), 0);
    store.close();
  }));

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

test('a store written by an earlier version (results keyed by request, no log, no claims) is read and brought up to date', () => {
  const file = path.join(tempDir(), 'old.sqlite');
  const db = new Database(file);
  db.exec(`CREATE TABLE results (model TEXT NOT NULL, key TEXT NOT NULL, result TEXT NOT NULL, created_at INTEGER NOT NULL, PRIMARY KEY (model, key)) WITHOUT ROWID;
CREATE TABLE failures (model TEXT NOT NULL, key TEXT NOT NULL, error TEXT NOT NULL, attempts INTEGER NOT NULL, last_at INTEGER NOT NULL, PRIMARY KEY (model, key)) WITHOUT ROWID;
CREATE TABLE file_hashes (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime REAL NOT NULL, sha256 TEXT NOT NULL);`);
  db.prepare('INSERT INTO results VALUES (?, ?, ?, ?)').run('model', 'old', JSON.stringify(result(-7)), 1);
  db.pragma('user_version = 1');
  db.close();
  const store = new SqliteStore(file);
  assert.deepEqual(
    store.getMany('model', ['old', 'new']),
    new Map([['old', result(-7)]]),
    'the earlier results are still read',
  );
  assert.deepEqual(
    store.claim('model', ['new'], store.logPosition('model')).claimed,
    ['new'],
    'the tables a shared store needs are added',
  );
  store.put('model', 'new', result(-8));
  store.close();
  const reopened = new SqliteStore(file);
  assert.equal(reopened.getMany('model', ['old', 'new']).size, 2);
  reopened.close();
});

const PAGE = 4096;
const keys = Array.from({ length: 5000 }, (_, i) => `key${i}`);

/** Every result a store gives back is the one stored; returns how many it gave and how many it rejected. */
function readBack(file: string): { found: number; rejected: number } {
  const store = new SqliteStore(file);
  try {
    const found = store.getMany('model', keys);
    for (const [key, r] of found) assert.deepEqual(r, result(-Number(key.slice(3)) || 0), `${key} read back as stored`);
    return { found: found.size, rejected: store.rejected };
  } finally {
    store.close();
  }
}

test('4 KB of random bytes over any page: the store is refused untouched (damaged, with what to do) or every result it gives is right', (t) => {
  const clean = filledStore();
  const pages = fs.statSync(clean).size / PAGE;
  let refused = 0;
  let opened = 0;
  for (let page = 1; page < pages; page++) {
    const file = path.join(tempDir(), 'store.sqlite');
    const bytes = fs.readFileSync(clean);
    crypto.randomFillSync(bytes, page * PAGE, PAGE);
    fs.writeFileSync(file, bytes);
    try {
      readBack(file);
      opened++;
    } catch (e) {
      assert.ok(e instanceof UserError, `page ${page}: a UserError, not ${(e as Error).stack}`);
      assert.match(e.message, /the store is damaged[\s\S]*Move it away[\s\S]*goodhart store salvage/);
      assert.ok(e.message.startsWith(file), e.message);
      assert.ok(fs.readFileSync(file).equals(bytes), `page ${page}: left untouched`);
      refused++;
    }
  }
  t.diagnostic(`${pages - 1} pages damaged in turn: ${refused} refused, ${opened} opened with every result right`);
  assert.ok(refused > pages / 2, `most damaged pages are refused (${refused} of ${pages - 1})`);
  assert.equal(refused + opened, pages - 1);
});

test('a bit flipped inside a stored result fails its checksum: treated as missing and counted; verify says so; salvage leaves it out', () => {
  const file = filledStore();
  const bytes = fs.readFileSync(file);
  const at = bytes.indexOf('"logprob":-4321,');
  assert.ok(at > 0);
  bytes[at + 11] ^= 0x01; // -4321 becomes -5321: still valid JSON, a wrong number
  fs.writeFileSync(file, bytes);
  assert.deepEqual(readBack(file), { found: 4999, rejected: 1 });

  const out = spawnSync(process.execPath, [...CLI_ARGS, 'store', 'verify', file], { encoding: 'utf8' });
  assert.equal(out.status, 1, out.stderr);
  assert.match(out.stdout, /DAMAGED/);
  assert.match(out.stdout, /results: 5000 \(4999 verified, 0 from before checksums, 1 damaged\)/);

  const salvaged = path.join(tempDir(), 'salvaged.sqlite');
  const s = spawnSync(process.execPath, [...CLI_ARGS, 'store', 'salvage', file, salvaged], { encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
  assert.match(s.stdout, /copied 4999 verified results/);
  assert.deepEqual(readBack(salvaged), { found: 4999, rejected: 0 });
  const ok = spawnSync(process.execPath, [...CLI_ARGS, 'store', 'verify', salvaged], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
});

test('salvage reads around a damaged page of the result log', () => {
  const clean = filledStore();
  const pages = fs.statSync(clean).size / PAGE;
  const file = path.join(tempDir(), 'store.sqlite');
  const bytes = fs.readFileSync(clean);
  crypto.randomFillSync(bytes, Math.floor(pages / 2) * PAGE, PAGE);
  fs.writeFileSync(file, bytes);
  const salvaged = path.join(tempDir(), 'salvaged.sqlite');
  const r = spawnSync(process.execPath, [...CLI_ARGS, 'store', 'salvage', file, salvaged], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(fs.readFileSync(file).equals(bytes), 'the damaged store is left untouched');
  const { found } = readBack(salvaged);
  assert.ok(found > 4500 && found < 5000, `most results salvaged (${found} of 5000)`);
});
