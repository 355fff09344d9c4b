/**
 * Known truth for checking `goodhart design`: a panel whose item outcomes follow a 4-choice
 * item-response model, P(right) = 1/4 + 3/4·σ(θ_m + γ_mk − b_i), with item difficulties b_i drawn
 * anew for every replication and, when asked, model × condition effects γ_mk drawn anew too (new
 * perturbation conditions of the same kind). Replications are independent given the models' θ.
 */
import { pairDifferences } from '../../src/analysis/design.js';
import { expectedTau, mcnemarPower, pairVariance, type PairVariance } from '../../src/analysis/designMath.js';
import { mcnemarExact } from '../../src/analysis/paired.js';
import { kendallTauB } from '../../src/analysis/rankCorrelation.js';
import { cellOutcomes, type ResultMatrix } from '../../src/analysis/resultMatrix.js';
import { makeRng, type Rng } from '../../src/core/rng.js';

export interface Panel {
  abilities: number[];
  /** SD of the model × condition effects γ (0: conditions do not matter). */
  conditionSD: number;
}

function normal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

/** One replication: N new items under K new conditions, as a result matrix. */
export function replicate(panel: Panel, items: number, conditions: number, seed: number): ResultMatrix {
  const rng = makeRng(seed);
  const M = panel.abilities.length;
  const K = conditions;
  const gamma = Array.from({ length: M * K }, () => panel.conditionSD * normal(rng));
  const difficulty = Array.from({ length: items }, () => 1.5 * normal(rng));
  const correct = new Uint8Array(M * K * items);
  for (let m = 0; m < M; m++) {
    for (let k = 0; k < K; k++) {
      const shift = panel.abilities[m] + gamma[m * K + k];
      const offset = (m * K + k) * items;
      for (let i = 0; i < items; i++) {
        const p = 0.25 + 0.75 / (1 + Math.exp(difficulty[i] - shift));
        correct[offset + i] = rng() < p ? 1 : 0;
      }
    }
  }
  const size = M * K * items;
  return {
    models: panel.abilities.map((_, m) => `model-${m + 1}`),
    conditions: Array.from({ length: K }, (_, k) => (k === 0 ? 'baseline' : `perturbed-${k}`)),
    itemIds: Array.from({ length: items }, (_, i) => `item-${i}`),
    n: items,
    subjects: [],
    subjectOfItem: null,
    correct,
    unscored: new Uint8Array(size),
    tie: new Uint8Array(size),
    goldPosition: new Int16Array(size),
    resultIndex: new Int32Array(0),
    incompleteItems: 0,
  };
}

export interface ValidationRow {
  items: number;
  /** Mean over adjacent pairs of the predicted / observed power of McNemar's exact test at alpha. */
  predictedPower: number;
  observedPower: number;
  /** Expected τ between two independent replications, predicted from the pilot / observed. */
  predictedTau: number;
  observedTau: number;
}

/**
 * Predict from one pilot (pilotItems items, one condition, or K conditions for the robust score
 * with new conditions), then measure the same quantities over `replications` pairs of independent
 * replications at each size.
 */
export function validateDesign(
  panel: Panel,
  pilotItems: number,
  conditions: number,
  sizes: number[],
  replications: number,
  seed: number,
  alpha = 0.05,
): ValidationRow[] {
  const pilot = replicate(panel, pilotItems, conditions, seed);
  const all = pilot.conditions.map((_, k) => k);
  const M = pilot.models.length;
  const pairs: PairVariance[] = [];
  for (let a = 0; a < M; a++)
    for (let b = a + 1; b < M; b++) pairs.push(pairVariance(pairDifferences(pilot, a, b, all), pilot.n, conditions));
  const means = pilot.models.map((_, m) => score(pilot, m, all));
  const order = means.map((_, m) => m).sort((a, b) => means[b] - means[a]);
  const adjacent = order.slice(0, -1).map((a, j) => [a, order[j + 1]] as const);
  return sizes.map((items, s) => {
    const predictedPower =
      conditions === 1
        ? avg(
            adjacent.map(([a, b]) => {
              const c = discordant(pilot, a, b);
              return mcnemarPower((c.onlyA - c.onlyB) / pilot.n, (c.onlyA + c.onlyB) / pilot.n, items, alpha);
            }),
          )
        : NaN;
    let rejections = 0;
    let tauSum = 0;
    for (let r = 0; r < replications; r++) {
      const x = replicate(panel, items, conditions, seed * 1000003 + s * 7919 + 2 * r + 1);
      const y = replicate(panel, items, conditions, seed * 1000003 + s * 7919 + 2 * r + 2);
      tauSum += kendallTauB(
        x.models.map((_, m) => score(x, m, all)),
        y.models.map((_, m) => score(y, m, all)),
      );
      if (conditions === 1) {
        for (const [a, b] of adjacent) {
          const c = discordant(x, a, b);
          if (mcnemarExact(c.onlyA, c.onlyB) < alpha && c.onlyA > c.onlyB) rejections++;
        }
      }
    }
    return {
      items,
      predictedPower,
      observedPower: conditions === 1 ? rejections / (replications * adjacent.length) : NaN,
      predictedTau: expectedTau(pairs, items, conditions),
      observedTau: tauSum / replications,
    };
  });
}

function avg(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

function score(mx: ResultMatrix, m: number, conditions: number[]): number {
  let total = 0;
  for (const c of conditions) {
    const o = cellOutcomes(mx, m, c);
    for (let i = 0; i < mx.n; i++) total += o[i];
  }
  return total / (mx.n * conditions.length);
}

function discordant(mx: ResultMatrix, a: number, b: number): { onlyA: number; onlyB: number } {
  const oa = cellOutcomes(mx, a, 0);
  const ob = cellOutcomes(mx, b, 0);
  let onlyA = 0;
  let onlyB = 0;
  for (let i = 0; i < mx.n; i++) {
    onlyA += oa[i] & (1 - ob[i]);
    onlyB += ob[i] & (1 - oa[i]);
  }
  return { onlyA, onlyB };
}
