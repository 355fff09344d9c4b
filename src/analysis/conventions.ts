/**
 * Conventions side by side. goodhart's accuracy is strict: an answer that could not be read counts
 * as not correct. Some published leaderboards (MMLU-Pro's) replace an unread answer by a random
 * choice instead; that "random fill" convention is given two ways: its expectation,
 * (correct + Σ_unscored 1/k_i)/n with k_i the item's number of choices, and one seeded draw. The
 * pairs of models whose order differs between strict and random fill are listed.
 */
import type { ItemResult } from '../core/results.js';
import { makeRng, seedFrom } from '../core/rng.js';
import { resultAt, type ResultMatrix } from './resultMatrix.js';
import { defineStatistic } from './statistic.js';

export interface ConventionModel {
  model: string;
  unscored: number;
  strict: number;
  /** Expected accuracy when each unscored answer is replaced by a uniformly random choice. */
  randomFillExpected: number;
  /** Accuracy with one seeded random choice per unscored answer. */
  randomFillSeeded: number;
}

export interface ConventionComparison {
  condition: string;
  perModel: ConventionModel[];
  /** Pairs ordered one way by strict accuracy and the other way (or tied) by the random-fill expectation. */
  swappedPairs: { a: string; b: string; strict: [number, number]; randomFillExpected: [number, number] }[];
}

export interface Conventions {
  /** What every accuracy in analysis.json is: unscored answers are not correct. */
  policy: 'strict';
  /** One entry per condition with unscored answers. */
  randomFill: ConventionComparison[];
  /** Why random fill could not be computed, when it could not. */
  notApplicable: string | null;
}

export function conventions(mx: ResultMatrix, results: readonly ItemResult[], seed: number): Conventions {
  const M = mx.models.length;
  const out: ConventionComparison[] = [];
  let unknownChoices = false;
  mx.conditions.forEach((condition, c) => {
    let any = false;
    for (let m = 0; m < M && !any; m++) {
      const o = (m * mx.conditions.length + c) * mx.n;
      for (let i = 0; i < mx.n && !any; i++) any = mx.unscored[o + i] === 1;
    }
    if (!any) return;
    const perModel: ConventionModel[] = [];
    for (let m = 0; m < M; m++) {
      const o = (m * mx.conditions.length + c) * mx.n;
      let correct = 0;
      let unscored = 0;
      let expected = 0;
      let seeded = 0;
      const rng = makeRng(seedFrom(seed, 'random-fill', mx.models[m], condition));
      for (let i = 0; i < mx.n; i++) {
        correct += mx.correct[o + i];
        if (!mx.unscored[o + i]) continue;
        unscored++;
        const r = resultAt(mx, results, m, c, i);
        const k = Math.max(r.order.length, r.scores.length);
        if (k === 0 || r.goldPosition < 0) {
          unknownChoices = true;
          continue;
        }
        expected += 1 / k;
        if (Math.floor(rng() * k) === r.goldPosition) seeded++;
      }
      perModel.push({
        model: mx.models[m],
        unscored,
        strict: correct / mx.n,
        randomFillExpected: (correct + expected) / mx.n,
        randomFillSeeded: (correct + seeded) / mx.n,
      });
    }
    const swappedPairs: ConventionComparison['swappedPairs'] = [];
    for (let a = 0; a < M; a++) {
      for (let b = a + 1; b < M; b++) {
        const [x, y] = [perModel[a], perModel[b]];
        if (Math.sign(x.strict - y.strict) !== Math.sign(x.randomFillExpected - y.randomFillExpected)) {
          swappedPairs.push({
            a: x.model,
            b: y.model,
            strict: [x.strict, y.strict],
            randomFillExpected: [x.randomFillExpected, y.randomFillExpected],
          });
        }
      }
    }
    out.push({ condition, perModel, swappedPairs });
  });
  if (unknownChoices) {
    return {
      policy: 'strict',
      randomFill: [],
      notApplicable:
        'the results do not say how many choices an unscored item had (import with --choices, or per-choice scores)',
    };
  }
  return {
    policy: 'strict',
    randomFill: out,
    notApplicable: out.length === 0 ? 'every answer was read (no unscored item)' : null,
  };
}

/** `conventions` in analysis.json; shown by the report's random-fill section (report/html/conventions.ts). */
export const conventionsStatistic = defineStatistic({
  name: 'conventions',
  compute: ({ mx, items, seed }) => conventions(mx, items, seed),
  notApplicable: (result) => (result.notApplicable ? { statistic: 'randomFill', reason: result.notApplicable } : null),
  methods: {
    randomFill:
      'Published convention: an unscored answer replaced by a random choice; expectation (correct + sum 1/k_i)/n and one seeded draw.',
  },
});
