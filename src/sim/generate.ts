/**
 * What a simulated model writes when asked to generate: its choice (the argmax of its symbol
 * scores under the same prompt) stated as "The answer is (B)." after a line of reasoning when the
 * prompt asks it to think step by step, or the bare label otherwise. A seeded share of texts
 * (`unreadable`) states no label at all, so unscored answers and their random fill can be checked.
 * Words count as tokens: a text longer than maxTokens is cut there, as a real model's would be.
 */
import type { GenerateRequest, GenerateResult } from '../core/types.js';
import { makeRng, seedFrom } from '../core/rng.js';
import { firstStop } from '../models/gguf-generate.js';
import type { SimSpec } from './spec.js';

const STEP_BY_STEP = /step by step/i;

export function simText(spec: SimSpec, request: GenerateRequest, label: string): string {
  const unreadable =
    makeRng(seedFrom('sim-unreadable', spec.name, spec.seed, request.context))() < (spec.unreadable ?? 0);
  const thinks = STEP_BY_STEP.test(request.context.slice(-200));
  if (unreadable) return thinks ? ' Every option seems wrong to me, so none of them.' : ' none of them';
  return thinks ? ` Weighing every option against the question, the answer is (${label}).` : ` ${label}`;
}

export function simGeneration(spec: SimSpec, request: GenerateRequest, label: string): GenerateResult {
  let text = simText(spec, request, label);
  const words = text.match(/\s*\S+/g) ?? [];
  let finish: GenerateResult['finish'] = 'stop';
  if (words.length > request.maxTokens) {
    text = words.slice(0, request.maxTokens).join('');
    finish = 'length';
  }
  const stopAt = firstStop(text, request.stop);
  if (stopAt !== null) [text, finish] = [text.slice(0, stopAt), 'stop'];
  return { kind: 'generate', text, finish };
}
