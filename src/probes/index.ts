/** The Goodhart probes of a run, as they appear in analysis.json beside the leaderboard. */
import type { ConditionInfo, ItemResult } from '../core/results.js';
import { answerOrderMemory, choicesOnlyProbe, type ChoicesOnlyProbe, type OrderMemory } from './format-probes.js';
import { compareMinK, type MinKComparison } from './min-k.js';

export interface MinKScores {
  k: number;
  /** Per model: Min-K% of each item's question and of its control, aligned by item. */
  perModel: { model: string; itemIds: string[]; benchmark: number[]; control: number[] }[];
}

export interface Probes {
  /** Accuracy with the question hidden; null when the study has no choices-only condition. */
  choicesOnly: ChoicesOnlyProbe | null;
  /** After the gold moves, picks of its original position, per model and reordering condition. */
  answerOrderMemory: OrderMemory[];
  /** Min-K% Prob of the questions against seeded controls; null when the run did not compute it. */
  minK: MinKComparison[] | null;
  notes: string[];
}

export function computeProbes(items: ItemResult[], conditions: ConditionInfo[], minK?: MinKScores): Probes {
  return {
    choicesOnly: choicesOnlyProbe(items, conditions),
    answerOrderMemory: answerOrderMemory(items, conditions),
    minK: minK ? minK.perModel.map((m) => compareMinK(m.model, minK.k, m.benchmark, m.control)) : null,
    notes: [
      'choices-only: accuracy above chance (interval above the chance line) means the answers can be guessed without the question: artifacts in the benchmark, or a model that has seen it. It cannot say which.',
      'answer-order memory: a rate above what the model\'s own position preferences predict means it still answers where the gold used to be; it needs conditions that move the gold.',
      'min-k: a positive shift (benchmark questions more familiar than their perturbed controls) with an AUC above 0.5 is a sign of exposure to the text, not proof; controls change surface form, which can move scores too.',
    ],
  };
}
