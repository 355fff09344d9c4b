import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { RequestResult } from '../../src/core/types.js';
import { IDLE_ALONE_MS, OTHERS_CHECK_MS } from '../../src/store/lone-claims.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { tempDir } from '../helpers.js';

/**
 * A worker alone on a SQLite store claims a model's requests with one `*` row instead of a row
 * each; a worker arriving later waits on that row until the lone one has claimed, row by row,
 * what it still computes. (The intervals slept are the store's own, passed with a margin: the
 * outcome does not depend on how busy the machine is.)
 */

const result = (logprob: number): RequestResult => ({ kind: 'loglikelihood', logprob, tokens: 1, greedy: false });
const claimRows = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare('SELECT model, key FROM claims ORDER BY model, key').raw().all() as [string, string][]).map(
      ([m, k]) => `${m}/${k}`,
    );
  } finally {
    db.close();
  }
};

test('alone: one row per model stands for every request; a newcomer waits until the lone worker has claimed them one by one', async () => {
  const file = path.join(tempDir(), 'store.sqlite');
  const a = new SqliteStore(file);
  assert.deepEqual(a.claim('m', ['k1', 'k2', 'k3', 'k4'], 0).claimed, ['k1', 'k2', 'k3', 'k4']);
  assert.deepEqual(a.claim('m', ['k7'], 0).claimed, ['k7']);
  assert.deepEqual(claimRows(file), ['m/*'], 'no row per request while alone');

  const b = new SqliteStore(file);
  const waiting = b.claim('m', ['k3', 'k4', 'k5', 'k6'], 0);
  assert.deepEqual(
    waiting.claimed,
    [],
    'everything of the model is held while the lone worker has not seen the newcomer',
  );
  assert.deepEqual(b.claim('other', ['x'], 0).claimed, ['x'], 'another model is not held');

  await sleep(OTHERS_CHECK_MS + 20);
  a.putMany('m', [['k1', result(-1)]]);
  assert.deepEqual(
    claimRows(file),
    ['m/k2', 'm/k3', 'm/k4', 'm/k7', 'other/x'],
    'the lone worker claimed what it still computes, one row each',
  );
  const shared = b.claim('m', ['k1', 'k3', 'k4', 'k5', 'k6'], waiting.position);
  assert.deepEqual(shared.claimed, ['k5', 'k6'], 'held by a live worker: not claimed again');
  assert.deepEqual([...shared.arrived.keys()], ['k1'], 'what the lone worker stored arrives');
  a.putMany('m', [['k3', result(-3)]]);
  assert.deepEqual(b.claim('m', ['k3'], shared.position).arrived.get('k3'), result(-3));
  a.close();
  b.close();
  assert.deepEqual(claimRows(file), [], 'no claim is left behind');
});

test('alone: the row of a model the worker has nothing of in hand goes after a while; a closed store leaves none', async () => {
  const file = path.join(tempDir(), 'store.sqlite');
  const a = new SqliteStore(file);
  a.claim('m', ['k1', 'k2'], 0);
  a.putMany('m', [['k1', result(-1)]]);
  a.putFailure('m', 'k2', 'HTTP 500');
  assert.deepEqual(claimRows(file), ['m/*'], 'kept for the next chunk');
  await sleep(IDLE_ALONE_MS + 300);
  assert.deepEqual(claimRows(file), [], 'gone, so that nobody waits on an idle worker');
  assert.deepEqual(a.claim('m', ['k2'], 0).claimed, ['k2']);
  a.close();
  assert.deepEqual(claimRows(file), []);
});

test('the row of a lone worker whose process died is taken over, and so are the claims it left', () => {
  const file = path.join(tempDir(), 'store.sqlite');
  new SqliteStore(file).close();
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const db = new Database(file);
  db.prepare('INSERT INTO workers (worker, host, pid, heartbeat) VALUES (?, ?, ?, ?)').run(
    'gone',
    os.hostname(),
    Number(dead.stdout),
    Date.now(),
  );
  db.prepare(`INSERT INTO claims (model, key, worker) VALUES ('m', '*', 'gone'), ('m', 'k1', 'gone')`).run();
  db.close();
  // Two live workers: claiming row by row, the dead lone worker's row is dropped.
  const a = new SqliteStore(file);
  const b = new SqliteStore(file);
  assert.deepEqual(a.claim('m', ['k1', 'k2'], 0).claimed, ['k1', 'k2']);
  assert.deepEqual(b.claim('m', ['k2', 'k3'], 0).claimed, ['k3']);
  a.close();
  b.close();
  // Alone: the dead worker's claims on what is claimed are taken over (counted as work redone).
  const db2 = new Database(file);
  db2.prepare(`INSERT INTO claims (model, key, worker) VALUES ('m', '*', 'gone'), ('m', 'k4', 'gone')`).run();
  db2.close();
  const c = new SqliteStore(file);
  assert.deepEqual(c.claim('m', ['k4', 'k5'], 0).claimed, ['k4', 'k5']);
  assert.equal(c.recovery.takenOver, 1);
  assert.deepEqual(claimRows(file), ['m/*']);
  c.close();
  assert.deepEqual(claimRows(file), []);
});
