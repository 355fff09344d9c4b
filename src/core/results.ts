import type { GridFactor } from './factors.js';

/** What a run writes per model × condition × item (one line of items.jsonl). */
export interface ItemResult {
  model: string;
  condition: string;
  itemId: string;
  subject?: string;
  /** order[shownPosition] = original choice index. */
  order: number[];
  /** Symbol shown on each line (e.g. ["A","B","C","D"]). */
  labels?: string[];
  /** Shown position of the correct choice. */
  goldPosition: number;
  /** Score per shown position (higher is better); null where the backend could not see it. */
  scores: (number | null)[];
  /** Predicted shown position, or null when the answer could not be read (unscored). */
  predicted: number | null;
  /** true/false when scored; null when unscored (strict policy counts it as not correct). */
  correct: boolean | null;
  /** Whether the argmax was tied (broken deterministically by lowest shown position). */
  tie: boolean;
  /** Generative scoring: the text the model wrote, why it ended, and the label read from it (null: none). */
  generated?: string;
  finish?: 'stop' | 'length';
  extracted?: string | null;
  /** Generative scoring, nothing read: the shown position MMLU-Pro's random fill would pick. */
  randomFill?: number;
  /** TruthfulQA MC2: the normalized probability mass of the true choices (lm-eval's truthfulqa_mc2 acc). */
  mc2?: number;
  /** Hash of the contexts and continuations scored (engine/plan.ts promptHash); absent in older runs. */
  promptHash?: string;
}

/** How a condition varies from the standard format, one entry per factor of the grid (core/factors.ts). */
export type ConditionFactors = Record<GridFactor, string>;

export interface ConditionInfo {
  name: string;
  scoring: 'symbol' | 'hybrid' | 'cloze' | 'generate';
  normalization: 'none' | 'token' | 'char' | 'byte' | 'pmi';
  perturbations: { name: string; args: unknown }[];
  factors: ConditionFactors;
  /** Generative scoring: its settings as run (greedy, with the seed recorded). */
  generation?: {
    maxTokens: number;
    chainOfThought: { instruction: string; cue: string } | null;
    extraction: unknown;
    stop: string[];
    temperature: 0;
    seed: number;
  };
  /** What the condition is for, when the study set it (see analysis/roles.ts for the defaults). */
  role?: 'baseline' | 'perturbation' | 'stress' | 'probe' | 'protocol';
}

/** Accuracy of one model under one condition (a row of summary.json). */
export interface CellSummary {
  model: string;
  condition: string;
  accuracy: number;
  n: number;
  correct: number;
  unscored: number;
  ties: number;
  /** Items left out because a request for them failed (retried on the next run). */
  failed: number;
  /**
   * Generative scoring: accuracy had every unread answer been filled with a seeded random choice
   * (MMLU-Pro's published rule), beside the strict accuracy above; `filled` answers were drawn.
   */
  randomFill?: { accuracy: number; correct: number; filled: number };
  /** Mean MC2 mass over the scored items (TruthfulQA MC2 with log-likelihood scores), lm-eval's published number. */
  mc2?: number;
  /** The prompt format the model saw when it is not the condition's template (a chat API's template, `<template>+chat:<name>`). */
  template?: string;
}
