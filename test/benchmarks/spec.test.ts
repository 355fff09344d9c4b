import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../src/core/errors.js';
import { benchmarkSpecSchema, parseBenchmarkSpec } from '../../src/benchmarks/spec.js';

describe('benchmarkSpecSchema', () => {
  it('fills MMLU defaults', () => {
    const s = benchmarkSpecSchema.parse({ format: 'mmlu', path: 'mmlu' });
    assert.deepEqual(s, { format: 'mmlu', path: 'mmlu', split: 'test', fewshotSplit: 'dev', onBadRow: 'error' });
  });

  it('fills table and limit defaults', () => {
    const s = benchmarkSpecSchema.parse({
      format: 'csv',
      path: 'q.csv',
      fields: { question: 'q', choices: ['a', 'b'], answer: 'ans' },
      limit: { total: 10 },
    });
    assert.equal(s.format, 'csv');
    if (s.format !== 'csv') return;
    assert.equal(s.header, true);
    assert.equal(s.answerFormat, 'index');
    assert.deepEqual(s.limit, { total: 10, seed: 0 });
  });

  it('rejects unknown keys, including csv-only keys on jsonl', () => {
    assert.equal(benchmarkSpecSchema.safeParse({ format: 'mmlu', path: 'x', splt: 'val' }).success, false);
    const jsonl = { format: 'jsonl', path: 'x.jsonl', fields: { question: 'q', choices: 'c', answer: 'a' } };
    assert.equal(benchmarkSpecSchema.safeParse(jsonl).success, true);
    assert.equal(benchmarkSpecSchema.safeParse({ ...jsonl, header: false }).success, false);
    assert.equal(benchmarkSpecSchema.safeParse({ ...jsonl, fields: { ...jsonl.fields, extra: 'x' } }).success, false);
  });

  it('rejects bad values', () => {
    const bad = [
      { format: 'parquet', path: 'x' },
      { format: 'mmlu', path: '' },
      { format: 'mmlu', path: 'x', split: 'train' },
      { format: 'mmlu', path: 'x', subjects: [] },
      { format: 'mmlu', path: 'x', limit: { perSubject: 0 } },
      { format: 'mmlu', path: 'x', limit: { total: 2.5 } },
      { format: 'mmlu', path: 'x', onBadRow: 'ignore' },
      { format: 'gauntlet', path: 'arc.json' },
      { format: 'csv', path: 'x.csv', fields: { question: 'q', choices: ['only'], answer: 'a' } },
    ];
    for (const raw of bad) assert.equal(benchmarkSpecSchema.safeParse(raw).success, false, JSON.stringify(raw));
  });

  it('parseBenchmarkSpec reports the key path of the problem', () => {
    assert.throws(
      () => parseBenchmarkSpec({ format: 'mmlu', path: 'x', limit: { total: -1 } }),
      (err: unknown) => err instanceof UserError && err.where === 'benchmark.limit.total',
    );
    assert.throws(
      () => parseBenchmarkSpec({ format: 'nope', path: 'x' }, 'study.benchmark'),
      (err: unknown) => err instanceof UserError && err.where === 'study.benchmark.format' && /mmlu/.test(err.message),
    );
  });
});
