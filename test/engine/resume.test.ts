import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempDir, writeSmallStudy } from '../helpers.js';
import { forEachStore } from '../store/backends.js';

const read = (dir: string) => ({
  items: fs.readFileSync(path.join(dir, 'items.jsonl'), 'utf8'),
  summary: JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')),
});

test('a second run computes nothing and gives identical results', (t) =>
  forEachStore(t, async (_kind, store) => {
    const dir = tempDir();
    const study = writeSmallStudy(dir);
    const args = ['run', study, '--out', path.join(dir, 'out'), '--store', store, '-q'];
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
  }));

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
