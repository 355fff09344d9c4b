import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ConditionInfo, ItemResult } from '../../src/core/results.js';
import { answerOrderMemory, choicesOnlyProbe } from '../../src/probes/format-probes.js';

const info = (name: string, order: string, perturbations: string[] = []): ConditionInfo => ({
  name,
  scoring: 'symbol',
  normalization: 'none',
  perturbations: perturbations.map((p) => ({ name: p, args: {} })),
  factors: { order, symbols: 'ABCD', template: 'lm-eval', scoring: 'symbol', shots: '0-shot' },
});

const result = (
  model: string,
  condition: string,
  itemId: string,
  order: number[],
  goldPosition: number,
  predicted: number | null,
): ItemResult => ({
  model,
  condition,
  itemId,
  subject: itemId.split('/')[0],
  order,
  labels: ['A', 'B', 'C', 'D'],
  goldPosition,
  scores: [0, 0, 0, 0],
  predicted,
  correct: predicted === null ? null : predicted === goldPosition,
  tie: false,
});

test('choices-only: accuracy against chance with a Wilson interval, per model and subject, and flagged items', () => {
  const items: ItemResult[] = [];
  for (let i = 0; i < 100; i++) {
    // m1 answers 80% without the question, m2 25% (chance), m3 answers the first 10 items.
    items.push(result('m1', 'co', `s${i % 2}/${i}`, [0, 1, 2, 3], 0, i % 5 === 0 ? 1 : 0));
    items.push(result('m2', 'co', `s${i % 2}/${i}`, [0, 1, 2, 3], 0, i % 4 === 0 ? 0 : 2));
    items.push(result('m3', 'co', `s${i % 2}/${i}`, [0, 1, 2, 3], 0, i < 10 ? 0 : 3));
    items.push(result('m1', 'base', `s${i % 2}/${i}`, [0, 1, 2, 3], 0, 0));
  }
  const probe = choicesOnlyProbe(items, [info('base', 'original'), info('co', 'original', ['choices-only'])])!;
  assert.deepEqual(probe.conditions, ['co']);
  const m1 = probe.perModel.find((m) => m.model === 'm1')!;
  const m2 = probe.perModel.find((m) => m.model === 'm2')!;
  assert.equal(m1.n, 100);
  assert.equal(m1.accuracy, 0.8);
  assert.equal(m1.chance, 0.25);
  assert.ok(m1.aboveChance);
  assert.equal(m2.accuracy, 0.25);
  assert.equal(m2.aboveChance, false, 'chance-level accuracy is not flagged');
  assert.equal(m1.bySubject.length, 2);
  // Items 0..9 answered by m1 (unless i%5==0) and m3, and by m2 when i%4==0.
  const flagged = probe.flaggedItems.map((f) => f.itemId);
  assert.ok(flagged.includes('s0/4') && !flagged.includes('s0/50'));
  assert.equal(choicesOnlyProbe(items, [info('base', 'original')]), null, 'no choices-only condition, no probe');
});

test("answer-order memory: picks of the original gold position against the model's own position rates", () => {
  const items: ItemResult[] = [];
  // fix-answer(D): the gold (originally at A, B or C) is swapped into D.
  for (let i = 0; i < 120; i++) {
    const original = i % 3;
    const order = [0, 1, 2, 3];
    [order[original], order[3]] = [order[3], order[original]];
    items.push(result('mem', 'fixD', `s/${i}`, order, 3, i % 4 === 0 ? 3 : original));
    // No memory, but a bias to B when it does not know the answer.
    items.push(result('biased', 'fixD', `s/${i}`, order, 3, i % 5 < 3 ? 3 : 1));
  }
  items.push(result('mem', 'fixD', 's/still', [0, 1, 2, 3], 3, 3));
  const memory = answerOrderMemory(items, [info('fixD', 'fix-answer(D)')]);
  const mem = memory.find((m) => m.model === 'mem')!;
  assert.equal(mem.moved, 120, 'an item whose gold did not move is left out');
  assert.equal(mem.pickedOriginal, 90);
  assert.equal(mem.rate, 0.75);
  assert.equal(mem.expected, 0, 'it never picks A, B or C on items whose answer was elsewhere');
  assert.ok(mem.ci[0] > 0.6);
  const biased = memory.find((m) => m.model === 'biased')!;
  assert.equal(biased.pickedOriginal, 16, 'B-items where it said B');
  assert.ok(Math.abs(biased.excess) < 0.05, `plain position bias is not memory (excess ${biased.excess})`);
  assert.deepEqual(
    answerOrderMemory(items, [info('fixD', 'original')]),
    [],
    'conditions that keep the order are not probed',
  );
});
