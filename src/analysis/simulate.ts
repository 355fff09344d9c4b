/**
 * A simulated run with known truth, for tests, benchmarks and demonstrations of the analysis.
 * Correctness follows a logistic item-response model: P(correct) = σ(ability_m − difficulty_i +
 * effect of the condition on model m), where each condition shifts every model a little and each
 * model differently (so leaderboards move between conditions, as on real benchmarks). Symbol
 * scores are only consistent with the prediction (the predicted symbol scores highest).
 * The first condition is the baseline; with `rotations`, the next n − 1 conditions are the cyclic
 * rotations of the baseline's choices (a CircularEval set, with symbol scores for PriDe).
 */
import type { ConditionFactors, ConditionInfo, ItemResult } from '../core/results.js';
import { makeRng, seedFrom, shuffled, type Rng } from '../core/rng.js';

export interface SimulationSpec {
  models: number;
  items: number;
  /** Total conditions including the baseline (and the rotations when asked for). */
  conditions: number;
  seed: number;
  options?: number;
  subjects?: number;
  /** Add the n − 1 rotations of the baseline (default true). */
  rotations?: boolean;
  /** Share of answers that cannot be read (default 0.01). */
  unscoredRate?: number;
  /** Log-odds bonus of the first shown position in symbol scoring (position bias, default 0.5). */
  positionBias?: number;
}

export interface SimulatedRun {
  items: ItemResult[];
  conditions: ConditionInfo[];
  baseline: string;
  models: string[];
  /** True P(correct) averaged over items, per model × condition: truth[m][c]. */
  truth: number[][];
}

function normal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

const BASE: ConditionFactors = { order: 'original', symbols: 'ABCD', template: 'mmlu', scoring: 'symbol', shots: '0' };
const VARIATIONS: [keyof ConditionFactors, string][] = [
  ['symbols', 'abcd'],
  ['template', 'no-subject'],
  ['scoring', 'cloze-char'],
  ['order', 'shuffle-1'],
  ['symbols', '1234'],
  ['template', 'correct-answer'],
  ['scoring', 'hybrid-token'],
  ['shots', '5'],
  ['order', 'reverse'],
  ['symbols', '$&#@'],
  ['template', 'helm'],
  ['scoring', 'cloze-pmi'],
];

function conditionGrid(count: number, options: number, rotations: boolean): ConditionInfo[] {
  const out: ConditionInfo[] = [
    { name: 'baseline', scoring: 'symbol', normalization: 'none', perturbations: [], factors: { ...BASE } },
  ];
  for (let r = 1; rotations && r < options && out.length < count; r++) {
    out.push({
      name: `rotate-${r}`,
      scoring: 'symbol',
      normalization: 'none',
      perturbations: [{ name: 'rotate', args: { k: r } }],
      factors: { ...BASE, order: `rotate-${r}` },
    });
  }
  for (let k = 0; out.length < count; k++) {
    const [factor, level0] = VARIATIONS[k % VARIATIONS.length];
    const round = Math.floor(k / VARIATIONS.length);
    const level = round === 0 ? level0 : `${level0}-${round + 1}`;
    const factors = { ...BASE, [factor]: level };
    const scoring = factor === 'scoring' ? (level.startsWith('cloze') ? 'cloze' : 'hybrid') : 'symbol';
    const normalization =
      scoring === 'symbol' ? 'none' : level.includes('pmi') ? 'pmi' : level.includes('token') ? 'token' : 'char';
    out.push({
      name: `${factor}=${level}`,
      scoring,
      normalization,
      perturbations: [{ name: factor, args: level }],
      factors,
    });
  }
  return out;
}

export function simulateRun(spec: SimulationSpec): SimulatedRun {
  const options = spec.options ?? 4;
  const rng = makeRng(seedFrom(spec.seed, 'simulate'));
  const conditions = conditionGrid(spec.conditions, options, spec.rotations ?? true);
  const models = Array.from({ length: spec.models }, (_, m) => `model-${String(m + 1).padStart(2, '0')}`);
  const ability = models.map(() => 0.8 + 0.6 * normal(rng));
  const sensitivity = models.map(() => normal(rng));
  const difficulty = Array.from({ length: spec.items }, () => normal(rng));
  const answer = Array.from({ length: spec.items }, () => Math.floor(rng() * options));
  const itemIds = Array.from({ length: spec.items }, (_, i) => `sim/${i}`);
  const subjectNames = Array.from({ length: spec.subjects ?? 5 }, (_, s) => `subject-${s}`);
  const subjectOf = difficulty.map((_, i) => subjectNames[i % subjectNames.length]);
  // Each non-baseline condition moves all models by a shared amount (none for mere rotations)
  // plus a model-specific one, which is what reorders the leaderboard.
  const levelShift = conditions.map((c, k) =>
    k === 0 || c.factors.order.startsWith('rotate') ? 0 : 0.3 * normal(rng),
  );
  const levelSpread = conditions.map((_, k) => (k === 0 ? 0 : 0.25 * Math.abs(normal(rng))));
  const identity = Array.from({ length: options }, (_, j) => j);
  const orders = conditions.map((c) => {
    if (c.factors.order.startsWith('rotate')) {
      const r = Number(c.factors.order.split('-')[1]);
      const rotated = identity.map((j) => (j + r) % options);
      return () => rotated;
    }
    if (c.factors.order === 'reverse') {
      const reversed = [...identity].reverse();
      return () => reversed;
    }
    if (c.factors.order.startsWith('shuffle')) {
      const perItem = itemIds.map((id) => shuffled(identity, makeRng(seedFrom(spec.seed, c.name, id))));
      return (i: number) => perItem[i];
    }
    return () => identity;
  });
  const unscoredRate = spec.unscoredRate ?? 0.01;
  const bias = spec.positionBias ?? 0.5;
  const noScores: (number | null)[] = [];
  const unreadable: (number | null)[] = identity.map(() => null);
  const items: ItemResult[] = [];
  const truth = models.map(() => new Array<number>(conditions.length).fill(0));
  conditions.forEach((cond, c) => {
    const symbol = cond.scoring === 'symbol';
    models.forEach((model, m) => {
      const shift = ability[m] + levelShift[c] + levelSpread[c] * sensitivity[m];
      for (let i = 0; i < spec.items; i++) {
        const order = orders[c](i);
        const gold = order.indexOf(answer[i]);
        // Symbol scoring: a bonus for the first position moves answers there (position bias).
        const logit = shift - difficulty[i] + (symbol ? (gold === 0 ? bias : -bias / (options - 1)) : 0);
        const p = 1 / (1 + Math.exp(-logit));
        truth[m][c] += p / spec.items;
        const unscored = rng() < unscoredRate;
        const right = !unscored && rng() < p;
        const wrong = (gold + 1 + Math.floor(rng() * (options - 1))) % options;
        const predicted = unscored ? null : right ? gold : wrong;
        let scores = noScores;
        if (symbol) {
          scores =
            predicted === null
              ? unreadable
              : identity.map((j) => (j === predicted ? -0.2 : -2 - rng() - (j === 0 ? 0 : bias)));
        }
        items.push({
          model,
          condition: cond.name,
          itemId: itemIds[i],
          subject: subjectOf[i],
          order,
          goldPosition: gold,
          scores,
          predicted,
          correct: unscored ? null : right,
          tie: false,
        });
      }
    });
  });
  return { items, conditions, baseline: 'baseline', models, truth };
}
