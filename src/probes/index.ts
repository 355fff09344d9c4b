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
  /** Probes that cannot be computed from what the run has, and why. */
  notApplicable: { probe: 'choicesOnly' | 'answerOrderMemory' | 'minK'; reason: string }[];
  notes: string[];
}

function notApplicable(
  items: ItemResult[],
  conditions: ConditionInfo[],
  probes: Omit<Probes, 'notApplicable' | 'notes'>,
): Probes['notApplicable'] {
  const out: Probes['notApplicable'] = [];
  if (!probes.choicesOnly) out.push({ probe: 'choicesOnly', reason: 'the run has no choices-only condition' });
  if (probes.answerOrderMemory.length === 0) {
    const moving = conditions.filter((c) => c.factors.order !== 'original');
    const imported = moving.filter(
      (c) => c.factors.order === 'as imported' || items.some((r) => r.condition === c.name && r.order.length === 0),
    );
    out.push({
      probe: 'answerOrderMemory',
      reason:
        moving.length === 0
          ? 'no condition moves the gold answer (shuffle, rotate, reverse or fix-answer)'
          : imported.length === moving.length
            ? 'the results do not say in which order the choices were shown (imported outputs carry no order)'
            : 'no item had its gold answer moved',
    });
  }
  if (!probes.minK) out.push({ probe: 'minK', reason: 'the run did not compute Min-K% (probes.minK in the study)' });
  return out;
}

export function computeProbes(items: ItemResult[], conditions: ConditionInfo[], minK?: MinKScores): Probes {
  const computed = {
    choicesOnly: choicesOnlyProbe(items, conditions),
    answerOrderMemory: answerOrderMemory(items, conditions),
    minK: minK ? minK.perModel.map((m) => compareMinK(m.model, minK.k, m.benchmark, m.control)) : null,
  };
  return {
    ...computed,
    notApplicable: notApplicable(items, conditions, computed),
    notes: [
      'choices-only: accuracy above chance (interval above the chance line) means the answers can be guessed without the question: artifacts in the benchmark, or a model that has seen it. It cannot say which.',
      "answer-order memory: a rate above what the model's own position preferences predict means it still answers where the gold used to be; it needs conditions that move the gold. Null: without memory, picks of the old position happen at the model's own rate for that position (one-sided z-test, Holm over every model × condition; flagged when the adjusted p < 0.05).",
      'min-k: a positive shift (benchmark questions more familiar than their perturbed controls) with an AUC above 0.5 is a sign of exposure to the text, not proof; controls change surface form, which can move scores too.',
    ],
  };
}
