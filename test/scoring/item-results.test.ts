import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Item, RequestResult } from '../../src/core/types.js';
import { buildImportedRun } from '../../src/import/lm-eval-run.js';
import type { SampleDoc } from '../../src/import/lm-eval-samples.js';
import { basePresentation } from '../../src/perturbations/registry.js';
import { CellTally, judgeItem, summarizeItems } from '../../src/scoring/item-results.js';
import { compileItem, normalizedScore } from '../../src/scoring/methods.js';

const ll = (logprob: number, tokens = 1): RequestResult => ({ kind: 'loglikelihood', logprob, tokens, greedy: false });

test('an empty choice has no per-character or per-byte score: null, below every scored choice', () => {
  assert.equal(normalizedScore('char', { continuation: ' ', logprob: -2 }), null);
  assert.equal(normalizedScore('byte', { continuation: '', logprob: -2 }), null);
  assert.equal(normalizedScore('token', { continuation: ' ', logprob: -2, tokens: 0 }), null);
  assert.equal(normalizedScore('none', { continuation: ' ', logprob: -2 }), -2);
  // Lengths leave out the leading delimiter: "é" is 1 character and 2 bytes.
  assert.equal(normalizedScore('char', { continuation: ' é', logprob: -3 }), -3);
  assert.equal(normalizedScore('byte', { continuation: ' é', logprob: -3 }), -1.5);
  assert.equal(normalizedScore('pmi', { continuation: ' é', logprob: -3, unconditional: -5 }), 2);
  const scored = judgeItem({
    model: 'm',
    condition: 'c',
    itemId: 'i',
    order: [0, 1],
    goldPosition: 0,
    scores: [null, -9],
  });
  assert.equal(scored.predicted, 1, 'the empty choice (null) loses even to a very unlikely one');
  const allEmpty = judgeItem({
    model: 'm',
    condition: 'c',
    itemId: 'i',
    order: [0, 1],
    goldPosition: 0,
    scores: [null, null],
  });
  assert.equal(allEmpty.correct, null, 'an item with no scored choice is unscored');
});

test('the engine and the lm-eval importer score an empty choice the same way', () => {
  const item: Item = { id: 'x/1', question: 'Which is empty?', choices: ['', 'not this one'], answer: 0 };
  const engine = compileItem(basePresentation(item), 'cloze', 'char', { loglikelihood: true, nextToken: true }).reduce([
    ll(-2),
    ll(-24),
  ]);
  assert.deepEqual(engine, [null, -2]);
  const doc: SampleDoc = {
    docId: 0,
    line: 1,
    continuations: [' ', ' not this one'],
    contexts: ['Which is empty?', 'Which is empty?'],
    loglikelihoods: [-2, -24],
    gold: 0,
    reported: { acc_norm: 0 },
  };
  const run = buildImportedRun(
    [{ model: 'm', files: [{ file: 'samples.jsonl', task: 't', docs: [doc], skipped: [] }] }],
    { study: 's', version: 'test' },
  );
  const accNorm = run.items.find((r) => r.condition === 't:acc_norm')!;
  assert.deepEqual(accNorm.scores, engine);
  assert.equal(accNorm.predicted, 1);
  const check = run.summary.import.checks.find((c) => c.condition === 't:acc_norm')!;
  assert.equal(check.disagree, 0, "lm-eval's own acc_norm (its −∞ for the empty choice) agrees");
});

test('judgeItem: several true choices, MC2 mass, and answers given instead of scores', () => {
  const mc = judgeItem({
    model: 'm',
    condition: 'c',
    itemId: 'i',
    order: [2, 0, 1],
    goldPosition: 1,
    scores: [Math.log(0.5), Math.log(0.3), Math.log(0.2)],
    trueChoices: [2, 1],
    logLikelihoods: true,
  });
  assert.equal(mc.predicted, 0);
  assert.equal(mc.correct, true, 'shown position 0 holds original choice 2, a true one');
  assert.ok(Math.abs(mc.mc2! - 0.7) < 1e-12);
  const given = judgeItem({
    model: 'm',
    condition: 'c',
    itemId: 'i',
    order: [],
    goldPosition: 3,
    scores: [],
    predicted: 3,
  });
  assert.deepEqual([given.predicted, given.correct, given.tie], [3, true, false]);
  const judged = judgeItem({
    model: 'm',
    condition: 'c',
    itemId: 'i',
    order: [],
    goldPosition: -1,
    scores: [],
    predicted: null,
    correct: true,
  });
  assert.equal(judged.correct, true);
  const tied = judgeItem({ model: 'm', condition: 'c', itemId: 'i', order: [0, 1], goldPosition: 1, scores: [-1, -1] });
  assert.deepEqual([tied.predicted, tied.correct, tied.tie], [0, false, true]);
});

test('CellTally: strict accuracy, failed items, MC2 mean and the random fill of unread answers', () => {
  const base = { model: 'm', condition: 'gen', order: [0, 1, 2], goldPosition: 2 };
  const tally = new CellTally();
  tally.open('m', 'empty');
  tally.fail('m', 'empty');
  const read = (itemId: string, scores: number[], extracted: string | null, randomFill?: number) =>
    judgeItem({ ...base, itemId, scores, reading: { generated: 'text', finish: 'stop', extracted }, randomFill });
  for (const r of [
    read('a', [0, 0, 1], 'C'),
    read('b', [1, 0, 0], 'A'),
    read('c', [], null, 2),
    read('d', [], null, 0),
  ])
    tally.add(r);
  const [empty, gen] = tally.summaries();
  assert.deepEqual(empty, {
    model: 'm',
    condition: 'empty',
    accuracy: NaN,
    n: 0,
    correct: 0,
    unscored: 0,
    ties: 0,
    failed: 1,
  });
  assert.deepEqual(gen, {
    model: 'm',
    condition: 'gen',
    accuracy: 0.25,
    n: 4,
    correct: 1,
    unscored: 2,
    ties: 0,
    failed: 0,
    randomFill: { accuracy: 0.5, correct: 2, filled: 2 },
  });
  const mc2 = summarizeItems(
    [0.2, 0.6].map((p, k) =>
      judgeItem({
        ...base,
        condition: 'mc2',
        itemId: String(k),
        scores: [Math.log(p), Math.log(1 - p), -Infinity],
        trueChoices: [0],
        logLikelihoods: true,
      }),
    ),
  );
  assert.ok(Math.abs(mc2[0].mc2! - 0.4) < 1e-12);
  assert.equal(mc2[0].accuracy, 0.5);
});
