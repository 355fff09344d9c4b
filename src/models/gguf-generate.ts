import type { LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';
import type { GenerateRequest, Outcome } from '../core/types.js';

/** Prompt tokens given to the detokenizer as what precedes the text, so a leading space survives (" The answer…"). */
const PRECEDING_TOKENS = 4;

/** Index of the first stop string in text (and its length), or null. */
export function firstStop(text: string, stop: readonly string[]): number | null {
  let at: number | null = null;
  for (const s of stop) {
    const i = text.indexOf(s);
    if (i >= 0 && (at === null || i < at)) at = i;
  }
  return at;
}

/**
 * Greedy generation on one sequence: the prompt's prefix already in the sequence is kept (a
 * few-shot block shared by a subject's items is evaluated once), the rest is evaluated, then
 * tokens are taken at temperature 0 until an end-of-generation token, a stop string or maxTokens.
 */
export async function generateGreedy(
  model: LlamaModel,
  seq: LlamaContextSequence,
  prompt: Token[],
  request: GenerateRequest,
): Promise<Outcome> {
  if (prompt.length === 0) return { ok: false, error: 'context has no tokens' };
  const state = seq.contextTokens;
  let keep = 0;
  while (keep < state.length && keep < prompt.length && state[keep] === prompt[keep]) keep++;
  // At least one prompt token is evaluated, so the first generated token comes from fresh logits.
  keep = Math.min(keep, prompt.length - 1);
  if (keep < state.length) await seq.eraseContextTokenRanges([{ start: keep, end: state.length }]);
  const preceding = prompt.slice(-PRECEDING_TOKENS);
  const generated: Token[] = [];
  let text = '';
  let finish: 'stop' | 'length' = 'length';
  for await (const token of seq.evaluate(prompt.slice(keep), { temperature: 0, seed: request.seed })) {
    if (model.isEogToken(token)) {
      finish = 'stop';
      break;
    }
    generated.push(token);
    text = model.detokenize(generated, false, preceding);
    const stopAt = firstStop(text, request.stop);
    if (stopAt !== null) {
      text = text.slice(0, stopAt);
      finish = 'stop';
      break;
    }
    if (generated.length >= request.maxTokens) break;
  }
  return { ok: true, result: { kind: 'generate', text, finish } };
}
