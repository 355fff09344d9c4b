/**
 * RStd beside what it is without any position bias. RStd is a standard deviation of recalls, so
 * it is above 0 even for a model without bias: the floor is its distribution when the gold
 * positions are assigned to the items at random (a permutation of the outcomes over the items
 * whose gold is shown). Exact permutations when the run is small; otherwise the per-position
 * counts are drawn from the normal approximation of their multivariate hypergeometric law
 * (independent normals with variance n_p·q(1 − q), conditioned on the total). The interval of the
 * observed RStd draws each position's recall from its own binomial (a bootstrap stratified by gold
 * position; normal approximation above 50 items per position) — a percentile interval, biased
 * upward near 0 as any interval of a standard deviation is.
 */
import { makeRng, seedFrom, type Rng } from '../core/rng.js';
import type { Interval } from './accuracy.js';
import { quantileSorted } from '../core/distributions.js';
import { holmAdjust } from './paired.js';

export interface RStdNoise {
  /** 1 − α quantile of RStd when gold positions are random: the noise floor. */
  nullQuantile: number | null;
  /** P(RStd under random gold positions ≥ the observed RStd). */
  pValue: number | null;
  /** Holm-adjusted over every model × condition. */
  holmP: number | null;
  /** Above the floor after Holm: a position bias beyond noise. */
  beyondNoise: boolean;
  ci: Interval | null;
  /** How the null was drawn. */
  nullMethod: 'exact-permutation' | 'normal-approximation' | null;
}

/** Exact permutations when cells × items × draws stay below this many steps. */
const EXACT_BUDGET = 5e7;

function gaussian(rng: Rng): number {
  let u = rng();
  while (u === 0) u = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

function populationSd(xs: ArrayLike<number>, P: number): number {
  let mean = 0;
  for (let p = 0; p < P; p++) mean += xs[p] / P;
  let v = 0;
  for (let p = 0; p < P; p++) v += (xs[p] - mean) ** 2;
  return Math.sqrt(v / P);
}

function binomialShare(rng: Rng, n: number, q: number): number {
  if (n <= 50) {
    let k = 0;
    for (let t = 0; t < n; t++) if (rng() < q) k++;
    return k / n;
  }
  return Math.min(1, Math.max(0, q + Math.sqrt((q * (1 - q)) / n) * gaussian(rng)));
}

export interface RStdCellInput {
  goldPositions: ArrayLike<number>;
  outcomes: ArrayLike<number>;
  rstd: number;
  key: string;
}

/** Noise floor, p-value and interval of every cell's RStd; Holm over all of them. */
export function rstdNoise(
  cells: readonly RStdCellInput[],
  opts: { draws: number; seed: number; alpha: number },
): RStdNoise[] {
  const R = opts.draws;
  const totalWork = cells.reduce((s, c) => s + c.outcomes.length, 0) * R;
  const exact = totalWork <= EXACT_BUDGET;
  const out = cells.map((cell): RStdNoise => {
    const shown: number[] = [];
    for (let i = 0; i < cell.goldPositions.length; i++) if (cell.goldPositions[i] >= 0) shown.push(i);
    const positions = new Map<number, number>();
    for (const i of shown) positions.set(cell.goldPositions[i], (positions.get(cell.goldPositions[i]) ?? 0) + 1);
    const P = positions.size;
    if (R === 0 || P < 2 || !Number.isFinite(cell.rstd)) {
      return { nullQuantile: null, pValue: null, holmP: null, beyondNoise: false, ci: null, nullMethod: null };
    }
    const slot = new Map([...positions.keys()].sort((a, b) => a - b).map((p, k) => [p, k]));
    const sizes = new Float64Array(P);
    const correct = new Float64Array(P);
    const slotOf = new Int32Array(shown.length);
    shown.forEach((i, k) => {
      const s = slot.get(cell.goldPositions[i])!;
      slotOf[k] = s;
      sizes[s]++;
      correct[s] += cell.outcomes[i];
    });
    const N = shown.length;
    let K = 0;
    for (let p = 0; p < P; p++) K += correct[p];
    const q = K / N;
    const rng = makeRng(seedFrom(opts.seed, 'rstd-noise', cell.key));
    const recall = new Float64Array(P);
    const nulls = new Float64Array(R);
    const values = Float64Array.from(shown, (i) => cell.outcomes[i]);
    let atLeast = 0;
    for (let r = 0; r < R; r++) {
      if (exact) {
        recall.fill(0);
        for (let k = N - 1; k >= 0; k--) {
          const j = Math.floor(rng() * (k + 1));
          const v = values[j];
          values[j] = values[k];
          values[k] = v;
          recall[slotOf[k]] += v;
        }
        for (let p = 0; p < P; p++) recall[p] /= sizes[p];
      } else {
        let excess = 0;
        for (let p = 0; p < P; p++) {
          recall[p] = sizes[p] * q + Math.sqrt(sizes[p] * q * (1 - q)) * gaussian(rng);
          excess += recall[p];
        }
        excess -= K;
        for (let p = 0; p < P; p++) recall[p] = (recall[p] - (sizes[p] / N) * excess) / sizes[p];
      }
      nulls[r] = populationSd(recall, P);
      if (nulls[r] >= cell.rstd - 1e-12) atLeast++;
    }
    nulls.sort();
    const boot = new Float64Array(R);
    for (let r = 0; r < R; r++) {
      for (let p = 0; p < P; p++) recall[p] = binomialShare(rng, sizes[p], correct[p] / sizes[p]);
      boot[r] = populationSd(recall, P);
    }
    boot.sort();
    return {
      nullQuantile: quantileSorted(nulls, 1 - opts.alpha),
      pValue: (atLeast + 1) / (R + 1),
      holmP: null,
      beyondNoise: false,
      ci: [quantileSorted(boot, opts.alpha / 2), quantileSorted(boot, 1 - opts.alpha / 2)],
      nullMethod: exact ? 'exact-permutation' : 'normal-approximation',
    };
  });
  const tested = out.map((o, k) => ({ o, k })).filter(({ o }) => o.pValue !== null);
  const holm = holmAdjust(tested.map(({ o }) => o.pValue as number));
  tested.forEach(({ o }, j) => {
    o.holmP = holm[j];
    o.beyondNoise = holm[j] < opts.alpha;
  });
  return out;
}
