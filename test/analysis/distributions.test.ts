import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  binomialHalfCdf,
  erfc,
  logFactorial,
  normalCdf,
  normalQuantile,
  quantileSorted,
  quantileSortedDiscrete,
  zForAlpha,
} from '../../src/core/distributions.js';
import { close } from './helpers.js';

test('erfc and Φ match reference values (Python math.erfc)', () => {
  close(erfc(0.3), 0.6713732405408726, 1e-15);
  close(erfc(1), 0.15729920705028513, 1e-14);
  close(erfc(3), 2.2090496998585438e-5, 1e-18);
  close(erfc(-1), 1.842700792949715, 1e-14);
  close(erfc(5) / 1.5374597944280351e-12, 1, 1e-12);
  close(normalCdf(0), 0.5, 1e-16);
  close(normalCdf(1.959963984540054), 0.975, 1e-14);
});

test('normal quantile is the inverse of Φ to near double precision', () => {
  close(normalQuantile(0.975), 1.959963984540054, 1e-13);
  close(zForAlpha(0.05), 1.959963984540054, 1e-13);
  close(normalQuantile(0.3), -0.5244005127080407, 1e-13);
  close(normalQuantile(1e-10), -6.361340902404056, 1e-9);
  assert.equal(normalQuantile(0.5), 0);
  assert.equal(normalQuantile(0), -Infinity);
});

test('binomial(n, 1/2) CDF: small exact cases and a large n', () => {
  close(binomialHalfCdf(1, 7), 8 / 128, 1e-15);
  close(binomialHalfCdf(3, 6), 42 / 64, 1e-15);
  assert.equal(binomialHalfCdf(-1, 5), 0);
  assert.equal(binomialHalfCdf(5, 5), 1);
  // Σ_{k ≤ 4990} C(10000, k) / 2^10000, computed with exact integers.
  close(binomialHalfCdf(4990, 10000), 0.4246551633186602, 1e-10);
  close(logFactorial(10000), 82108.92783681434, 1e-8);
});

test('quantiles: linear (type 7) and discrete (type 1)', () => {
  const xs = [1, 2, 3, 4];
  close(quantileSorted(xs, 0.5), 2.5);
  close(quantileSorted(xs, 0.025), 1.075);
  assert.equal(quantileSortedDiscrete(xs, 0.5), 2);
  assert.equal(quantileSortedDiscrete(xs, 0.975), 4);
  assert.equal(quantileSortedDiscrete(xs, 0.025), 1);
});
