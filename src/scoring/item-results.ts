/**
 * The one path from a model's answers to results, shared by the engine and the importers:
 * ItemScores (per-choice scores, or an answer another tool gave) → judgeItem → ItemResult, and
 * ItemResults → CellTally → one CellSummary per model × condition (strict: unscored is not correct).
 */
import type { CellSummary, ItemResult } from '../core/results.js';
import type { GenerationReading } from './generate.js';
import { predict, trueMass } from './methods.js';

/** What one model answered to one item under one condition, before it is judged. */
export interface ItemScores {
  model: string;
  condition: string;
  itemId: string;
  subject?: string;
  /** order[shownPosition] = original choice index. */
  order: number[];
  labels?: string[];
  /** Shown position of the correct choice (-1 when unknown: then only a given judgement can be used). */
  goldPosition: number;
  /** Score per shown position; the prediction is their argmax unless `predicted` is given. */
  scores: (number | null)[];
  /** The predicted shown position when another tool gave it instead of scores (null: no answer). */
  predicted?: number | null;
  /** Correctness when another tool judged it, overriding the comparison with the gold answer. */
  correct?: boolean | null;
  /** Several true choices (original indices, TruthfulQA MC2): any of them is correct. */
  trueChoices?: readonly number[];
  /** The scores are plain log-likelihoods, so MC2's probability mass of the true choices means something. */
  logLikelihoods?: boolean;
  /** Generative scoring: the text written and the label read from it. */
  reading?: GenerationReading;
  /** Generative scoring, nothing read: the shown position MMLU-Pro's random fill picks. */
  randomFill?: number;
  promptHash?: string;
}

/** The prediction, its correctness and (several true choices) the MC2 mass of one item. */
export function judgeItem(s: ItemScores): ItemResult {
  const { predicted, tie } = s.predicted !== undefined ? { predicted: s.predicted, tie: false } : predict(s.scores);
  const trueChoices = s.trueChoices;
  const correct =
    s.correct !== undefined
      ? s.correct
      : predicted === null
        ? null
        : trueChoices
          ? trueChoices.includes(s.order[predicted])
          : predicted === s.goldPosition;
  const mc2 =
    trueChoices && s.logLikelihoods
      ? trueMass(
          s.scores,
          s.order.map((c) => trueChoices.includes(c)),
        )
      : null;
  return {
    model: s.model,
    condition: s.condition,
    itemId: s.itemId,
    ...(s.subject !== undefined ? { subject: s.subject } : {}),
    order: s.order,
    ...(s.labels !== undefined ? { labels: s.labels } : {}),
    goldPosition: s.goldPosition,
    scores: s.scores,
    predicted,
    correct,
    tie,
    ...(s.reading ? { generated: s.reading.generated, finish: s.reading.finish, extracted: s.reading.extracted } : {}),
    ...(s.randomFill !== undefined ? { randomFill: s.randomFill } : {}),
    ...(mc2 !== null ? { mc2 } : {}),
    ...(s.promptHash !== undefined ? { promptHash: s.promptHash } : {}),
  };
}

/** Counts of each model × condition, in the order the cells were first met. */
export class CellTally {
  private readonly cells = new Map<string, CellSummary>();
  private readonly mc2Sums = new Map<string, number>();

  /** The cell's counts, opened empty on first use (so a cell whose items all failed is still reported). */
  open(model: string, condition: string): CellSummary {
    const key = `${model}\u0000${condition}`;
    let cell = this.cells.get(key);
    if (!cell)
      this.cells.set(
        key,
        (cell = { model, condition, accuracy: 0, n: 0, correct: 0, unscored: 0, ties: 0, failed: 0 }),
      );
    return cell;
  }

  /** An item left out because a request for it failed. */
  fail(model: string, condition: string): void {
    this.open(model, condition).failed++;
  }

  add(r: ItemResult): void {
    const cell = this.open(r.model, r.condition);
    if (r.mc2 !== undefined) {
      const key = `${r.model}\u0000${r.condition}`;
      this.mc2Sums.set(key, (this.mc2Sums.get(key) ?? 0) + r.mc2);
    }
    if (r.extracted !== undefined) {
      // MMLU-Pro's rule: an unread answer is filled at random; one read but naming no shown choice stays wrong.
      cell.randomFill ??= { accuracy: 0, correct: 0, filled: 0 };
      if (r.randomFill !== undefined) cell.randomFill.filled++;
      if (r.correct || r.randomFill === r.goldPosition) cell.randomFill.correct++;
    }
    cell.n++;
    if (r.correct) cell.correct++;
    if (r.correct === null) cell.unscored++;
    if (r.tie) cell.ties++;
  }

  /** Accuracy over every judged item (unscored ones count as not correct); MC2 is the mean mass over them. */
  summaries(): CellSummary[] {
    return [...this.cells].map(([key, s]) => {
      const mc2 = this.mc2Sums.get(key);
      return {
        ...s,
        accuracy: s.n ? s.correct / s.n : NaN,
        ...(mc2 !== undefined ? { mc2: mc2 / s.n } : {}),
        ...(s.randomFill ? { randomFill: { ...s.randomFill, accuracy: s.n ? s.randomFill.correct / s.n : NaN } } : {}),
      };
    });
  }
}

/** The summaries of results judged elsewhere (imported ones), in the order their cells first appear. */
export function summarizeItems(items: Iterable<ItemResult>): CellSummary[] {
  const tally = new CellTally();
  for (const r of items) tally.add(r);
  return tally.summaries();
}
