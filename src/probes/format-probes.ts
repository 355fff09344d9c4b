/**
 * Two probes read from the per-item results of ordinary conditions:
 * - choices-only: accuracy when the question is hidden, against chance;
 * - answer-order memory: after the gold moves, how often the model still picks where it was.
 */
import type { ConditionInfo, ItemResult } from '../core/results.js';
import { wilsonInterval, type Interval } from '../analysis/accuracy.js';
import { normalCdf } from '../core/distributions.js';
import { holmAdjust } from '../analysis/paired.js';

export interface ChanceComparison {
  n: number;
  accuracy: number;
  ci: Interval;
  /** Mean of 1/(number of choices) over the items. */
  chance: number;
  /** The interval lies above chance: the answers can be guessed from the choices alone. */
  aboveChance: boolean;
}

export interface ChoicesOnlyProbe {
  conditions: string[];
  perModel: (ChanceComparison & { model: string; bySubject: (ChanceComparison & { subject: string })[] })[];
  /** Items that at least half of the models (and at least two) answer without the question. */
  flaggedItems: { itemId: string; subject?: string; modelsCorrect: number; models: number }[];
}

function compareWithChance(results: ItemResult[], alpha: number): ChanceComparison {
  const n = results.length;
  const correct = results.filter((r) => r.correct === true).length;
  const chance = n ? results.reduce((s, r) => s + 1 / r.order.length, 0) / n : NaN;
  const ci = wilsonInterval(correct, n, alpha);
  return { n, accuracy: n ? correct / n : NaN, ci, chance, aboveChance: n > 0 && ci[0] > chance };
}

const groupBy = <T>(xs: T[], key: (x: T) => string) => {
  const out = new Map<string, T[]>();
  for (const x of xs) {
    const k = key(x);
    const list = out.get(k);
    if (list) list.push(x);
    else out.set(k, [x]);
  }
  return out;
};

export function choicesOnlyProbe(
  items: ItemResult[],
  conditions: ConditionInfo[],
  alpha = 0.05,
): ChoicesOnlyProbe | null {
  const names = new Set(
    conditions.filter((c) => c.perturbations.some((p) => p.name === 'choices-only')).map((c) => c.name),
  );
  if (names.size === 0) return null;
  const probed = items.filter((r) => names.has(r.condition));
  const perModel = [...groupBy(probed, (r) => r.model)].map(([model, results]) => ({
    model,
    ...compareWithChance(results, alpha),
    bySubject: [...groupBy(results, (r) => r.subject ?? '')].map(([subject, rs]) => ({
      subject,
      ...compareWithChance(rs, alpha),
    })),
  }));
  const models = perModel.length;
  const flaggedItems = [...groupBy(probed, (r) => r.itemId)]
    .map(([itemId, rs]) => ({
      itemId,
      subject: rs[0].subject,
      modelsCorrect: new Set(rs.filter((r) => r.correct).map((r) => r.model)).size,
      models,
    }))
    .filter((f) => f.modelsCorrect >= 2 && f.modelsCorrect >= models / 2)
    .sort((a, b) => b.modelsCorrect - a.modelsCorrect || a.itemId.localeCompare(b.itemId));
  return { conditions: [...names], perModel, flaggedItems };
}

export interface OrderMemory {
  model: string;
  condition: string;
  /** Items whose gold was moved away from its original position. */
  moved: number;
  /** Of those, predictions at the gold's original position. */
  pickedOriginal: number;
  rate: number;
  ci: Interval;
  /** The rate expected without memory, from the model's own position preferences (NaN if no reference items). */
  expected: number;
  excess: number;
  /** One-sided z-test of rate > expected, with the sampling error of both (null without reference items). */
  pValue: number | null;
  /** Holm-adjusted over every model × condition of the probe. */
  holmP: number | null;
  /** Holm-adjusted p < alpha: answers follow the old gold position beyond the model's habits. */
  flagged: boolean;
}

/** Whether a condition's results say where each choice was originally (imports usually do not). */
export function knowsOriginalOrder(condition: ConditionInfo, results: readonly ItemResult[]): boolean {
  return condition.factors.order !== 'as imported' && results.every((r) => r.order.length > 0);
}

/**
 * For every condition that reorders choices: among items whose gold moved, the share of predictions
 * that land on the gold's original position. Without memory, the chance of predicting position p is
 * the model's own rate of predicting p on the other items of that condition where p is neither the
 * gold nor the original position — which absorbs plain position bias and excludes memorized picks.
 */
export function answerOrderMemory(items: ItemResult[], conditions: ConditionInfo[], alpha = 0.05): OrderMemory[] {
  const reordering = new Map(
    conditions
      .filter((c) => c.factors.order !== 'original' && c.factors.order !== 'as imported')
      .map((c) => [c.name, c]),
  );
  const out: OrderMemory[] = [];
  for (const [key, results] of groupBy(
    items.filter((r) => reordering.has(r.condition)),
    (r) => `${r.model}\u0000${r.condition}`,
  )) {
    const [model, condition] = key.split('\u0000');
    if (!knowsOriginalOrder(reordering.get(condition)!, results)) continue;
    // order[shown] = original index, and originally index == position, so the gold started at order[gold].
    const originalOf = (r: ItemResult) => r.order[r.goldPosition];
    const movedItems = results.filter((r) => originalOf(r) !== r.goldPosition);
    if (movedItems.length === 0) continue;
    const reference = new Map<number, { rate: number; n: number }>();
    const referenceAt = (p: number) => {
      let ref = reference.get(p);
      if (ref === undefined) {
        const pool = results.filter((r) => r.goldPosition !== p && originalOf(r) !== p && r.predicted !== null);
        ref = { rate: pool.length ? pool.filter((r) => r.predicted === p).length / pool.length : NaN, n: pool.length };
        reference.set(p, ref);
      }
      return ref;
    };
    const picked = movedItems.filter((r) => r.predicted === originalOf(r)).length;
    const n = movedItems.length;
    const expected = movedItems.reduce((s, r) => s + referenceAt(originalOf(r)).rate, 0) / n;
    // Var(expected) = Σ_p w_p² r_p(1 − r_p)/n_p, w_p the share of moved items that started at p.
    const share = new Map<number, number>();
    for (const r of movedItems) share.set(originalOf(r), (share.get(originalOf(r)) ?? 0) + 1 / n);
    let varianceExpected = 0;
    for (const [p, w] of share) {
      const ref = referenceAt(p);
      varianceExpected += ref.n > 0 ? (w * w * ref.rate * (1 - ref.rate)) / ref.n : NaN;
    }
    const rate = picked / n;
    const se = Math.sqrt((expected * (1 - expected)) / n + varianceExpected);
    const pValue =
      Number.isFinite(expected) && Number.isFinite(se)
        ? se > 0
          ? 1 - normalCdf((rate - expected) / se)
          : rate > expected
            ? 0
            : 1
        : null;
    out.push({
      model,
      condition,
      moved: n,
      pickedOriginal: picked,
      rate,
      ci: wilsonInterval(picked, n, alpha),
      expected,
      excess: rate - expected,
      pValue,
      holmP: null,
      flagged: false,
    });
  }
  const tested = out.filter((o) => o.pValue !== null);
  const holm = holmAdjust(tested.map((o) => o.pValue as number));
  tested.forEach((o, k) => {
    o.holmP = holm[k];
    o.flagged = holm[k] < alpha;
  });
  return out;
}
