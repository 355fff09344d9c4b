/**
 * Published protocols a condition can name (`protocol: lm-eval`): the template, scoring,
 * normalization and shots under which a benchmark's well-known numbers were published.
 */
import { UserError } from '../core/errors.js';
import { isHfSpec, type BenchmarkSpec } from '../benchmarks/spec.js';
import type { PerturbationEntry } from '../perturbations/registry.js';
import { LLAMA_CPP_FORMATS, LM_EVAL_FORMATS } from '../perturbations/protocols.js';
import { LLAMA_CPP_TEMPLATE } from '../perturbations/templates.js';
import type { Method, Normalization } from '../scoring/methods.js';

export const PROTOCOL_NAMES = ['lm-eval', 'llama.cpp', 'open-llm-leaderboard-v1'] as const;
export type ProtocolName = (typeof PROTOCOL_NAMES)[number];

/** The condition that is the baseline when a study names none. */
export const DEFAULT_BASELINE: ProtocolName = 'lm-eval';

export interface ProtocolSettings {
  scoring: Method;
  normalization: Normalization;
  /** Steps placed before the condition's own perturbations. */
  perturbations: PerturbationEntry[];
}

/** The task a benchmark spec reads: its recipe; the MMLU CSV folder is MMLU. */
export function benchmarkTask(spec: BenchmarkSpec): string | undefined {
  if (isHfSpec(spec)) return spec.recipe;
  return spec.format === 'mmlu' ? 'mmlu' : undefined;
}

/**
 * The Open LLM Leaderboard (v1, 2023-2024) shot counts and metrics: ARC-Challenge 25-shot acc_norm,
 * HellaSwag 10-shot acc_norm, MMLU 5-shot acc, TruthfulQA 0-shot MC2, WinoGrande 5-shot acc. The
 * leaderboard drew its shots at random from the training split (lm-eval's default sampler); here
 * they are the first k of the few-shot pool (for HellaSwag, ARC and WinoGrande set
 * `fewshotSplit: train`), so the counts match and the examples may not.
 */
export const OPEN_LLM_LEADERBOARD_V1_SHOTS: Record<string, number> = {
  arc_challenge: 25,
  hellaswag: 10,
  mmlu: 5,
  truthfulqa_mc2: 0,
  winogrande: 5,
};

export function protocolSettings(protocol: ProtocolName, task: string | undefined): ProtocolSettings {
  const what = task ?? 'a benchmark without a recipe';
  switch (protocol) {
    case 'lm-eval': {
      // Without a task format of its own, a benchmark is rendered in lm-eval's MMLU template.
      const format = task === undefined ? undefined : LM_EVAL_FORMATS[task];
      return { scoring: format?.method ?? 'symbol', normalization: format?.normalization ?? 'none', perturbations: [] };
    }
    case 'llama.cpp': {
      const format = task === undefined ? undefined : LLAMA_CPP_FORMATS[task];
      if (!format)
        throw new UserError(
          `the llama.cpp protocol is defined for ${Object.keys(LLAMA_CPP_FORMATS).join(', ')}, not ${what}`,
        );
      return {
        scoring: format.method,
        normalization: format.normalization,
        perturbations: [{ template: { name: LLAMA_CPP_TEMPLATE } }],
      };
    }
    case 'open-llm-leaderboard-v1': {
      const k = task === undefined ? undefined : OPEN_LLM_LEADERBOARD_V1_SHOTS[task];
      if (k === undefined) {
        const hint = task === 'truthfulqa_mc1' ? ' (it published TruthfulQA as MC2: use recipe truthfulqa_mc2)' : '';
        throw new UserError(
          `the Open LLM Leaderboard v1 did not publish ${what}${hint}; it covers ${Object.keys(OPEN_LLM_LEADERBOARD_V1_SHOTS).join(', ')}`,
        );
      }
      const base = protocolSettings('lm-eval', task);
      return { ...base, perturbations: k > 0 ? [{ fewshot: { k } }] : [] };
    }
  }
}
