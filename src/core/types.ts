/**
 * The vocabulary shared by every stage of the pipeline (see docs/design in README):
 * items flow from benchmarks, through perturbations into presentations, scoring methods
 * compile presentations into requests, models answer requests, scoring reduces the answers.
 */

/** One multiple-choice question as loaded from a benchmark. */
export interface Item {
  /** Unique within a benchmark, stable across runs (e.g. `mmlu/test/anatomy/12`). */
  id: string;
  subject?: string;
  question: string;
  choices: string[];
  /** Index into `choices` of the correct choice. */
  answer: number;
  split?: string;
  /** The published task whose protocols can render it (a recipe name, e.g. `hellaswag`); see perturbations/protocols.ts. */
  task?: string;
  /** Every correct choice when there are several (TruthfulQA MC2); `answer` is one of them. */
  answers?: number[];
  meta?: Record<string, unknown>;
}

/** A worked example shown before the question (few-shot). */
export interface Shot {
  item: Item;
  /** order[shownPosition] = index into item.choices. */
  order: number[];
  /** Shown position whose symbol is given as the answer (usually the gold's position). */
  answerPosition: number;
}

/**
 * How one item is shown to a model. Perturbations transform presentations; the map from
 * shown position to original choice (`order`) is what keeps the gold traceable.
 */
export interface Presentation {
  item: Item;
  /** order[shownPosition] = index into item.choices; a permutation of 0..n-1. */
  order: number[];
  /** Name of the symbol set (see perturbations/symbols.ts). */
  symbolSet: string;
  /** Name of the prompt template (see perturbations/templates.ts). */
  template: string;
  shots: Shot[];
}

/** Shown position of the correct choice. */
export function goldPosition(p: Presentation): number {
  return p.order.indexOf(p.item.answer);
}

/** log P(continuation | context), summed over the continuation's tokens. */
export interface LoglikelihoodRequest {
  kind: 'loglikelihood';
  context: string;
  continuation: string;
}

/** log P of each candidate as the next token after context (possibly only within a top-k). */
export interface NextTokenRequest {
  kind: 'nextToken';
  context: string;
  candidates: string[];
}

/**
 * Text the model writes after context: greedy (temperature 0), at most maxTokens tokens, cut
 * before the first stop string. The seed is sent to backends that take one and is part of the
 * request's identity, so a result is only reused under the seed it was made with.
 */
export interface GenerateRequest {
  kind: 'generate';
  context: string;
  maxTokens: number;
  stop: string[];
  seed: number;
}

export type Request = LoglikelihoodRequest | NextTokenRequest | GenerateRequest;
export type RequestKind = Request['kind'];

export interface LoglikelihoodResult {
  kind: 'loglikelihood';
  logprob: number;
  /** Number of tokens in the continuation. */
  tokens: number;
  /** Whether every continuation token was the model's greedy choice. */
  greedy: boolean;
  /** Log-prob of each continuation token, when the backend gives them (used by the Min-K% probe). */
  tokenLogprobs?: number[];
}

export interface NextTokenResult {
  kind: 'nextToken';
  /** Per candidate: log P, or null when the backend could not see it (outside its top-k). */
  logprobs: (number | null)[];
}

export interface GenerateResult {
  kind: 'generate';
  /** The generated text, without the stop string that ended it. */
  text: string;
  /** Why generation ended: a stop string or end of text ('stop'), or maxTokens ('length'). */
  finish: 'stop' | 'length';
}

export type RequestResult = LoglikelihoodResult | NextTokenResult | GenerateResult;

/** Declared abilities of a model backend. */
export interface Capabilities {
  loglikelihood: boolean;
  nextToken: boolean;
  /** Greedy text generation (absent: cannot generate). */
  generate?: boolean;
}

/** Everything needed to name a model in the store and the report. */
export interface ModelIdentity {
  /** Stable id used as the cache key (for GGUF: `gguf:sha256:<hex>`). */
  id: string;
  /** Name given in the study file. */
  name: string;
  backend: string;
  /** Human-readable details (path, size, url); never secrets. */
  details: Record<string, unknown>;
}

/** Result for one request, or the reason it failed (failed requests are never scored). */
export type Outcome = { ok: true; result: RequestResult } | { ok: false; error: string };

export interface Model {
  readonly identity: ModelIdentity;
  readonly capabilities: Capabilities;
  /**
   * Evaluate a batch of requests. The returned array is aligned with the input. Implementations
   * may call `onResult` as each result completes, so callers can store it at once.
   */
  evaluate(requests: Request[], onResult?: (index: number, outcome: Outcome) => void): Promise<Outcome[]>;
  close(): Promise<void>;
  /** Name of the chat template a chat API wraps every prompt in: the model saw that format, not the condition's template. */
  readonly chatTemplate?: string;
  /** Refuse, before any request, symbol sets whose symbols this backend cannot tell apart (a UserError naming them). */
  checkSymbols?(uses: SymbolUse[]): Promise<void>;
  /** Request batches the engine may keep in flight at once (default 1; a backend served over HTTP takes several). */
  readonly preferredConcurrency?: number;
}

/** A symbol set that symbol-scored conditions ask a model to read, with the labels they show. */
export interface SymbolUse {
  set: string;
  labels: string[];
  conditions: string[];
}
