/**
 * Ranks and rank agreement between two leaderboards over the same models.
 * Leaderboard ranks are competition ranks ("1224"): 1 + the number of models strictly better,
 * so tied models share the best rank of their block, and "rank 3" always means "two models are
 * better". Spearman's ρ uses average ranks, as its definition requires.
 */

/** Competition rank of each score, higher score = better = rank 1; ties share the best rank. */
export function competitionRanks(scores: ArrayLike<number>): number[] {
  const n = scores.length;
  const ranks = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let better = 0;
    for (let j = 0; j < n; j++) if (scores[j] > scores[i]) better++;
    ranks[i] = 1 + better;
  }
  return ranks;
}

/** Average ranks in ascending order of value (1 = smallest); ties get the mean of their ranks. */
export function averageRanks(values: ArrayLike<number>): number[] {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => values[i] - values[j]);
  const ranks = new Array<number>(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && values[order[end]] === values[order[start]]) end++;
    const mean = (start + 1 + end) / 2; // mean of ranks start+1 … end
    for (let k = start; k < end; k++) ranks[order[k]] = mean;
    start = end;
  }
  return ranks;
}

/**
 * Kendall's τ-b, which corrects for ties: (C − D) / sqrt((n0 − n1)(n0 − n2)) with
 * n0 = n(n−1)/2 and n1, n2 the pairs tied in x and in y. NaN when either side is all tied.
 */
export function kendallTauB(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (y.length !== n) throw new Error(`kendallTauB: lengths differ (${n} vs ${y.length})`);
  let s = 0;
  let tiedX = 0;
  let tiedY = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign(x[i] - x[j]);
      const dy = Math.sign(y[i] - y[j]);
      if (dx === 0) tiedX++;
      if (dy === 0) tiedY++;
      s += dx * dy;
    }
  }
  const n0 = (n * (n - 1)) / 2;
  const denominator = Math.sqrt((n0 - tiedX) * (n0 - tiedY));
  return denominator > 0 ? s / denominator : NaN;
}

/** The rescaling τ_k = (τ + 1)/2 used by Alzahrani et al. (2024): 1 = same order, 0 = reversed. */
export function tauK(tau: number): number {
  return (tau + 1) / 2;
}

/** Pearson correlation; NaN when either side is constant. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** Spearman's ρ: the Pearson correlation of average ranks. */
export function spearmanRho(x: ArrayLike<number>, y: ArrayLike<number>): number {
  if (y.length !== x.length) throw new Error(`spearmanRho: lengths differ (${x.length} vs ${y.length})`);
  return pearson(averageRanks(x), averageRanks(y));
}
