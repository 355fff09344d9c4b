/**
 * Advice for designing a leaderboard from a pilot run: which protocol ranks the panel most stably,
 * how many items separate its adjacent models, and how many perturbation conditions a robust score
 * needs before its ranking settles. Predictions come from the closed forms of designMath.ts; each
 * is shown beside what the pilot itself shows when split in half, so the model behind it can be checked.
 */
import type { ConditionInfo } from '../core/results.js';
import { makeRng, seedFrom, shuffled, type Rng } from '../core/rng.js';
import type { Interval } from './accuracy.js';
import { conditionRoles } from './roles.js';
import {
  expectedTau,
  fixedConditionsItemVariance,
  itemsForTau,
  mcnemarItems,
  mcnemarPower,
  pairVariance,
  pairedZItems,
  pairedZPower,
  tauLimit,
  type PairVariance,
} from './designMath.js';
import { percentileInterval } from '../core/distributions.js';
import { compareBinaryPair, holmAdjust, pairedDifference } from './paired.js';
import { competitionRanks, kendallTauB } from './rankCorrelation.js';
import { cellOutcomes, type ResultMatrix } from './resultMatrix.js';

/** What a condition is for, in designing a leaderboard. */
export type DesignRole = 'baseline' | 'protocol' | 'perturbation' | 'other';

export interface DesignOptions {
  seed: number;
  /** Family-wise level of the adjacent-pair tests and level of each power calculation (default 0.05). */
  alpha?: number;
  /** Power asked of a paired test (default 0.8). */
  power?: number;
  /** Difference in accuracy two models should be separable at (default 0.01). */
  targetSeparation?: number;
  /** Expected τ between replications the whole leaderboard should reach (default 0.9). */
  targetTau?: number;
  /** Share of adjacent pairs the recommendation asks to separate (default 0.8). */
  pairShare?: number;
  /** Random half-splits of the pilot (default 200). */
  splits?: number;
  /** Bootstrap resamples for rank intervals (default 200). */
  bootstrap?: number;
}

export interface AdjacentPair {
  a: string;
  b: string;
  /** Score of a minus score of b in the pilot (a ranks above b). */
  difference: number;
  differenceCI: Interval;
  /** Share of items where exactly one of the two is right (0/1 scores), else null. */
  discordance: number | null;
  /** Per-item SD of the difference. */
  sd: number;
  pValue: number;
  /** Holm-adjusted over the adjacent pairs. */
  holmP: number;
  separable: boolean;
  /** Power of the test at the pilot's own size, if the true difference is the pilot's. */
  powerAtPilot: number;
  /** Items at which the test reaches the requested power, if the true difference is the pilot's. */
  itemsNeeded: number | null;
  /** Items needed at the ends of the difference's interval (null upper: the interval reaches 0). */
  itemsNeededRange: [number | null, number | null];
}

export interface CandidateDesign {
  name: string;
  kind: 'condition' | 'robust';
  conditions: string[];
  /** Pilot items. */
  n: number;
  scores: { model: string; score: number; rank: number; rankCI: Interval }[];
  /** Expected Kendall τ between two independent replications of the pilot's size (new items, same conditions). */
  expectedTau: number;
  /** Robust scores: the same with new conditions of the same kinds drawn too; null for one condition. */
  expectedTauNewConditions: number | null;
  /** Split-half check: τ between random halves of the pilot, and what the model predicts for halves. */
  splitHalf: { observed: number; observedInterval: Interval; predicted: number; splits: number };
  medianRankIntervalWidth: number;
  separableAdjacentPairs: number;
  adjacentPairs: AdjacentPair[];
  /** Items for `pairShare` of the adjacent pairs to reach the requested power (null: never). */
  itemsForPairShare: number | null;
  /** Items for the whole leaderboard's expected τ to reach the target (null: never). */
  itemsForTargetTau: number | null;
  /** Items for two models `targetSeparation` apart, with this protocol's median discordance/SD. */
  itemsForTargetSeparation: number | null;
  /** Expected τ by replication size. */
  tauByItems: { items: number; tau: number }[];
}

export interface ConditionsCurve {
  perturbations: string[];
  /** Expected τ of the robust ranking with K conditions drawn anew, at the pilot's item count and unlimited items. */
  byConditions: { conditions: number; tau: number; tauUnlimitedItems: number }[];
  /** Split halves over items and over conditions (k conditions each): observed τ and its prediction. */
  splitCheck: { conditions: number; items: number; observed: number; predicted: number }[];
  /** Fewest conditions whose expected τ is within 0.01 of the limit with unlimited conditions. */
  conditionsToSettle: number | null;
  tauUnlimitedConditions: number;
}

export interface Design {
  schemaVersion: 1;
  settings: Required<DesignOptions>;
  models: string[];
  items: number;
  roles: Record<string, DesignRole>;
  candidates: CandidateDesign[];
  conditionsNeeded: ConditionsCurve | null;
  recommendation: string[];
  methods: Record<string, string>;
}

export const DESIGN_METHODS: Record<string, string> = {
  expectedTau:
    "Per pair of models, the difference on a replication is ~N(δ, V); two independent replications order it alike with E[sign·sign] = (2Φ(δ/√V) − 1)²; expected τ is the mean over pairs, with δ² net of the pilot's sampling variance.",
  variance:
    "V = σ²_item/N + σ²_cond/K + σ²_res/(NK), from the two-way ANOVA of the pair's item × condition differences (one condition: V = sd²/N).",
  splitHalf:
    "Items split at random into two halves (and, for the robust score, conditions into two disjoint sets); τ-b between the halves' rankings, averaged over splits, beside the prediction for that size.",
  itemsNeeded:
    "McNemar (Connor 1987): N = ((z_{α/2}√ψ + z_β√(ψ − δ²))/δ)² with ψ the discordance; robust scores: paired z-test, N = ((z_{α/2} + z_β)σ/δ)². δ is the pilot's difference (plug-in); the range uses the ends of its interval.",
  separable:
    "Adjacent pairs in the pilot's order: McNemar exact (0/1) or paired z-test (robust), Holm-adjusted over the adjacent pairs.",
  rankIntervals: 'Percentile intervals of competition ranks over bootstrap resamples of items.',
  conditionsToSettle:
    "Fewest perturbation conditions whose expected robust τ (at the pilot's items) is within 0.01 of its value with unlimited conditions.",
};

const DEFAULTS = {
  alpha: 0.05,
  power: 0.8,
  targetSeparation: 0.01,
  targetTau: 0.9,
  pairShare: 0.8,
  splits: 200,
  bootstrap: 200,
};
const REPLICATION_SIZES = [100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000];

/** Design roles from the run's condition roles: stress tests and probes take no part in a design. */
export function designRoles(conditions: readonly ConditionInfo[], baseline: string): Record<string, DesignRole> {
  const roles: Record<string, DesignRole> = {};
  for (const r of conditionRoles(conditions, baseline)) {
    roles[r.condition] = r.role === 'baseline' || r.role === 'protocol' || r.role === 'perturbation' ? r.role : 'other';
  }
  return roles;
}

/** Per-model per-item scores (item-major within a model) and, for robust, the per-condition outcomes. */
interface CandidateData {
  name: string;
  kind: 'condition' | 'robust';
  conditions: number[];
  binary: boolean;
  scores: Float64Array[];
}

function candidateData(
  mx: ResultMatrix,
  name: string,
  kind: 'condition' | 'robust',
  conditions: number[],
): CandidateData {
  const scores = mx.models.map((_, m) => {
    const s = new Float64Array(mx.n);
    for (const c of conditions) {
      const o = cellOutcomes(mx, m, c);
      for (let i = 0; i < mx.n; i++) s[i] += o[i] / conditions.length;
    }
    return s;
  });
  return { name, kind, conditions, binary: conditions.length === 1, scores };
}

function mean(x: ArrayLike<number>, idx?: ArrayLike<number>): number {
  let s = 0;
  const n = idx ? idx.length : x.length;
  for (let j = 0; j < n; j++) s += x[idx ? idx[j] : j];
  return s / n;
}

/** The item × condition differences of a pair, item-major. */
export function pairDifferences(mx: ResultMatrix, a: number, b: number, conditions: readonly number[]): Float64Array {
  const K = conditions.length;
  const d = new Float64Array(mx.n * K);
  conditions.forEach((c, k) => {
    const oa = cellOutcomes(mx, a, c);
    const ob = cellOutcomes(mx, b, c);
    for (let i = 0; i < mx.n; i++) d[i * K + k] = oa[i] - ob[i];
  });
  return d;
}

function allPairVariances(mx: ResultMatrix, conditions: readonly number[]): PairVariance[] {
  const out: PairVariance[] = [];
  const M = mx.models.length;
  for (let a = 0; a < M; a++)
    for (let b = a + 1; b < M; b++)
      out.push(pairVariance(pairDifferences(mx, a, b, conditions), mx.n, conditions.length));
  return out;
}

function randomHalves(n: number, rng: Rng): [Int32Array, Int32Array] {
  const idx = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  const half = Math.floor(n / 2);
  return [idx.slice(0, half), idx.slice(half, 2 * half)];
}

function splitHalfTau(
  data: CandidateData,
  n: number,
  splits: number,
  rng: Rng,
): { observed: number; observedInterval: Interval } {
  const taus = new Float64Array(splits);
  for (let s = 0; s < splits; s++) {
    const [h1, h2] = randomHalves(n, rng);
    taus[s] = kendallTauB(
      data.scores.map((x) => mean(x, h1)),
      data.scores.map((x) => mean(x, h2)),
    );
  }
  const finite = taus.filter((t) => Number.isFinite(t));
  return { observed: mean(finite), observedInterval: percentileInterval(finite, 0.05) };
}

function bootstrapRankIntervals(data: CandidateData, n: number, resamples: number, rng: Rng): Interval[] {
  const M = data.scores.length;
  const ranks = Array.from({ length: M }, () => new Float64Array(resamples));
  const draw = new Int32Array(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) draw[i] = Math.floor(rng() * n);
    const rk = competitionRanks(data.scores.map((x) => mean(x, draw)));
    for (let m = 0; m < M; m++) ranks[m][r] = rk[m];
  }
  return ranks.map((x) => percentileInterval(x, 0.05));
}

function adjacentPairs(
  mx: ResultMatrix,
  data: CandidateData,
  order: number[],
  o: Required<DesignOptions>,
): AdjacentPair[] {
  const K = data.conditions.length;
  const raw = order.slice(0, -1).map((a, j) => {
    const b = order[j + 1];
    const A = data.scores[a];
    const B = data.scores[b];
    if (data.binary) {
      const t = compareBinaryPair(A, B, o.alpha);
      const discordance = (t.onlyA + t.onlyB) / t.n;
      const items = (d: number) => mcnemarItems(d, discordance, o.alpha, o.power);
      return {
        a,
        b,
        difference: t.meanDifference,
        differenceCI: t.ci,
        discordance,
        sd: t.se * Math.sqrt(t.n),
        pValue: t.mcnemarP,
        powerAtPilot: mcnemarPower(t.meanDifference, discordance, t.n, o.alpha),
        itemsNeeded: items(t.meanDifference),
        itemsNeededRange: rangeOfItems(t.ci, items),
      };
    }
    const t = pairedDifference(A, B, o.alpha);
    const variance = fixedConditionsItemVariance(pairVariance(pairDifferences(mx, a, b, data.conditions), mx.n, K), K);
    const items = (d: number) => pairedZItems(d, variance, o.alpha, o.power);
    return {
      a,
      b,
      difference: t.meanDifference,
      differenceCI: t.ci,
      discordance: null,
      sd: Math.sqrt(variance),
      pValue: t.pValue,
      powerAtPilot: pairedZPower(t.meanDifference, variance, t.n, o.alpha),
      itemsNeeded: items(t.meanDifference),
      itemsNeededRange: rangeOfItems(t.ci, items),
    };
  });
  const holm = holmAdjust(raw.map((p) => p.pValue));
  return raw.map((p, j) => ({
    ...p,
    a: mx.models[p.a],
    b: mx.models[p.b],
    holmP: holm[j],
    separable: holm[j] < o.alpha,
  }));
}

/** Items needed at the interval's ends: the far end from 0 needs fewest; an interval across 0, no bound. */
function rangeOfItems(ci: Interval, items: (d: number) => number | null): [number | null, number | null] {
  const [lo, hi] = ci;
  if (lo <= 0 && hi >= 0) return [items(Math.abs(lo) > Math.abs(hi) ? lo : hi), null];
  const near = Math.abs(lo) < Math.abs(hi) ? lo : hi;
  const far = near === lo ? hi : lo;
  return [items(far), items(near)];
}

/** The k-th smallest item count (nulls last), k = ceil(share × count); null when that pair never separates. */
function itemsForShare(pairs: readonly AdjacentPair[], share: number): number | null {
  if (pairs.length === 0) return null;
  const sorted = pairs.map((p) => p.itemsNeeded ?? Infinity).sort((x, y) => x - y);
  const v = sorted[Math.max(0, Math.ceil(share * sorted.length) - 1)];
  return Number.isFinite(v) ? v : null;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function designCandidate(mx: ResultMatrix, data: CandidateData, o: Required<DesignOptions>): CandidateDesign {
  const n = mx.n;
  const K = data.conditions.length;
  const scoreOf = data.scores.map((x) => mean(x));
  const ranks = competitionRanks(scoreOf);
  const order = scoreOf.map((_, m) => m).sort((a, b) => scoreOf[b] - scoreOf[a] || a - b);
  const pairs = allPairVariances(mx, data.conditions);
  // New items under the same conditions: the condition part is fixed, the residual averages over K.
  const fixed = pairs.map((v) => {
    const item = fixedConditionsItemVariance(v, K);
    return { ...v, deltaSquared: Math.max(0, v.delta * v.delta - item / n), item, condition: 0, residual: 0 };
  });
  const replicationTau = (items: number) => expectedTau(fixed, items);
  const rng = makeRng(seedFrom(o.seed, 'design', data.name));
  const split = splitHalfTau(data, n, o.splits, rng);
  const rankCI = bootstrapRankIntervals(data, n, o.bootstrap, rng);
  const adjacent = adjacentPairs(mx, data, order, o);
  const spread = median(adjacent.map((p) => (data.binary ? (p.discordance ?? 0) : p.sd * p.sd)));
  return {
    name: data.name,
    kind: data.kind,
    conditions: data.conditions.map((c) => mx.conditions[c]),
    n,
    scores: order.map((m) => ({ model: mx.models[m], score: scoreOf[m], rank: ranks[m], rankCI: rankCI[m] })),
    expectedTau: replicationTau(n),
    expectedTauNewConditions: data.binary ? null : expectedTau(pairs, n, K),
    splitHalf: { ...split, predicted: replicationTau(Math.floor(n / 2)), splits: o.splits },
    medianRankIntervalWidth: median(rankCI.map(([lo, hi]) => hi - lo)),
    separableAdjacentPairs: adjacent.filter((p) => p.separable).length,
    adjacentPairs: adjacent,
    itemsForPairShare: itemsForShare(adjacent, o.pairShare),
    itemsForTargetTau: itemsForTau(fixed, o.targetTau),
    itemsForTargetSeparation: data.binary
      ? mcnemarItems(o.targetSeparation, spread, o.alpha, o.power)
      : pairedZItems(o.targetSeparation, spread, o.alpha, o.power),
    tauByItems: [...new Set([...REPLICATION_SIZES, n])]
      .sort((a, b) => a - b)
      .map((items) => ({ items, tau: replicationTau(items) })),
  };
}

function conditionsCurve(mx: ResultMatrix, perturbations: number[], o: Required<DesignOptions>): ConditionsCurve {
  const K = perturbations.length;
  const pairs = allPairVariances(mx, perturbations);
  const maxK = Math.max(2 * K, 12);
  const byConditions = Array.from({ length: maxK }, (_, j) => ({
    conditions: j + 1,
    tau: expectedTau(pairs, mx.n, j + 1),
    tauUnlimitedItems: tauLimit(pairs, j + 1),
  }));
  const limit = expectedTau(
    pairs.map((v) => ({ ...v, condition: 0 })),
    mx.n,
    1e9,
  );
  let settle: number | null = null;
  for (let k = 1; k <= 1000 && settle === null; k++) if (expectedTau(pairs, mx.n, k) >= limit - 0.01) settle = k;
  const rng = makeRng(seedFrom(o.seed, 'design', 'conditions'));
  const splitCheck: ConditionsCurve['splitCheck'] = [];
  for (let k = 1; 2 * k <= K; k++) {
    let sum = 0;
    let count = 0;
    for (let s = 0; s < o.splits; s++) {
      const [h1, h2] = randomHalves(mx.n, rng);
      const shuffledConditions = shuffled(perturbations, rng);
      const score = (items: Int32Array, conds: number[]) =>
        mx.models.map((_, m) => {
          let total = 0;
          for (const c of conds) total += mean(cellOutcomes(mx, m, c), items);
          return total / conds.length;
        });
      const tau = kendallTauB(score(h1, shuffledConditions.slice(0, k)), score(h2, shuffledConditions.slice(k, 2 * k)));
      if (Number.isFinite(tau)) {
        sum += tau;
        count++;
      }
    }
    splitCheck.push({
      conditions: k,
      items: Math.floor(mx.n / 2),
      observed: sum / count,
      predicted: expectedTau(pairs, Math.floor(mx.n / 2), k),
    });
  }
  return {
    perturbations: perturbations.map((c) => mx.conditions[c]),
    byConditions,
    splitCheck,
    conditionsToSettle: settle,
    tauUnlimitedConditions: limit,
  };
}

export function designLeaderboard(mx: ResultMatrix, roles: Record<string, DesignRole>, options: DesignOptions): Design {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  const o: Required<DesignOptions> = { ...DEFAULTS, ...given } as Required<DesignOptions>;
  const indexOf = (role: DesignRole) => mx.conditions.flatMap((c, k) => (roles[c] === role ? [k] : []));
  const singles = [...indexOf('baseline'), ...indexOf('protocol')].map((c) =>
    candidateData(mx, mx.conditions[c], 'condition', [c]),
  );
  const perturbations = indexOf('perturbation');
  const robust = perturbations.length > 0 ? [candidateData(mx, 'robust', 'robust', perturbations)] : [];
  const candidates = [...singles, ...robust].map((d) => designCandidate(mx, d, o));
  const conditionsNeeded = perturbations.length > 0 ? conditionsCurve(mx, perturbations, o) : null;
  return {
    schemaVersion: 1,
    settings: o,
    models: [...mx.models],
    items: mx.n,
    roles,
    candidates,
    conditionsNeeded,
    recommendation: recommend(candidates, conditionsNeeded, o),
    methods: { ...DESIGN_METHODS },
  };
}

const count = (n: number | null) => (n === null ? 'no number of items' : `${n.toLocaleString('en-US')} items`);

/** A few plain sentences: the most stable protocol, what it needs, and how many conditions a robust score needs. */
export function recommend(
  candidates: readonly CandidateDesign[],
  curve: ConditionsCurve | null,
  o: Required<DesignOptions>,
): string[] {
  const singles = candidates.filter((c) => c.kind === 'condition');
  if (singles.length === 0) return [];
  const baseline = singles[0];
  const best = [...singles].sort((a, b) => b.expectedTau - a.expectedTau)[0];
  const share = `${Math.round(o.pairShare * 100)}% of adjacent pairs at ${Math.round(o.power * 100)}% power`;
  const out: string[] = [];
  const tau = (c: CandidateDesign) => c.expectedTau.toFixed(2);
  if (best === baseline) {
    out.push(
      `The baseline (${baseline.name}) is the most stable protocol measured: two replications of ${baseline.n.toLocaleString('en-US')} items would agree at τ ≈ ${tau(baseline)}.`,
    );
  } else {
    out.push(
      `${best.name} ranks this panel more stably than the baseline ${baseline.name}: two replications of ${best.n.toLocaleString('en-US')} items would agree at τ ≈ ${tau(best)} against ${tau(baseline)}.`,
    );
  }
  out.push(
    `${best.name} separates ${best.separableAdjacentPairs} of ${best.adjacentPairs.length} adjacent pairs in this pilot; ${count(best.itemsForPairShare)} would separate ${share}${best === baseline ? '' : `; ${baseline.name} would need ${count(baseline.itemsForPairShare)}`}.`,
  );
  out.push(
    `Two models ${(o.targetSeparation * 100).toFixed(1)} points apart need about ${count(best.itemsForTargetSeparation)} under ${best.name}; τ ≥ ${o.targetTau} between replications needs ${count(best.itemsForTargetTau)}.`,
  );
  const robust = candidates.find((c) => c.kind === 'robust');
  if (robust && curve) {
    out.push(
      `The robust score over ${curve.perturbations.length} perturbation condition(s) would replicate at τ ≈ ${tau(robust)} on new items, ${(robust.expectedTauNewConditions ?? NaN).toFixed(2)} with new conditions of the same kinds too; ${curve.conditionsToSettle === null ? 'more conditions keep paying' : `adding conditions stops paying after ${curve.conditionsToSettle}`}.`,
    );
  }
  return out;
}
