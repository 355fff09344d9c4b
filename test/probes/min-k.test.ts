import { test } from 'node:test';
import assert from 'node:assert/strict';
import { auc, compareMinK, controlText, minKScore } from '../../src/probes/min-k.js';

test('Min-K% averages the lowest ceil(k·n) token log-probs', () => {
  assert.equal(minKScore([-1, -5, -2, -8, -0.5], 0.2), -8);
  assert.equal(minKScore([-1, -5, -2, -8, -0.5], 0.4), -6.5);
  assert.equal(minKScore([-3], 0.2), -3);
  assert.ok(Number.isNaN(minKScore([], 0.2)));
});

test('AUC: 1 when every positive is higher, 0.5 for identical sets, ties count one half', () => {
  assert.equal(auc([3, 4], [1, 2]), 1);
  assert.equal(auc([1, 2], [3, 4]), 0);
  assert.equal(auc([1, 2, 3], [1, 2, 3]), 0.5);
  assert.equal(auc([2], [2]), 0.5);
  assert.equal(auc([1, 3], [2]), 0.5);
});

test('the paired shift has a CI; a model that cannot tell the texts apart shows none', () => {
  const same = compareMinK('m', 0.2, [-2, -3, -4, -5], [-2, -3, -4, -5]);
  assert.equal(same.shift, 0);
  assert.equal(same.auc, 0.5);
  const familiar = compareMinK('m', 0.2, [-1, -1.2, -0.9, -1.1, -1.0], [-3, -3.1, -2.8, -3.3, -2.9]);
  assert.ok(familiar.shift > 1.5 && familiar.shiftCI[0] > 0);
  assert.equal(familiar.auc, 1);
});

test('control text changes numbers, names and word order, deterministically', () => {
  const q = 'In 1815, the army of Wellington met Napoleon near Brussels with 68000 men.';
  const a = controlText(q, 1, 'x/1');
  assert.equal(a, controlText(q, 1, 'x/1'));
  assert.notEqual(a, q);
  assert.ok(!a.includes('1815') && !a.includes('68000'));
  assert.ok(!a.includes('Wellington') || !a.includes('Napoleon'));
  assert.notEqual(controlText(q, 1, 'x/2'), a, 'each item has its own stream');
  assert.equal(a.split(' ').length, q.split(' ').length);
});
