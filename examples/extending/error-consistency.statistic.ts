import { cellOutcomes, defineStatistic } from '../../src/registry.js';

export interface ErrorConsistency {
  condition: string;
  pairs: { a: string; b: string; kappa: number | null }[];
}

/**
 * Error consistency (Geirhos et al. 2020): Cohen's kappa of two models' right/wrong outcomes on
 * the same items under the baseline. Near 0: their errors overlap no more than their accuracies
 * imply; near 1: they fail on the same questions.
 */
export const errorConsistency = defineStatistic<ErrorConsistency>({
  name: 'errorConsistency',
  compute: ({ mx, baselineIndex }) => {
    const pairs: ErrorConsistency['pairs'] = [];
    for (let a = 0; a < mx.models.length; a++) {
      for (let b = a + 1; b < mx.models.length; b++) {
        const x = cellOutcomes(mx, a, baselineIndex);
        const y = cellOutcomes(mx, b, baselineIndex);
        let same = 0;
        let rightA = 0;
        let rightB = 0;
        for (let i = 0; i < mx.n; i++) {
          same += x[i] === y[i] ? 1 : 0;
          rightA += x[i];
          rightB += y[i];
        }
        const [pa, pb] = [rightA / mx.n, rightB / mx.n];
        const expected = pa * pb + (1 - pa) * (1 - pb);
        pairs.push({
          a: mx.models[a],
          b: mx.models[b],
          kappa: expected === 1 ? null : (same / mx.n - expected) / (1 - expected),
        });
      }
    }
    return { condition: mx.conditions[baselineIndex], pairs };
  },
  notApplicable: (result) =>
    result.pairs.length ? null : { statistic: 'errorConsistency', reason: 'one model: no pair to compare' },
  methods: {
    errorConsistency:
      "Cohen's kappa of two models' outcomes under the baseline: (c_obs - c_exp) / (1 - c_exp), c_obs the share of items both get right or both wrong, c_exp = p_a p_b + (1 - p_a)(1 - p_b).",
  },
});
