import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Item, LoglikelihoodRequest, RequestResult } from '../../src/core/types.js';
import { basePresentation } from '../../src/perturbations/registry.js';
import { compileItem, predict } from '../../src/scoring/methods.js';

const item: Item = {
  id: 'x/1',
  subject: 'geography',
  question: 'Capital of Korea?',
  choices: ['서울', 'Busan city', 'Tokyo', 'Rome'],
  answer: 0,
};
const full = { loglikelihood: true, nextToken: true };
const ll = (logprob: number, tokens = 1): RequestResult => ({ kind: 'loglikelihood', logprob, tokens, greedy: false });

test('symbol scoring asks log P of " A".." D" after the prompt and uses the raw sum', () => {
  const c = compileItem(basePresentation(item), 'symbol', 'none', full);
  const reqs = c.requests as LoglikelihoodRequest[];
  assert.deepEqual(
    reqs.map((r) => r.continuation),
    [' A', ' B', ' C', ' D'],
  );
  assert.ok(reqs.every((r) => r.context.endsWith('Answer:') && r.context.includes('B. Busan city')));
  assert.deepEqual(c.reduce([ll(-1), ll(-2), ll(-3), ll(-0.5)]), [-1, -2, -3, -0.5]);
});

test('symbol scoring on a top-k backend is one nextToken request; unseen symbols are null', () => {
  const c = compileItem(basePresentation(item), 'symbol', 'none', { loglikelihood: false, nextToken: true });
  assert.equal(c.requests.length, 1);
  assert.equal(c.requests[0].kind, 'nextToken');
  assert.deepEqual(c.reduce([{ kind: 'nextToken', logprobs: [null, -1, null, -2] }]), [null, -1, null, -2]);
});

test('hybrid and cloze need log-likelihoods', () => {
  assert.throws(() => compileItem(basePresentation(item), 'cloze', 'char', { loglikelihood: false, nextToken: true }));
});

test('normalizations: token, char (code points of the text), byte (UTF-8) and none', () => {
  const p = basePresentation(item);
  const results = [ll(-6, 3), ll(-20, 4), ll(-10, 2), ll(-8, 2)];
  assert.deepEqual(compileItem(p, 'hybrid', 'none', full).reduce(results), [-6, -20, -10, -8]);
  assert.deepEqual(compileItem(p, 'hybrid', 'token', full).reduce(results), [-2, -5, -5, -4]);
  // "서울" is 2 characters and 6 bytes; "Busan city" is 10 of each.
  assert.deepEqual(compileItem(p, 'hybrid', 'char', full).reduce(results), [-3, -2, -2, -2]);
  assert.deepEqual(compileItem(p, 'hybrid', 'byte', full).reduce(results), [-1, -2, -2, -2]);
});

test('pmi pairs each choice with its own unconditional log-prob', () => {
  const c = compileItem(basePresentation(item), 'cloze', 'pmi', full);
  const reqs = c.requests as LoglikelihoodRequest[];
  assert.equal(reqs.length, 8);
  assert.ok(!reqs[0].context.includes('Busan'), 'cloze shows no choices');
  assert.deepEqual(
    reqs.slice(4).map((r) => [r.context, r.continuation]),
    item.choices.map((t) => ['Answer:', ` ${t}`]),
  );
  assert.deepEqual(
    reqs.slice(0, 4).map((r) => r.continuation),
    reqs.slice(4).map((r) => r.continuation),
  );
  const scores = c.reduce([ll(-5), ll(-6), ll(-7), ll(-8), ll(-1), ll(-5), ll(-2), ll(-3)]);
  assert.deepEqual(scores, [-4, -1, -5, -5]);
  assert.equal(predict(scores).predicted, 1);
});

test('predict: argmax, ties to the lowest position and counted, unseen choices rank last, none seen is unscored', () => {
  assert.deepEqual(predict([-3, -1, -2]), { predicted: 1, tie: false });
  assert.deepEqual(predict([-1, -2, -1]), { predicted: 0, tie: true });
  assert.deepEqual(predict([-2, -1, -1, -5]), { predicted: 1, tie: true });
  assert.deepEqual(predict([-2, -1, -0.5]), { predicted: 2, tie: false }, 'a tie that is later beaten is no tie');
  assert.deepEqual(predict([null, -4, null]), { predicted: 1, tie: false });
  assert.deepEqual(predict([null, null]), { predicted: null, tie: false });
});
