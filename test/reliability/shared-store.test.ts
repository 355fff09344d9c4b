import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { RequestResult } from '../../src/core/types.js';
import { openStore } from '../../src/store/open.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { thisProcess } from '../../src/store/liveness.js';
import { assertSameItems, runCli, tempDir, writeStudy } from '../helpers.js';
import { forEachStore, postgresMissing, sql, storeLocation } from '../store/backends.js';

const result = (logprob: number): RequestResult => ({ kind: 'loglikelihood', logprob, tokens: 1, greedy: false });

test('claims: a request is computed by one worker, others get its result; released on close', (t) =>
  forEachStore(t, (_kind, location) => {
    const a = openStore(location);
    const b = openStore(location);
    const since = b.logPosition('m');
    const first = a.claim('m', ['k1', 'k2', 'k3', 'k4'], a.logPosition('m'));
    assert.deepEqual(first.claimed, ['k1', 'k2', 'k3', 'k4']);
    const second = b.claim('m', ['k3', 'k4', 'k5', 'k6'], since);
    assert.deepEqual(second.claimed, ['k5', 'k6'], 'held by a live worker: not claimed again');
    a.putMany('m', [['k3', result(-3)]]);
    const third = b.claim('m', ['k3', 'k4'], second.position);
    assert.deepEqual(third.claimed, []);
    assert.deepEqual([...third.arrived], [['k3', result(-3)]], 'the stored result arrives with the claim');
    b.putMany('m', [['k5', result(-5)]]);
    assert.equal(b.claim('m', [], third.position).arrived.size, 0, 'a worker does not read back its own results');
    a.close();
    const fourth = b.claim('m', ['k1', 'k2', 'k4'], third.position);
    assert.deepEqual(fourth.claimed, ['k1', 'k2', 'k4'], 'a closed worker released what it had not stored');
    assert.deepEqual(b.claim('m', ['k1'], fourth.position).claimed, ['k1'], 'claiming again what it holds is harmless');
    b.close();
  }));

test('claims of a worker whose process died are taken over', () => {
  const file = path.join(tempDir(), 'store.sqlite');
  const s = new SqliteStore(file);
  s.close();
  // A finished process's pid: its claims must not block anyone.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const pid = Number(dead.stdout);
  const db = new Database(file);
  db.prepare('INSERT INTO workers (worker, host, pid, heartbeat) VALUES (?, ?, ?, ?)').run(
    'gone',
    os.hostname(),
    pid,
    Date.now(),
  );
  db.prepare('INSERT INTO claims (model, key, worker) VALUES (?, ?, ?)').run('m', 'k1', 'gone');
  db.prepare('INSERT INTO claims (model, key, worker) VALUES (?, ?, ?)').run('m', 'k2', 'never-registered');
  db.close();
  const store = new SqliteStore(file);
  assert.deepEqual(store.claim('m', ['k1', 'k2', 'k3'], 0).claimed, ['k1', 'k2', 'k3']);
  store.close();
});

test('claims: a live pid of another process start, or another boot, is taken over; a live worker and a fresh lease from another host are not', () => {
  const file = path.join(tempDir(), 'store.sqlite');
  new SqliteStore(file).close();
  const me = thisProcess();
  assert.ok(me.start > 0 && me.boot !== '', 'this system tells process start times and its boot id');
  const db = new Database(file);
  const worker = db.prepare(
    'INSERT INTO workers (worker, host, pid, heartbeat, started, boot) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const now = Date.now();
  // This test's own pid is alive: recorded with another start time, it stands for a dead worker whose pid was reused.
  worker.run('pid-reused', me.host, me.pid, now, me.start + 1, me.boot);
  worker.run('live', me.host, me.pid, now, me.start, me.boot);
  worker.run('rebooted', me.host, me.pid, now, me.start, 'another-boot');
  worker.run('elsewhere-lapsed', 'another-host', me.pid, now - 11 * 60_000, me.start, 'x');
  worker.run('elsewhere-fresh', 'another-host', 1, now, 1, 'x');
  const claim = db.prepare('INSERT INTO claims (model, key, worker) VALUES (?, ?, ?)');
  for (const w of ['pid-reused', 'live', 'rebooted', 'elsewhere-lapsed', 'elsewhere-fresh']) claim.run('m', w, w);
  db.close();
  const store = new SqliteStore(file);
  assert.deepEqual(
    store.claim('m', ['pid-reused', 'live', 'rebooted', 'elsewhere-lapsed', 'elsewhere-fresh'], 0).claimed,
    ['pid-reused', 'rebooted', 'elsewhere-lapsed'],
  );
  assert.equal(store.recovery.takenOver, 3);
  store.close();
});

test(
  'PostgreSQL: claims of a worker whose process died, or whose lease lapsed, are taken over; a live lease is not',
  { skip: postgresMissing() },
  async () => {
    const location = await storeLocation('postgres');
    openStore(location).close();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    await sql(
      location,
      `INSERT INTO goodhart_workers (worker, host, pid, heartbeat) VALUES ('gone', $1, $2, now()), ('lapsed', 'elsewhere', 1, now() - interval '1 hour'), ('live', 'elsewhere', 1, now())`,
      [os.hostname(), Number(dead.stdout)],
    );
    await sql(
      location,
      `INSERT INTO goodhart_claims (model, key, worker) VALUES ('m', 'k1', 'gone'), ('m', 'k2', 'never-registered'), ('m', 'k3', 'lapsed'), ('m', 'k4', 'live')`,
    );
    const store = openStore(location);
    assert.deepEqual(store.claim('m', ['k1', 'k2', 'k3', 'k4', 'k5'], 0).claimed, ['k1', 'k2', 'k3', 'k5']);
    store.close();
  },
);

const writeSharedStudy = (dir: string, name: string, conditions: string[]) =>
  writeStudy(dir, { name, subjects: ['anatomy', 'virology', 'astronomy'], perSubject: 8, conditions });

const lines = (file: string) =>
  fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
const items = (dir: string) => fs.readFileSync(path.join(dir, 'items.jsonl'), 'utf8');

test('two runs of overlapping studies on one store at once: nothing lost, nothing computed twice, results as when run alone', (t) =>
  forEachStore(t, async (kind, store, t) => {
    const dir = tempDir();
    const shared = [
      '{ name: base, scoring: symbol }',
      '{ name: hybrid, scoring: hybrid, normalization: token }',
      '{ name: shuffled, scoring: symbol, perturbations: [{ shuffle: { seed: 4 } }] }',
    ];
    const studyA = writeSharedStudy(dir, 'a', [
      ...shared,
      '{ name: circ, scoring: symbol, perturbations: [circular] }',
    ]);
    const studyB = writeSharedStudy(dir, 'b', [
      ...shared,
      '{ name: pmi, scoring: cloze, normalization: pmi }',
      '{ name: two-shot, scoring: symbol, perturbations: [{ fewshot: { k: 2 } }] }',
    ]);
    const run = (study: string, name: string, storeFile: string, audit: string) =>
      runCli(['run', study, '--out', path.join(dir, name), '--store', storeFile, '-q'], {
        env: { GOODHART_AUDIT_LOG: path.join(dir, audit) },
      });

    const [a, b] = await Promise.all([run(studyA, 'a', store, 'audit-a.log'), run(studyB, 'b', store, 'audit-b.log')]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(b.code, 0, b.stderr);

    // Alone, each on a store of its own: the reference results and the requests each study needs.
    const [refA, refB] = await Promise.all([
      run(studyA, 'ref-a', path.join(dir, 'a.sqlite'), 'ref-a.log'),
      run(studyB, 'ref-b', path.join(dir, 'b.sqlite'), 'ref-b.log'),
    ]);
    assert.equal(refA.code, 0, refA.stderr);
    assert.equal(refB.code, 0, refB.stderr);

    const computedA = lines(path.join(dir, 'audit-a.log'));
    const computedB = lines(path.join(dir, 'audit-b.log'));
    const both = [...computedA, ...computedB];
    assert.equal(new Set(both).size, both.length, 'no request was computed by both runs');
    const needed = new Set([...lines(path.join(dir, 'ref-a.log')), ...lines(path.join(dir, 'ref-b.log'))]);
    assert.deepEqual(new Set(both), needed, 'every request either study needs was computed exactly once');
    const overlap = new Set(
      lines(path.join(dir, 'ref-a.log')).filter((k) => lines(path.join(dir, 'ref-b.log')).includes(k)),
    );
    assert.ok(overlap.size > 0, 'the studies overlap');
    const inA = computedA.filter((k) => overlap.has(k)).length;
    const inB = computedB.filter((k) => overlap.has(k)).length;
    t.diagnostic(
      `overlap of ${overlap.size} requests: ${inA} computed by one run, ${inB} by the other; ${both.length} computed in all`,
    );
    // The second run to start walks the requests from the other end, so each does a fair part of the shared work.
    assert.ok(
      inA >= overlap.size / 4 && inB >= overlap.size / 4,
      `each run computed at least a quarter of the shared requests (${inA} and ${inB} of ${overlap.size})`,
    );

    for (const [got, want] of [
      ['a', 'ref-a'],
      ['b', 'ref-b'],
    ])
      assertSameItems(items(path.join(dir, got)), items(path.join(dir, want)));
    if (kind === 'postgres') {
      assert.equal(
        (await sql(store, 'SELECT count(*)::int AS n FROM goodhart_claims')).rows[0].n,
        0,
        'no claim is left behind',
      );
      return;
    }
    const db = new Database(store, { readonly: true });
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    assert.equal(db.prepare('SELECT count(*) FROM claims').pluck().get(), 0, 'no claim is left behind');
    db.close();
  }));
