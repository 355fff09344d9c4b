import type { Capabilities, Request, RequestResult } from '../core/types.js';
import type { PerturbedPresentation } from '../perturbations/presentation.js';
import { renderPrompt, type Method, type RenderedPrompt } from '../perturbations/templates.js';
import { compileGeneration, type GenerationReading, type GenerationSettings } from './generate.js';

export type { Method };
export type Normalization = 'none' | 'token' | 'char' | 'byte' | 'pmi';
export const METHODS: readonly Method[] = ['symbol', 'hybrid', 'cloze', 'generate'];
export const NORMALIZATIONS: readonly Normalization[] = ['none', 'token', 'char', 'byte', 'pmi'];

/** Request kind a method needs on a model with the given capabilities, or null if it cannot run. */
export function requiredKind(method: Method, caps: Capabilities): Request['kind'] | null {
  if (method === 'generate') return caps.generate ? 'generate' : null;
  if (caps.loglikelihood) return 'loglikelihood';
  if (method === 'symbol' && caps.nextToken) return 'nextToken';
  return null;
}

/**
 * One item compiled for one model: the requests to make and how to turn their results
 * into one score per shown choice (null where the backend could not see the choice).
 */
export interface CompiledItem {
  /** The prompt as rendered, which the requests score. */
  prompt: RenderedPrompt;
  requests: Request[];
  reduce(results: RequestResult[]): (number | null)[];
  /** Generative scoring: the text written and the label read from it. */
  read?(results: RequestResult[]): GenerationReading;
}

/** The choice text as lm-eval measures its length: without the leading delimiter. */
const choiceText = (continuation: string) => continuation.replace(/^\s/, '');

/** One choice as scored: its continuation's log-likelihood, token count and (PMI) unconditional log-likelihood. */
export interface ScoredChoice {
  continuation: string;
  logprob: number;
  tokens?: number;
  unconditional?: number;
}

/**
 * A choice's score under a normalization (lm-eval's acc = none, acc_norm = char, acc_bytes = byte,
 * acc_mutual_info = pmi). Lengths are measured without the leading delimiter. A choice of no length
 * has no per-character (byte, token) score: null, ranked below every scored choice, as lm-eval's
 * division by zero (−∞) ranks it; an item whose choices all have no length is unscored.
 */
export function normalizedScore(normalization: Normalization, choice: ScoredChoice): number | null {
  const perUnit = (units: number) => (units > 0 ? choice.logprob / units : null);
  switch (normalization) {
    case 'none':
      return choice.logprob;
    case 'token':
      return perUnit(choice.tokens ?? 0);
    case 'char':
      return perUnit([...choiceText(choice.continuation)].length);
    case 'byte':
      return perUnit(Buffer.byteLength(choiceText(choice.continuation), 'utf8'));
    case 'pmi': {
      if (choice.unconditional === undefined)
        throw new Error('PMI normalization needs the unconditional log-likelihood');
      return choice.logprob - choice.unconditional;
    }
  }
}

export function compileItem(
  p: PerturbedPresentation,
  method: Method,
  normalization: Normalization,
  caps: Capabilities,
  generation?: GenerationSettings,
): CompiledItem {
  const kind = requiredKind(method, caps);
  if (!kind)
    throw new Error(
      `scoring method ${method} needs ${method === 'generate' ? 'text generation' : 'log-likelihoods'}, which this backend lacks`,
    );
  if (method === 'generate') {
    if (!generation) throw new Error('generative scoring needs its generation settings');
    return compileGeneration(p, generation);
  }
  const prompt = renderPrompt(p, method);
  const n = prompt.continuations.length;
  if (kind === 'nextToken') {
    if (prompt.contexts)
      throw new Error('partial scoring has one context per choice, which next-token requests cannot score');
    return {
      prompt,
      requests: [{ kind: 'nextToken', context: prompt.context, candidates: prompt.continuations }],
      reduce: ([r]) => (r.kind === 'nextToken' ? r.logprobs : mismatch(r)),
    };
  }
  const requests: Request[] = prompt.continuations.map((continuation, i) => ({
    kind: 'loglikelihood',
    context: prompt.contexts?.[i] ?? prompt.context,
    continuation,
  }));
  if (method !== 'symbol' && normalization === 'pmi') {
    for (const continuation of prompt.continuations)
      requests.push({ kind: 'loglikelihood', context: prompt.unconditionalContext, continuation });
  }
  const norm = method === 'symbol' ? 'none' : normalization;
  return {
    prompt,
    requests,
    reduce: (results) =>
      prompt.continuations.map((continuation, i) => {
        const r = results[i];
        if (r.kind !== 'loglikelihood') return mismatch(r);
        const u = norm === 'pmi' ? results[n + i] : undefined;
        if (u && u.kind !== 'loglikelihood') return mismatch(u);
        return normalizedScore(norm, { continuation, logprob: r.logprob, tokens: r.tokens, unconditional: u?.logprob });
      }),
  };
}

function mismatch(r: RequestResult): never {
  throw new Error(`result of kind ${r.kind} does not answer this request`);
}

/**
 * TruthfulQA MC2 (lm-eval truthfulqa/utils.py process_results_mc2): the probabilities of the
 * choices normalized to sum to 1, and the mass of the true ones. Scores must be log-likelihoods.
 */
export function trueMass(scores: readonly (number | null)[], isTrue: readonly boolean[]): number | null {
  if (scores.some((s) => s === null || Number.isNaN(s))) return null;
  const top = Math.max(...(scores as number[]));
  const probs = (scores as number[]).map((s) => Math.exp(s - top));
  const total = probs.reduce((a, b) => a + b, 0);
  return probs.reduce((sum, p, i) => (isTrue[i] ? sum + p : sum), 0) / total;
}

export interface Prediction {
  /** Shown position with the highest score, or null when no choice could be scored (unscored). */
  predicted: number | null;
  tie: boolean;
}

/**
 * Argmax over the scored choices. A choice the backend could not see (outside its top-k) is
 * ranked below every seen one, which is what the top-k means; if none is seen, the item is unscored.
 * Ties go to the lowest shown position, and are counted.
 */
export function predict(scores: readonly (number | null)[]): Prediction {
  let best: number | null = null;
  let tie = false;
  scores.forEach((s, i) => {
    if (s === null || Number.isNaN(s)) return;
    if (best === null || s > scores[best]!) {
      best = i;
      tie = false;
    } else if (s === scores[best]) tie = true;
  });
  return { predicted: best, tie };
}
