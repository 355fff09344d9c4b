/** The library's entry point: runStudy's signal, progress and resume; analyzeRun on results in memory and on a folder. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { analyzeRun, loadStudy, runStudy, StudyInterrupted, UserError, type ProgressEvent } from '../../src/index.js';
import { tempDir, writeSmallStudy } from '../helpers.js';

test('runStudy stops after the current batch when its signal aborts, and a second run resumes from the store', async () => {
  const dir = tempDir();
  const study = loadStudy(writeSmallStudy(dir));
  const store = path.join(dir, 'store.sqlite');
  const out = path.join(dir, 'out');

  const stop = new AbortController();
  const events: ProgressEvent[] = [];
  await assert.rejects(
    runStudy(study, {
      store,
      out,
      signal: stop.signal,
      onProgress: (e) => {
        events.push(e);
        if (e.phase === 'tick') stop.abort();
      },
    }),
    (e: unknown) => e instanceof StudyInterrupted && e.store === store,
  );
  assert.equal(events[0].phase, 'start');
  assert.ok(events[0].total > 0);
  assert.ok(!fs.existsSync(out), 'an interrupted run writes no run folder');

  const lines: string[] = [];
  const result = await runStudy(study, { store, out, onLog: (line) => lines.push(line) });
  const { requests } = result.summary;
  assert.ok(
    requests.cached > 0 && requests.computed > 0,
    `the stopped run's results are reused: ${JSON.stringify(requests)}`,
  );
  assert.equal(requests.cached + requests.computed, requests.unique);
  assert.equal(result.failed, 0);
  assert.equal(result.out, out);
  assert.ok(
    lines.some((l) => l.startsWith('benchmark: ')),
    lines.join('\n'),
  );
  assert.ok(fs.existsSync(path.join(out, 'summary.json')) && fs.existsSync(path.join(out, 'items.jsonl')));

  const inMemory = analyzeRun(result, { bootstrap: 50 });
  assert.equal(inMemory.file, undefined, 'results in memory are analyzed without writing');
  const fromFolder = analyzeRun(out, { bootstrap: 50 });
  assert.equal(fromFolder.file, path.join(out, 'analysis.json'));
  assert.ok(fs.existsSync(fromFolder.file));
  assert.deepEqual(inMemory.analysis.cells, fromFolder.analysis.cells);
  assert.deepEqual(
    inMemory.analysis.cells.map((c) => c.accuracy),
    result.summary.cells.map((c) => c.accuracy),
  );
});

test('analyzeRun names a folder that is not a run', () => {
  const dir = tempDir();
  assert.throws(
    () => analyzeRun(dir),
    (e: unknown) => e instanceof UserError && e.message.includes(dir),
  );
});
