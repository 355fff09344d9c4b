import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Item } from '../../src/core/types.js';
import { shuffled, makeRng } from '../../src/core/rng.js';
import { loadBenchmark } from '../../src/benchmarks/load.js';
import { sampleItems } from '../../src/benchmarks/sample.js';
import { MMLU_DIR, noSharedData, spec } from './helpers.js';

const items: Item[] = [];
for (const subject of ['a', 'b', 'c']) {
  for (let k = 0; k < 40; k++)
    items.push({ id: `${subject}/${k}`, subject, question: 'q', choices: ['x', 'y'], answer: 0 });
}
const ids = (xs: Item[]) => xs.map((i) => i.id);
const countBySubject = (xs: Item[]) =>
  xs.reduce((m, i) => m.set(i.subject!, (m.get(i.subject!) ?? 0) + 1), new Map<string, number>());

describe('sampleItems', () => {
  it('returns everything without a limit', () => {
    assert.equal(sampleItems(items, undefined), items);
    assert.equal(sampleItems(items, { seed: 3 }), items);
  });

  it('caps each subject, then the total', () => {
    const per = sampleItems(items, { perSubject: 7, seed: 0 });
    assert.deepEqual([...countBySubject(per).values()], [7, 7, 7]);
    const both = sampleItems(items, { perSubject: 7, total: 10, seed: 0 });
    assert.equal(both.length, 10);
    assert.ok(both.every((i) => per.includes(i)));
    assert.equal(sampleItems(items, { total: 500, seed: 0 }).length, items.length);
  });

  it('is deterministic, seed-dependent and keeps the original order', () => {
    const a = sampleItems(items, { total: 20, seed: 5 });
    assert.deepEqual(ids(a), ids(sampleItems(items, { total: 20, seed: 5 })));
    assert.notDeepEqual(ids(a), ids(sampleItems(items, { total: 20, seed: 6 })));
    const positions = a.map((i) => items.indexOf(i));
    assert.deepEqual(
      positions,
      positions.slice().sort((x, y) => x - y),
    );
  });

  it('does not depend on the order of the input', () => {
    const reordered = shuffled(items, makeRng(99));
    const fromOriginal = new Set(ids(sampleItems(items, { perSubject: 5, total: 12, seed: 1 })));
    const fromReordered = new Set(ids(sampleItems(reordered, { perSubject: 5, total: 12, seed: 1 })));
    assert.deepEqual(fromReordered, fromOriginal);
  });

  it('picks a superset when the limit grows', () => {
    let previous = new Set<string>();
    for (const total of [1, 5, 17, 60, 119]) {
      const now = new Set(ids(sampleItems(items, { total, seed: 2 })));
      for (const id of previous) assert.ok(now.has(id), `${id} dropped at total ${total}`);
      previous = now;
    }
    const small = new Set(ids(sampleItems(items, { perSubject: 3, seed: 2 })));
    for (const id of ids(sampleItems(items, { perSubject: 9, seed: 2 }))) small.delete(id);
    assert.equal(small.size, 0);
  });
});

describe('limits when loading MMLU', { skip: noSharedData && 'shared data folder not found' }, () => {
  it('applies perSubject and total with a seed', async () => {
    const subjects = ['anatomy', 'virology', 'astronomy'];
    const load = (limit: object) =>
      loadBenchmark(spec({ format: 'mmlu', path: MMLU_DIR, subjects, limit }), { baseDir: '.' });
    const per = await load({ perSubject: 4, seed: 1 });
    assert.equal(per.items.length, 12);
    assert.deepEqual([...countBySubject(per.items).values()], [4, 4, 4]);
    const both = await load({ perSubject: 4, total: 5, seed: 1 });
    assert.equal(both.items.length, 5);
    assert.deepEqual(ids(both.items), ids((await load({ perSubject: 4, total: 5, seed: 1 })).items));
    assert.match(both.description, /5 of \d+ items \(perSubject 4, total 5, seed 1\)/);
    // The few-shot pool is not sampled.
    assert.equal(both.fewshotPool.get('anatomy')!.length, 5);
  });
});
