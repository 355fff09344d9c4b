import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareBinaryPair, holmAdjust, mcnemarExact, pairedDifference } from '../../src/analysis/paired.js';
import { close } from './helpers.js';

test("McNemar's exact test: hand-computed binomial tails", () => {
  close(mcnemarExact(1, 6), 0.125, 1e-15); // 2·(1 + 7)/2^7
  assert.equal(mcnemarExact(5, 5), 1);
  assert.equal(mcnemarExact(0, 0), 1);
  assert.equal(mcnemarExact(6, 1), mcnemarExact(1, 6));
  // 2·Σ_{k≤min} C(b+c, k)/2^(b+c) with exact integers (Python fractions).
  close(mcnemarExact(10, 25), 0.01667384780012071, 1e-13);
  close(mcnemarExact(40, 60), 0.05688793364098079, 1e-13);
  close(mcnemarExact(300, 360), 0.02157234823197102, 1e-12);
});

test('Holm step-down adjustment', () => {
  // sorted 0.005·4, 0.01·3, 0.03·2, 0.04·1 → 0.02, 0.03, 0.06, max(0.06, 0.04)
  close(holmAdjust([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02], 1e-15);
  close(holmAdjust([0.3, 0.9]), [0.6, 0.9], 1e-15); // 0.3·2, then max(0.6, 0.9·1)
  close(holmAdjust([0.5, 0.9]), [1, 1], 1e-15); // the running maximum carries the cap
  close(holmAdjust([NaN, 0.01]), [1, 0.02], 1e-15);
  assert.deepEqual(holmAdjust([]), []);
});

test('paired difference by hand', () => {
  // d = [0, 0.5, 1, −0.5]: mean 0.25, sd² = 1.25/3, SE = sqrt(1.25/3/4)
  const r = pairedDifference([1, 1, 1, 0], [1, 0.5, 0, 0.5]);
  close(r.meanDifference, 0.25);
  close(r.se, Math.sqrt(1.25 / 12));
  close(r.ci, [0.25 - 1.959963984540054 * r.se, 0.25 + 1.959963984540054 * r.se], 1e-12);
  assert.throws(() => pairedDifference([1], [1, 2]));
  assert.ok(Number.isNaN(pairedDifference([1], [0]).pValue), 'one item says nothing about significance');
  assert.equal(pairedDifference([1, 1], [0, 0]).pValue, 0);
  assert.equal(pairedDifference([1, 0], [1, 0]).pValue, 1);
});

test('binary pair: discordant counts and McNemar', () => {
  const a = [1, 1, 1, 1, 1, 1, 0, 1, 0];
  const b = [0, 0, 0, 0, 0, 0, 1, 1, 0];
  const r = compareBinaryPair(a, b);
  assert.equal(r.onlyA, 6);
  assert.equal(r.onlyB, 1);
  close(r.mcnemarP, 0.125, 1e-15);
  close(r.meanDifference, 5 / 9);
  // The one-pass formulas agree with the general paired difference.
  const general = pairedDifference(a, b);
  close(r.se, general.se, 1e-15);
  close(r.ci, general.ci, 1e-15);
  close(r.pValue, general.pValue, 1e-14);
});
