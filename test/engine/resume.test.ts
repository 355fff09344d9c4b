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

/**
 * Same items, predictions, correctness and ties; scores equal to float32 precision (1e-5 nats). llama.cpp's numbers
 * move in the last digits with the shape of the KV cache and batches, which depend on what was
 * evaluated before — and a resumed run evaluates other prefixes first.
 */
function assertSameResults(gotText: string, wantText: string) {
  const parse = (t: string) => t.trim().split('\n').map((l) => JSON.parse(l));
  const got = parse(gotText);
  const want = parse(wantText);
  assert.equal(got.length, want.length);
  got.forEach((g, i) => {
    const w = want[i];
    assert.deepEqual({ ...g, scores: undefined }, { ...w, scores: undefined });
    g.scores.forEach((x: number, j: number) => assert.ok(Math.abs(x - w.scores[j]) < 1e-5, `${g.itemId} ${g.condition} choice ${j}: ${x} vs ${w.scores[j]}`));
  });
}

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
  const unique: number = read(path.join(dir, 'ref')).summary.requests.unique;

  const audit = path.join(dir, 'audit.log');
  const stored = () => (fs.existsSync(audit) ? fs.readFileSync(audit, 'utf8').split('\n').length - 1 : 0);
  const env = { GOODHART_AUDIT_LOG: audit };
  const args = ['run', study, '--out', path.join(dir, 'out'), '--store', path.join(dir, 'store.sqlite'), '-q'];
  const rng = makeRng(20261129);
  // Two kills while the run starts and plans, then kills at seeded points of the evaluation,
  // each once a chosen number of results is stored (so the points do not depend on machine speed).
  for (const delay of [150, 600]) await runCli(args, { env, killAfterMs: delay });
  let killed = 0;
  // Results are stored a batch at a time, so once the rest fits in one batch a run may finish
  // before the kill lands: stop then, the resume below still has to complete the work.
  for (let i = 0; i < 6; i++) {
    const done = stored();
    const target = done + 1 + Math.floor(rng() * Math.max(1, (unique - done) / 2));
    const r = await runCli(args, { env, killWhen: () => stored() >= target });
    if (r.signal !== 'SIGKILL') break;
    killed++;
  }
  assert.ok(killed >= 2, `runs were really killed mid-evaluation (${killed})`);
  const final = await runCli(args, { env });
  assert.equal(final.code, 0, final.stderr);
  const got = read(path.join(dir, 'out'));
  const want = read(path.join(dir, 'ref'));
  assertSameResults(got.items, want.items);
  assert.deepEqual(got.summary.cells, want.summary.cells);
  const keys = fs.readFileSync(audit, 'utf8').trim().split('\n');
  assert.equal(new Set(keys).size, keys.length, 'no finished request was computed twice');
  assert.equal(keys.length, unique);
});

test('SIGINT stops cleanly, says how to resume and exits non-zero', async () => {
  const dir = tempDir();
  const study = writeSmallStudy(dir);
  const args = ['run', study, '--out', path.join(dir, 'out'), '--store', path.join(dir, 'store.sqlite')];
  // Interrupt once evaluation has started (the first progress line is printed).
  const r = await runCli(args, { signal: 'SIGINT', killWhen: ({ stderr }) => /stories: \d+%/.test(stderr) });
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /Run the same command again to resume/);
  const again = await runCli(args);
  assert.equal(again.code, 0, again.stderr);
});
