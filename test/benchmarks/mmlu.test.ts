import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadBenchmark } from '../../src/benchmarks/load.js';
import { MMLU_DIR, assertWellFormed, noSharedData, rejectsUserError, spec, tempDir, writeFiles } from './helpers.js';

const opts = { baseDir: process.cwd() };

describe('MMLU on the shared data', { skip: noSharedData && 'shared data folder not found' }, () => {
  it('loads one subject with its dev few-shot pool in file order', async () => {
    const b = await loadBenchmark(spec({ format: 'mmlu', path: MMLU_DIR, subjects: ['anatomy'] }), opts);
    assert.equal(b.items.length, 135);
    assert.equal(b.items[0].id, 'anatomy/test/0');
    assert.equal(b.items[134].id, 'anatomy/test/134');
    assert.deepEqual([...b.fewshotPool.keys()], ['anatomy']);
    assert.deepEqual(
      b.fewshotPool.get('anatomy')!.map((i) => i.id),
      [0, 1, 2, 3, 4].map((k) => `anatomy/dev/${k}`),
    );
    assert.deepEqual(b.files, [
      path.join(MMLU_DIR, 'test', 'anatomy_test.csv'),
      path.join(MMLU_DIR, 'dev', 'anatomy_dev.csv'),
    ]);
    assert.deepEqual(b.skipped, []);
    assert.match(b.description, /MMLU test split, subject anatomy.*135 items/);
  });

  it('parses embedded commas, doubled quotes and multi-line fields', async () => {
    const b = await loadBenchmark(
      spec({ format: 'mmlu', path: MMLU_DIR, subjects: ['anatomy', 'college_mathematics'], fewshotSplit: 'dev' }),
      opts,
    );
    const [first, second] = b.items;
    assert.equal(first.choices[2], 'paralysis of the facial muscles, loss of taste and lacrimation.');
    assert.equal(first.answer, 0);
    assert.equal(second.question, 'A "dished face" profile is often associated with');
    assert.equal(second.answer, 1);
    // This dev row spans several CRLF-terminated lines inside one quoted field.
    const multi = b.fewshotPool
      .get('college_mathematics')!
      .find((i) => i.question.startsWith('Let A be a real 2x2 matrix'));
    assert.ok(multi);
    assert.ok(multi.question.includes('\nI. All of the entries of A^2 are nonnegative.'));
    assert.ok(!multi.question.includes('\r'));
  });

  it('keeps a stray quote in an unquoted field as text', async () => {
    const b = await loadBenchmark(
      spec({ format: 'mmlu', path: MMLU_DIR, split: 'val', subjects: ['college_medicine'] }),
      opts,
    );
    assert.ok(b.items.some((i) => i.question.endsWith('Will to Truth?"')));
  });

  it('loads every subject with unique ids and 5 shots each', async () => {
    const b = await loadBenchmark(spec({ format: 'mmlu', path: MMLU_DIR }), opts);
    assert.equal(b.items.length, 14079);
    assert.equal(b.fewshotPool.size, 57);
    for (const shots of b.fewshotPool.values()) assert.equal(shots.length, 5);
    assertWellFormed(b.items);
  });

  it('accepts the folder above data/ and ${GOODHART_SHARED}', async () => {
    const b = await loadBenchmark(
      spec({
        format: 'mmlu',
        path: '${GOODHART_SHARED}/data/mmlu',
        split: 'dev',
        fewshotSplit: 'val',
        subjects: ['virology'],
      }),
      { baseDir: '/nonexistent' },
    );
    assert.equal(b.items.length, 5);
    assert.equal(b.items[0].id, 'virology/dev/0');
    assert.equal(b.items[0].split, 'dev');
    assert.equal(b.fewshotPool.get('virology')![0].split, 'val');
  });

  it('rejects an unknown subject, listing the valid ones', async () => {
    const err = await rejectsUserError(
      loadBenchmark(spec({ format: 'mmlu', path: MMLU_DIR, subjects: ['anatomy', 'astrology'] }), opts),
      'benchmark.subjects',
      /"astrology"/,
    );
    assert.match(err.message, /valid subjects: abstract_algebra, anatomy, astronomy/);
  });
});

describe('MMLU folder problems', () => {
  it('names a missing folder', async () => {
    const dir = await tempDir();
    const missing = path.join(dir, 'nope');
    await rejectsUserError(
      loadBenchmark(spec({ format: 'mmlu', path: 'nope' }), { baseDir: dir }),
      missing,
      /folder not found/,
    );
  });

  it('names a split folder without subject files', async () => {
    const dir = await writeFiles(await tempDir(), { 'test/readme.txt': 'hi' });
    await rejectsUserError(
      loadBenchmark(spec({ format: 'mmlu', path: dir }), opts),
      path.join(dir, 'test'),
      /no <subject>_test\.csv files/,
    );
  });

  it('names a missing split folder', async () => {
    const dir = await writeFiles(await tempDir(), { 'dev/x_dev.csv': 'q,a,b,c,d,A\n' });
    await rejectsUserError(loadBenchmark(spec({ format: 'mmlu', path: dir }), opts), dir, /no test\/ subfolder/);
  });

  it('names a missing few-shot file', async () => {
    const dir = await writeFiles(await tempDir(), { 'test/x_test.csv': 'q,a,b,c,d,A\n' });
    await rejectsUserError(
      loadBenchmark(spec({ format: 'mmlu', path: dir }), opts),
      path.join(dir, 'dev', 'x_dev.csv'),
      /not found/,
    );
  });
});
