/**
 * Position bias for every model × condition (RStd) and, for each set of conditions that are the
 * cyclic rotations of one another, CircularEval and (with symbol scoring) PriDe.
 */
import type { ConditionInfo, ItemResult } from '../core/results.js';
import { makeRng, seedFrom, shuffled } from '../core/rng.js';
import type { CircularReport, PrideReport, RStdCell } from './analysisTypes.js';
import { circularEval, prideDebias, pridePrior, rstd, type SymbolScores } from './bias.js';
import { detectCircularGroups } from './circularGroups.js';
import { cellOffset, cellOutcomes, resultAt, type ResultMatrix } from './resultMatrix.js';

export interface BiasOptions {
  seed: number;
  baselineIndex: number;
  /** Share of items whose rotations estimate the PriDe prior (default 0.05). */
  prideShare?: number;
  /** Rotation sets given explicitly (condition indices); detected from the data when omitted. */
  circularGroups?: number[][];
}

export function rstdCells(mx: ResultMatrix): RStdCell[] {
  const out: RStdCell[] = [];
  mx.conditions.forEach((condition, c) => {
    mx.models.forEach((model, m) => {
      const offset = cellOffset(mx, m, c);
      out.push({ model, condition, ...rstd(mx.goldPosition.subarray(offset, offset + mx.n), cellOutcomes(mx, m, c)) });
    });
  });
  return out;
}

/** Seeded choice of the calibration items (at least one) for a rotation set. */
export function prideCalibrationItems(n: number, share: number, seed: number, key: string): number[] {
  const count = Math.min(n, Math.max(1, Math.ceil(share * n)));
  const all = Array.from({ length: n }, (_, i) => i);
  return shuffled(all, makeRng(seedFrom(seed, 'pride', key)))
    .slice(0, count)
    .sort((a, b) => a - b);
}

function prideReport(
  mx: ResultMatrix,
  results: readonly ItemResult[],
  group: readonly number[],
  target: number,
  share: number,
  seed: number,
): PrideReport {
  const calibration = prideCalibrationItems(mx.n, share, seed, group.map((c) => mx.conditions[c]).join('|'));
  const isCalibration = new Uint8Array(mx.n);
  calibration.forEach((i) => (isCalibration[i] = 1));
  // Debias the items not used for the prior; with too few items, all of them.
  const evaluate = Array.from({ length: mx.n }, (_, i) => i).filter(
    (i) => !isCalibration[i] || calibration.length === mx.n,
  );
  const perModel = mx.models.map((model, m) => {
    const rotationScores = calibration.map((i) => group.map((c) => resultAt(mx, results, m, c, i).scores));
    const prior = pridePrior(rotationScores);
    if (!prior) return { model, prior: null, priorItems: 0, n: 0, originalAccuracy: NaN, debiasedAccuracy: NaN };
    const targets: SymbolScores[] = evaluate.map((i) => resultAt(mx, results, m, target, i));
    return { model, prior: prior.prior, priorItems: prior.items, ...prideDebias(prior.prior, targets) };
  });
  return { target: mx.conditions[target], calibrationShare: share, calibrationItems: calibration.length, perModel };
}

export function circularReports(
  mx: ResultMatrix,
  results: readonly ItemResult[],
  infos: readonly ConditionInfo[],
  opts: BiasOptions,
): CircularReport[] {
  const groups =
    opts.circularGroups ??
    detectCircularGroups(infos, (c, i) => resultAt(mx, results, 0, c, i).order, mx.models.length > 0 ? mx.n : 0);
  return groups.map((group) => {
    const perModel = mx.models.map((model, m) => ({
      model,
      ...circularEval(group.map((c) => cellOutcomes(mx, m, c))),
    }));
    const symbol = group.every((c) => infos[c].scoring === 'symbol');
    const target = group.includes(opts.baselineIndex) ? opts.baselineIndex : group[0];
    return {
      conditions: group.map((c) => mx.conditions[c]),
      perModel,
      pride: symbol ? prideReport(mx, results, group, target, opts.prideShare ?? 0.05, opts.seed) : null,
    };
  });
}
