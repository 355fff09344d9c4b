/**
 * Do nominal 95% intervals cover the truth 93–97% of the time? Per-item correctness is simulated
 * from a logistic model with random item difficulties; the truth (population accuracy) is the
 * exact expectation, computed by numerical integration. 2,000 seeded replications per case keep
 * the Monte-Carlo SE of a coverage rate near 0.5 points.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeRng, type Rng } from '../../src/core/rng.js';
import { bootstrapAccuracyInterval, normalInterval, wilsonInterval } from '../../src/analysis/accuracy.js';
import { zForAlpha } from '../../src/core/distributions.js';
import { pairedDifference } from '../../src/analysis/paired.js';
import { robustScore } from '../../src/analysis/robust.js';

const REPLICATIONS = 2000;
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const normal = (rng: Rng): number => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
const covers = (ci: readonly [number, number], truth: number): number => (ci[0] <= truth && truth <= ci[1] ? 1 : 0);

/** E[σ(μ + s·Z)], Z standard normal, by the trapezoid rule on ±12 sd. */
function expectedSigmoid(mu: number, s: number): number {
  const h = 0.002;
  let sum = 0;
  for (let z = -12; z <= 12; z += h) sum += sigmoid(mu + s * z) * Math.exp((-z * z) / 2);
  return (sum * h) / Math.sqrt(2 * Math.PI);
}

function assertNominal(name: string, coverage: number, t: { diagnostic(m: string): void }): void {
  t.diagnostic(`${name}: ${(100 * coverage).toFixed(1)}%`);
  assert.ok(
    coverage >= 0.93 && coverage <= 0.97,
    `${name}: coverage ${(100 * coverage).toFixed(1)}% is outside 93–97%`,
  );
}

test('(a) accuracy with independent items: Wilson, item-level SE and bootstrap cover 93–97%', (t) => {
  const n = 400;
  const ability = 0.6;
  const truth = expectedSigmoid(ability, 1);
  const rng = makeRng(101);
  let wilson = 0;
  let normalCI = 0;
  let boot = 0;
  const bootReps = 1000;
  const outcomes = new Uint8Array(n);
  for (let r = 0; r < REPLICATIONS; r++) {
    let correct = 0;
    for (let i = 0; i < n; i++) {
      outcomes[i] = rng() < sigmoid(ability - normal(rng)) ? 1 : 0;
      correct += outcomes[i];
    }
    const p = correct / n;
    wilson += covers(wilsonInterval(correct, n), truth);
    normalCI += covers(normalInterval(p, Math.sqrt((p * (1 - p)) / n)), truth);
    if (r < bootReps) boot += covers(bootstrapAccuracyInterval(outcomes, { seed: r, resamples: 400 }), truth);
  }
  assertNominal('Wilson', wilson / REPLICATIONS, t);
  assertNominal('item-level SE', normalCI / REPLICATIONS, t);
  assertNominal('bootstrap', boot / bootReps, t);
});

test('(b) robust score over K perturbations of the same items: clustered SE covers, naive SE does not', (t) => {
  const n = 200;
  const shifts = [0.4, -0.3, 0.1, -0.6, 0.2, 0];
  const ability = 0.5;
  const itemSd = 1.5; // shared by an item under every perturbation: the source of clustering
  const noiseSd = 0.5; // item × perturbation
  const truth =
    shifts.reduce((s, d) => s + expectedSigmoid(ability + d, Math.hypot(itemSd, noiseSd)), 0) / shifts.length;
  const rng = makeRng(202);
  let clustered = 0;
  let miller = 0;
  let naive = 0;
  const z = zForAlpha(0.05);
  const outcomes = shifts.map(() => new Uint8Array(n));
  for (let r = 0; r < REPLICATIONS; r++) {
    for (let i = 0; i < n; i++) {
      const item = itemSd * normal(rng);
      shifts.forEach((d, k) => (outcomes[k][i] = rng() < sigmoid(ability + d - item + noiseSd * normal(rng)) ? 1 : 0));
    }
    const s = robustScore(outcomes);
    clustered += covers(s.ci, truth);
    miller += covers([s.mean - z * s.millerSE, s.mean + z * s.millerSE], truth);
    naive += covers([s.mean - z * s.naiveSE, s.mean + z * s.naiveSE], truth);
  }
  assertNominal('item-clustered SE', clustered / REPLICATIONS, t);
  assertNominal("Miller's clustered SE", miller / REPLICATIONS, t);
  t.diagnostic(`naive SE: ${((100 * naive) / REPLICATIONS).toFixed(1)}%`);
  assert.ok(
    naive / REPLICATIONS < 0.88,
    `naive SE should under-cover, got ${((100 * naive) / REPLICATIONS).toFixed(1)}%`,
  );
});

test('(c) paired difference of two models on the same items covers 93–97%', (t) => {
  const n = 200;
  const [abilityA, abilityB] = [0.7, 0.4];
  const modelNoise = 0.8; // how differently model B sees each item
  const truth = expectedSigmoid(abilityA, 1.2) - expectedSigmoid(abilityB, Math.hypot(1.2, modelNoise));
  const rng = makeRng(303);
  let paired = 0;
  const a = new Uint8Array(n);
  const b = new Uint8Array(n);
  for (let r = 0; r < REPLICATIONS; r++) {
    for (let i = 0; i < n; i++) {
      const item = 1.2 * normal(rng);
      a[i] = rng() < sigmoid(abilityA - item) ? 1 : 0;
      b[i] = rng() < sigmoid(abilityB - item + modelNoise * normal(rng)) ? 1 : 0;
    }
    paired += covers(pairedDifference(a, b).ci, truth);
  }
  assertNominal('paired difference', paired / REPLICATIONS, t);
});
