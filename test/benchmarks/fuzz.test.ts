import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { UserError } from '../../src/core/errors.js';
import { loadBenchmark } from '../../src/benchmarks/load.js';
import type { BenchmarkSpec } from '../../src/benchmarks/spec.js';
import { assertWellFormed, spec, tempDir, writeFiles } from './helpers.js';

/** Pieces that make CSV and JSONL parsers take their unusual paths. */
const tricky = fc
  .array(
    fc.constantFrom(
      '"',
      '""',
      ',',
      '\n',
      '\r\n',
      '\r',
      ' ',
      '\ufeff',
      'q',
      'A',
      'D',
      'E',
      '0',
      '1',
      '-1',
      '{',
      '}',
      '[',
      ']',
      ':',
      '"q"',
      '"c"',
      '"a"',
      '"id"',
      'null',
      '\\',
      '\u00e9',
      '\ud83d',
    ),
    { maxLength: 80 },
  )
  .map((parts) => parts.join(''));

/** Mostly well-formed JSONL, so the success path gets exercised too. */
const jsonValue = fc.oneof(
  fc.string({ maxLength: 6 }),
  fc.integer({ min: -2, max: 5 }),
  fc.constant(null),
  fc.constant(''),
);
const nearlyJsonl = fc
  .array(
    fc.record({
      id: fc.constantFrom(1, 2, 3, 'x', ''),
      q: jsonValue,
      c: fc.oneof(fc.array(jsonValue, { maxLength: 5 }), jsonValue),
      a: jsonValue,
    }),
    { maxLength: 6 },
  )
  .map((rows) => rows.map((r) => JSON.stringify(r)).join('\n'));

const content = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  tricky,
  nearlyJsonl,
  nearlyJsonl.map((t) => t.replace(/\n/g, '\r\n')),
);

async function targets(dir: string): Promise<BenchmarkSpec[]> {
  await writeFiles(dir, { 'mmlu/dev/x_dev.csv': 'q,a,b,c,d,A\n', 'mmlu/test/x_test.csv': '' });
  const specs: BenchmarkSpec[] = [];
  for (const onBadRow of ['error', 'skip'] as const) {
    specs.push(
      spec({ format: 'mmlu', path: 'mmlu', onBadRow }),
      spec({ format: 'gauntlet', path: 'data.jsonl', onBadRow }),
      spec({
        format: 'jsonl',
        path: 'data.jsonl',
        onBadRow,
        fields: { id: 'id', question: 'q', choices: 'c', answer: 'a' },
      }),
      spec({
        format: 'jsonl',
        path: 'data.jsonl',
        onBadRow,
        answerFormat: 'text',
        fields: { question: 'q', choices: ['q', 'a'], answer: 'a' },
      }),
      spec({
        format: 'csv',
        path: 'data.csv',
        onBadRow,
        answerFormat: 'letter',
        fields: { question: 'q', choices: ['A', 'D'], answer: 'a' },
      }),
      spec({
        format: 'csv',
        path: 'data.csv',
        onBadRow,
        header: false,
        fields: { question: '0', choices: ['1', '2'], answer: '3' },
      }),
      spec({
        format: 'csv',
        path: 'data.csv',
        onBadRow,
        header: false,
        fields: { question: '0', choices: '1', answer: '2' },
      }),
    );
  }
  return specs;
}

describe('arbitrary file content', () => {
  it('either loads well-formed items or throws a UserError', async () => {
    const dir = await tempDir();
    const specs = await targets(dir);
    let loaded = 0;
    await fc.assert(
      fc.asyncProperty(content, async (data) => {
        await writeFile(path.join(dir, 'data.jsonl'), data);
        await writeFile(path.join(dir, 'data.csv'), data);
        await writeFile(path.join(dir, 'mmlu', 'test', 'x_test.csv'), data);
        for (const s of specs) {
          try {
            const b = await loadBenchmark(s, { baseDir: dir });
            loaded++;
            assertWellFormed(b.items);
            if (s.onBadRow === 'error') assert.deepEqual(b.skipped, []);
          } catch (err) {
            if (!(err instanceof UserError)) throw err;
            assert.ok(err.message.length > 0);
          }
        }
      }),
      { numRuns: 400 },
    );
    // Guard against a generator that only ever produces rejected files.
    assert.ok(loaded > 0);
  });
});
