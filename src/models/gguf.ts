import os from 'node:os';
import { getLlama, LlamaLogLevel, type Llama, type LlamaContext, type LlamaContextSequence, type LlamaModel, type Token } from 'node-llama-cpp';
import type { Capabilities, Model, ModelIdentity, Outcome, Request, RequestResult } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { splitTokens } from './tokenize.js';

export interface GgufOptions {
  name: string;
  path: string;
  /** Content hash of the file (sha256 hex): the model's identity in the store. */
  sha256: string;
  /** Evaluation threads; default leaves one core to the JS thread (oversubscription is ~500x slower on small calls). */
  threads?: number;
  gpu?: 'auto' | false;
  batchSize?: number;
  /**
   * Sequences evaluated side by side in one context: their tokens share each batch, which
   * amortizes the fixed cost of a call. Each keeps its own prefix state.
   */
  sequences?: number;
}

export const DEFAULT_SEQUENCES = 1;

export function defaultThreads(): number {
  return Math.max(1, Math.min(os.availableParallelism() - 1, 8));
}

let llamaPromise: Promise<Llama> | undefined;
const llamaFor = (gpu: 'auto' | false) =>
  (llamaPromise ??= getLlama({ gpu, build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false }));

interface Planned {
  index: number;
  context: Token[];
  /** Tokens whose log-probs are summed (loglikelihood) or candidate first tokens (nextToken). */
  targets: Token[];
  kind: Request['kind'];
}

/**
 * A local GGUF model through node-llama-cpp. Requests are sorted by token sequence so that
 * neighbours share prefixes: the sequence keeps the shared part of its state and only the
 * differing suffix is erased and evaluated. Each context is evaluated once for all of its
 * continuations; log-probs come from raw logits (no sampler involved).
 */
export class GgufModel implements Model {
  readonly capabilities: Capabilities = { loglikelihood: true, nextToken: true };
  /** Tokens evaluated by the engine (for efficiency measurements). */
  tokensEvaluated = 0;
  private context?: LlamaContext;
  private sequences: LlamaContextSequence[] = [];
  private readonly tokenCache = new Map<string, Token[]>();

  private constructor(readonly identity: ModelIdentity, private readonly model: LlamaModel, private readonly opts: GgufOptions) {}

  static async load(opts: GgufOptions): Promise<GgufModel> {
    const llama = await llamaFor(opts.gpu ?? 'auto');
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: opts.path });
    } catch (e) {
      throw new UserError(`cannot load GGUF model: ${(e as Error).message}`, opts.path);
    }
    const identity: ModelIdentity = {
      id: `gguf:sha256:${opts.sha256}`,
      name: opts.name,
      backend: 'gguf',
      details: { path: opts.path, sha256: opts.sha256, trainContextSize: model.trainContextSize, threads: opts.threads ?? defaultThreads() },
    };
    return new GgufModel(identity, model, opts);
  }

  /** Tokenize with BOS added the way the model wants it. */
  tokenize = (text: string): Token[] => {
    let cached = this.tokenCache.get(text);
    if (!cached) {
      cached = this.model.tokenize(text, false);
      const bos = this.model.tokens.bos;
      if (this.model.tokens.shouldPrependBosToken && bos !== null) cached = [bos, ...cached];
      if (this.tokenCache.size > 50_000) this.tokenCache.clear();
      this.tokenCache.set(text, cached);
    }
    return cached;
  };

  private plan(request: Request, index: number): Planned | string {
    if (request.kind === 'loglikelihood') {
      const split = splitTokens(this.tokenize, request.context, request.continuation);
      if (split.continuation.length === 0) return 'continuation has no tokens';
      return { index, kind: 'loglikelihood', context: split.context, targets: split.continuation };
    }
    const context = this.tokenize(request.context.replace(/\s+$/, ''));
    const targets: Token[] = [];
    for (const candidate of request.candidates) {
      const split = splitTokens(this.tokenize, request.context, candidate);
      if (split.continuation.length === 0) return `candidate ${JSON.stringify(candidate)} has no tokens`;
      targets.push(split.continuation[0]);
    }
    return { index, kind: 'nextToken', context, targets };
  }

  private async ensureContext(maxTokens: number): Promise<LlamaContextSequence[]> {
    const needed = Math.max(512, 2 ** Math.ceil(Math.log2(maxTokens + 1)));
    if (this.context && this.context.contextSize >= maxTokens + 1) return this.sequences;
    await this.context?.dispose();
    const count = this.opts.sequences ?? DEFAULT_SEQUENCES;
    this.context = await this.model.createContext({
      contextSize: needed,
      sequences: count,
      threads: this.opts.threads ?? defaultThreads(),
      batchSize: this.opts.batchSize ?? Math.min(needed * count, 2048),
    });
    this.sequences = Array.from({ length: count }, () => this.context!.getSequence());
    return this.sequences;
  }

  async evaluate(requests: Request[], onResult?: (index: number, outcome: Outcome) => void): Promise<Outcome[]> {
    const outcomes: Outcome[] = new Array(requests.length);
    const settle = (i: number, o: Outcome) => { outcomes[i] = o; onResult?.(i, o); };
    const planned: Planned[] = [];
    requests.forEach((r, i) => {
      const p = this.plan(r, i);
      if (typeof p === 'string') settle(i, { ok: false, error: p });
      else planned.push(p);
    });
    if (planned.length === 0) return outcomes;
    const sequences = await this.ensureContext(Math.max(...planned.map((p) => p.context.length + p.targets.length)));
    planned.sort((a, b) => compareTokens(a.context, b.context) || compareTokens(a.targets, b.targets));
    const groups: Planned[][] = [];
    for (let g = 0; g < planned.length; ) {
      let end = g + 1;
      while (end < planned.length && compareTokens(planned[end].context, planned[g].context) === 0) end++;
      groups.push(planned.slice(g, end));
      g = end;
    }
    // Contiguous slices keep neighbouring (prefix-sharing) contexts on the same sequence.
    const per = Math.ceil(groups.length / sequences.length);
    await Promise.all(
      sequences.map(async (seq, s) => {
        for (const group of groups.slice(s * per, (s + 1) * per)) await this.evaluateGroup(seq, group, settle);
      }),
    );
    return outcomes;
  }

  /** Evaluate one shared context, then every continuation from it. */
  private async evaluateGroup(seq: LlamaContextSequence, group: Planned[], settle: (i: number, o: Outcome) => void) {
    const context = group[0].context;
    // Re-evaluate at least the context's last token: its logits give every first target.
    const keep = Math.min(commonPrefix(seq.contextTokens, context), context.length - 1);
    if (keep < seq.contextTokens.length) await seq.eraseContextTokenRanges([{ start: keep, end: seq.contextTokens.length }]);
    const head = await this.evaluateTokens(seq, context.slice(keep), 1);
    const first = head[head.length - 1]!;
    for (const p of group) {
      if (p.kind === 'nextToken') {
        settle(p.index, { ok: true, result: { kind: 'nextToken', logprobs: p.targets.map((t) => first.logprob(t)) } });
        continue;
      }
      let logprob = first.logprob(p.targets[0]);
      let greedy = first.isGreedy(p.targets[0]);
      if (p.targets.length > 1) {
        const rest = p.targets.slice(1);
        const outs = await this.evaluateTokens(seq, p.targets.slice(0, -1), rest.length);
        rest.forEach((t, i) => { logprob += outs[i]!.logprob(t); greedy &&= outs[i]!.isGreedy(t); });
        await seq.eraseContextTokenRanges([{ start: context.length, end: seq.contextTokens.length }]);
      }
      const result: RequestResult = { kind: 'loglikelihood', logprob, tokens: p.targets.length, greedy };
      settle(p.index, { ok: true, result });
    }
  }

  /**
   * Evaluate tokens; for the last `wanted` of them, read the full next-token distribution.
   * With no sampler options node-llama-cpp returns the plain softmax of the logits (checked
   * against raw logits in the tests), sorted with the most likely token first.
   */
  private async evaluateTokens(seq: LlamaContextSequence, tokens: Token[], wanted: number): Promise<NextReader[]> {
    this.tokensEvaluated += tokens.length;
    const from = tokens.length - wanted;
    const input = tokens.map((t, i) => (i < from ? t : ([t, { generateNext: { probabilities: true } }] as const)));
    const out = await seq.controlledEvaluate(input as Parameters<LlamaContextSequence['controlledEvaluate']>[0]);
    return out.slice(from).map((o) => {
      const probabilities = o?.next.probabilities;
      if (!probabilities) throw new Error('node-llama-cpp returned no probabilities');
      const top = probabilities.values().next().value ?? 0;
      return {
        logprob: (t: Token) => Math.max(Math.log(probabilities.get(t) ?? 0), MIN_LOGPROB),
        isGreedy: (t: Token) => (probabilities.get(t) ?? 0) >= top,
      };
    });
  }

  async close(): Promise<void> {
    await this.context?.dispose();
    await this.model.dispose();
  }
}

/** Probabilities are float32: a token below its smallest value reads as this, never as -Infinity. */
const MIN_LOGPROB = Math.log(1.401298464324817e-45);

interface NextReader {
  logprob(t: Token): number;
  isGreedy(t: Token): boolean;
}

function compareTokens(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function commonPrefix(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}
