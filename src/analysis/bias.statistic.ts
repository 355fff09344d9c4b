/**
 * `bias` in analysis.json: position bias per model × condition (RStd with its noise floor),
 * CircularEval and PriDe per set of rotated conditions, and the effect of each stress condition.
 * Its methods are listed with the built-in ones (analyze.ts METHODS).
 */
import { seedFrom } from '../core/rng.js';
import { circularReports, rstdCells } from './biasReport.js';
import { cellOffset, cellOutcomes } from './resultMatrix.js';
import { rstdNoise } from './rstdNoise.js';
import { defineStatistic } from './statistic.js';
import { stressEffects } from './stress.js';

export const biasStatistic = defineStatistic({
  name: 'bias',
  compute: ({ mx, items, conditions, roles, baselineIndex, seed, alpha, permutations, prideShare, circularGroups }) => {
    const rstd = rstdCells(mx);
    const floors = rstdNoise(
      rstd.map((cell) => {
        const m = mx.models.indexOf(cell.model);
        const c = mx.conditions.indexOf(cell.condition);
        const o = cellOffset(mx, m, c);
        return {
          goldPositions: mx.goldPosition.subarray(o, o + mx.n),
          outcomes: cellOutcomes(mx, m, c),
          rstd: cell.rstd,
          key: `${cell.model}\u0000${cell.condition}`,
        };
      }),
      { draws: permutations, seed: seedFrom(seed, 'noise'), alpha },
    );
    const stress = roles.flatMap((r, k) => (r.role === 'stress' ? [k] : []));
    return {
      rstd: rstd.map((cell, k) => ({ ...cell, noise: floors[k] })),
      circular: circularReports(mx, items, conditions, { seed, baselineIndex, prideShare, circularGroups }),
      stress: stressEffects(mx, stress, baselineIndex, alpha),
    };
  },
  notApplicable: ({ rstd }) =>
    rstd.every((r) => !Number.isFinite(r.rstd) || r.itemsByPosition.filter((x) => x > 0).length < 2)
      ? {
          statistic: 'rstd',
          reason: 'the gold answer is shown at fewer than two positions (or its position is unknown)',
        }
      : null,
});
