/**
 * Position bias and consistency under reordering of the choices:
 * - RStd (Zheng et al., ICLR 2024): population std over answer positions of per-position recall.
 * - CircularEval (OpenCompass): accuracy per rotation, `perf` = right under every rotation,
 *   `moreK` = right under at least k of the n rotations.
 * - PriDe (Zheng et al., ICLR 2024): estimate the model's prior over answer positions from a few
 *   items seen under all cyclic rotations, then debias predictions by dividing it out.
 */

export interface RStdResult {
  /** Accuracy on items whose gold is at each shown position; null where no gold lands. */
  recallByPosition: (number | null)[];
  itemsByPosition: number[];
  /** Population std of the non-null recalls, in accuracy units (×100 for the paper's %). */
  rstd: number;
}

/** RStd from each item's gold position and 0/1 outcome. */
export function rstd(goldPositions: ArrayLike<number>, outcomes: ArrayLike<number>, positions?: number): RStdResult {
  let p = positions ?? 0;
  for (let i = 0; i < goldPositions.length; i++) p = Math.max(p, goldPositions[i] + 1);
  const items = new Array<number>(p).fill(0);
  const correct = new Array<number>(p).fill(0);
  for (let i = 0; i < goldPositions.length; i++) {
    const g = goldPositions[i];
    if (g < 0) continue; // gold not shown: no position to credit
    items[g]++;
    correct[g] += outcomes[i];
  }
  const recallByPosition = items.map((n, j) => (n > 0 ? correct[j] / n : null));
  const present = recallByPosition.filter((r): r is number => r !== null);
  const mean = present.reduce((s, r) => s + r, 0) / present.length;
  const variance = present.reduce((s, r) => s + (r - mean) ** 2, 0) / present.length;
  return { recallByPosition, itemsByPosition: items, rstd: present.length > 0 ? Math.sqrt(variance) : NaN };
}

export interface CircularEvalResult {
  rotations: number;
  n: number;
  /** Accuracy under each rotation, in the order given. */
  perRotationAccuracy: number[];
  /** Share of items right under all rotations (= moreK for k = rotations). */
  perf: number;
  /** moreK[k − 1] = share of items right under at least k of the rotations, k = 1 … rotations. */
  moreK: number[];
}

/** CircularEval from 0/1 outcomes under each rotation, on the same n items. */
export function circularEval(outcomesByRotation: readonly ArrayLike<number>[]): CircularEvalResult {
  const K = outcomesByRotation.length;
  const n = K > 0 ? outcomesByRotation[0].length : 0;
  const atLeast = new Array<number>(K + 1).fill(0);
  const perRotationAccuracy = outcomesByRotation.map((o) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += o[i];
    return s / n;
  });
  for (let i = 0; i < n; i++) {
    let right = 0;
    for (let r = 0; r < K; r++) right += outcomesByRotation[r][i];
    atLeast[right]++;
  }
  // cumulative from the top: items right under ≥ k rotations
  const moreK = new Array<number>(K).fill(0);
  let cum = 0;
  for (let k = K; k >= 1; k--) {
    cum += atLeast[k];
    moreK[k - 1] = cum / n;
  }
  return { rotations: K, n, perRotationAccuracy, perf: K > 0 ? moreK[K - 1] : NaN, moreK };
}

/** One item's symbol log-probabilities per shown position (null where unseen) and its gold. */
export interface SymbolScores {
  scores: readonly (number | null)[];
  goldPosition: number;
}

/** Index of the largest score (null counts as −∞); ties go to the lowest position; −1 if none. */
export function argmaxScore(scores: readonly (number | null)[], offset?: readonly number[]): number {
  let best = -1;
  let bestValue = -Infinity;
  scores.forEach((s, j) => {
    if (s === null || !Number.isFinite(s)) return;
    const v = offset ? s - offset[j] : s;
    if (v > bestValue) {
      bestValue = v;
      best = j;
    }
  });
  return best;
}

/**
 * PriDe prior over positions: for each calibration item, softmax over positions of the mean
 * (over its cyclic rotations) of log P(symbol at that position); the prior is the mean of those
 * distributions over items. rotationScores[i][r] = scores of item i under rotation r. Items
 * with a missing score or a different number of positions than the first usable one are skipped.
 */
export function pridePrior(
  rotationScores: readonly (readonly (readonly (number | null)[])[])[],
): { prior: number[]; items: number } | null {
  let positions = 0;
  let prior: number[] = [];
  let used = 0;
  for (const rotations of rotationScores) {
    if (rotations.length === 0) continue;
    const p = rotations[0].length;
    if (positions === 0) {
      positions = p;
      prior = new Array<number>(p).fill(0);
    }
    const complete = rotations.every((s) => s.length === positions && s.every((x) => x !== null && Number.isFinite(x)));
    if (p !== positions || !complete) continue;
    const meanLog = new Array<number>(positions).fill(0);
    for (const s of rotations) s.forEach((x, j) => (meanLog[j] += (x as number) / rotations.length));
    const top = Math.max(...meanLog);
    const exp = meanLog.map((x) => Math.exp(x - top));
    const z = exp.reduce((a, b) => a + b, 0);
    exp.forEach((e, j) => (prior[j] += e / z));
    used++;
  }
  if (used === 0) return null;
  return { prior: prior.map((x) => x / used), items: used };
}

export interface PrideAccuracy {
  n: number;
  /** Accuracy of argmax log P(symbol) on the evaluated items. */
  originalAccuracy: number;
  /** Accuracy of argmax (log P(symbol) − log prior) on the same items. */
  debiasedAccuracy: number;
}

/** Debiased accuracy on items with as many positions as the prior (others are left out). */
export function prideDebias(prior: readonly number[], items: readonly SymbolScores[]): PrideAccuracy {
  const logPrior = prior.map((p) => Math.log(p));
  let n = 0;
  let original = 0;
  let debiased = 0;
  for (const item of items) {
    if (item.scores.length !== prior.length) continue;
    n++;
    if (argmaxScore(item.scores) === item.goldPosition) original++;
    if (argmaxScore(item.scores, logPrior) === item.goldPosition) debiased++;
  }
  return { n, originalAccuracy: original / n, debiasedAccuracy: debiased / n };
}
