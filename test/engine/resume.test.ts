import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makeRng } from '../../src/core/rng.js';
import { runCli, tempDir, writeSmallStudy } from '../helpers.js';

const read = (dir: string) => ({
  items: fs.readFileSync(path.join(dir, 'items.jsonl'), 'utf8'),
  summary: JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')),
});

test('a second run computes nothing and gives identical results', async () => {
  const dir = tempDir();
  const study = writeSmallStudy(dir);
  const args = ['run', study, '--out', path.join(dir, 'out'), '--store', path.join(dir, 'store.sqlite'), '-q'];
  const first = await runCli(args);
  assert.equal(first.code, 0, first.stderr);
  const a = read(path.join(dir, 'out'));
  assert.equal(a.summary.cells.length, 9, 'every model x condition is present (circular expands to 4)');
  assert.ok(a.summary.requests.computed > 0);
  assert.equal(a.summary.requests.computed, a.summary.requests.unique);
  assert.ok(a.summary.requests.unique < a.summary.requests.total, 'requests shared between conditions are made once');
  const second = await runCli(args);
  assert.equal(second.code, 0, second.stderr);
  const b = read(path.join(dir, 'out'));
  assert.equal(b.summary.requests.computed, 0);
  assert.equal(b.summary.requests.cached, a.summary.requests.unique);
  assert.equal(b.items, a.items);
  assert.deepEqual(b.summary.cells, a.summary.cells);
});

test('killed with SIGKILL at random points, a run resumes to identical results without recomputing', async () => {
  const dir = tempDir();
  const study = writeSmallStudy(dir);
  const reference = await runCli(['run', study, '--out', path.join(dir, 'ref'), '--store', path.join(dir, 'ref.sqlite'), '-q']);
  assert.equal(reference.code, 0, reference.stderr);
  const started = Date.now();
  await runCli(['run', study, '--out', path.join(dir, 'timing'), '--store', path.join(dir, 'timing.sqlite'), '-q']);
  const duration = Date.now() - started;

  const audit = path.join(dir, 'audit.log');
  const env = { GOODHART_AUDIT_LOG: audit };
  const args = ['run', study, '--out', path.join(dir, 'out'), '--store', path.join(dir, 'store.sqlite'), '-q'];
  const rng = makeRng(20261129);
  let killed = 0;
  for (let i = 0; i < 6; i++) {
    const r = await runCli(args, { env, killAfterMs: Math.floor(rng() * duration) });
    if (r.signal === 'SIGKILL') killed++;
  }
  assert.ok(killed >= 3, `at least some runs were really killed (${killed})`);
  const final = await runCli(args, { env });
  assert.equal(final.code, 0, final.stderr);
  const got = read(path.join(dir, 'out'));
  const want = read(path.join(dir, 'ref'));
  assert.equal(got.items, want.items);
  assert.deepEqual(got.summary.cells, want.summary.cells);
  const stored = fs.readFileSync(audit, 'utf8').trim().split('\n');
  assert.equal(new Set(stored).size, stored.length, 'no finished request was computed twice');
  assert.equal(stored.length, want.summary.requests.unique);
});

test('SIGINT stops cleanly, says how to resume and exits non-zero', async () => {
  const dir = tempDir();
  const study = writeSmallStudy(dir);
  const args = ['run', study, '--out', path.join(dir, 'out'), '--store', path.join(dir, 'store.sqlite')];
  // Wait until evaluation has started (the progress line is printed), then interrupt.
  const r = await runCli(args, { killAfterMs: 2500, signal: 'SIGINT' });
  if (r.code === 0) return assert.fail('the run finished before the interrupt; the study is too small for this machine');
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /Run the same command again to resume/);
  const again = await runCli(args);
  assert.equal(again.code, 0, again.stderr);
});
