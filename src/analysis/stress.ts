/**
 * Stress conditions (built to exploit a bias: the answer fixed at one position, same-answer shots)
 * feed the bias section, not the robust score: per model, accuracy under each stress condition
 * minus the baseline, paired per item, with McNemar's exact test, Holm over every model × condition.
 */
import type { Interval } from './accuracy.js';
import { compareBinaryPair, holmAdjust } from './paired.js';
import { cellOutcomes, type ResultMatrix } from './resultMatrix.js';

export interface StressEffect {
  model: string;
  condition: string;
  /** Accuracy under the stress condition minus under the baseline. */
  shift: number;
  ci: Interval;
  pValue: number;
  holmP: number;
  significant: boolean;
}

export function stressEffects(
  mx: ResultMatrix,
  stress: readonly number[],
  baselineIndex: number,
  alpha: number,
): StressEffect[] {
  const out: StressEffect[] = [];
  for (const c of stress) {
    mx.models.forEach((model, m) => {
      const r = compareBinaryPair(cellOutcomes(mx, m, c), cellOutcomes(mx, m, baselineIndex), alpha);
      out.push({
        model,
        condition: mx.conditions[c],
        shift: r.meanDifference,
        ci: r.ci,
        pValue: r.mcnemarP,
        holmP: NaN,
        significant: false,
      });
    });
  }
  const holm = holmAdjust(out.map((e) => e.pValue));
  out.forEach((e, k) => {
    e.holmP = holm[k];
    e.significant = holm[k] < alpha;
  });
  return out;
}
