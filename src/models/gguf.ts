import {
  getLlama,
  LlamaLogLevel,
  type Llama,
  type LlamaContext,
  type LlamaContextSequence,
  type LlamaModel,
  type Token,
} from 'node-llama-cpp';
import type {
  Capabilities,
  GenerateRequest,
  Model,
  ModelIdentity,
  Outcome,
  Request,
  RequestResult,
} from '../core/types.js';
import { UserError } from '../core/errors.js';
import { splitTokens, withoutTrailingWhitespace } from './tokenize.js';
import { ggufTokenizer } from './line-tokenizer.js';
import { defaultThreads } from './threads.js';
import { generateGreedy } from './gguf-generate.js';

export interface GgufOptions {
  name: string;
  path: string;
  /** Content hash of the file (sha256 hex): the model's identity in the store. */
  sha256: string;
  /** Evaluation threads; by default the cores other processes leave free (see defaultThreads). */
  threads?: number;
  gpu?: 'auto' | false;
  batchSize?: number;
  /**
   * Sequences evaluated side by side in one context: their tokens share each batch, which
   * amortizes the fixed cost of a call. Each keeps its own prefix state.
   */
  sequences?: number;
  /**
   * F32 attention cache and no flash attention. node-llama-cpp's defaults (F16 cache, flash
   * attention) round what calls of different shapes compute to different neighbours, so sharing
   * prefixes moves log-probs by up to ~5e-3 nats on a 60M-parameter model (as would evaluating a
   * request in two calls instead of one); precise, by ~2e-4. Costs memory and up to ~1.6x time
   * on long contexts.
   */
  precise?: boolean;
}

export const DEFAULT_SEQUENCES = 1;

let llamaPromise: Promise<Llama> | undefined;
const llamaFor = (gpu: 'auto' | false) =>
  (llamaPromise ??= getLlama({ gpu, build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false }));

interface Planned {
  index: number;
  kind: Request['kind'];
  /** Tokens evaluated to score the request: the context, then every scored token but the last. */
  path: Token[];
  /** Position in `path` of the context's last token: the first whose next-token distribution is read. */
  readFrom: number;
  /** loglikelihood: the scored tokens, read at readFrom, readFrom + 1, ...; nextToken: each candidate's first token, all read at readFrom. */
  targets: Token[];
}

/** A partial log-likelihood, complete when every distribution it needs has been read. */
interface Tally {
  logprob: number;
  greedy: boolean;
  remaining: number;
  tokenLogprobs: number[];
}

/**
 * A local GGUF model through node-llama-cpp. The requests of one call form a prefix tree of
 * token sequences (few-shot prefixes shared by a subject's items, a context shared by its
 * choices and by the scoring methods that show the same prompt). Sorted, each sequence's new
 * nodes are the suffix past its common prefix with the one before; a sequence keeps the shared
 * state, so only that suffix is erased and evaluated, and every node's distribution is read
 * once for all the requests that need it. Log-probs come from the plain softmax of the logits.
 */
export class GgufModel implements Model {
  readonly capabilities: Capabilities = { loglikelihood: true, nextToken: true, generate: true };
  /** Tokens evaluated by node-llama-cpp (for efficiency measurements). */
  tokensEvaluated = 0;
  /** Positions whose next-token log-probs were read (each costs node-llama-cpp a pass over the vocabulary, for the normalizer). */
  positionsRead = 0;
  private context?: LlamaContext;
  private sequences: LlamaContextSequence[] = [];
  /** Tokenize with BOS added the way the model wants it (remembering what repeats). */
  readonly tokenize: (text: string) => Token[];

  private constructor(
    readonly identity: ModelIdentity,
    private readonly model: LlamaModel,
    private readonly opts: GgufOptions,
    private readonly threads: number,
  ) {
    this.tokenize = ggufTokenizer(model);
  }

  static async load(opts: GgufOptions): Promise<GgufModel> {
    const llama = await llamaFor(opts.gpu ?? 'auto');
    let model: LlamaModel;
    try {
      model = await llama.loadModel({ modelPath: opts.path });
    } catch (e) {
      throw new UserError(`cannot load GGUF model: ${(e as Error).message}`, opts.path);
    }
    const threads = opts.threads ?? (await defaultThreads());
    const identity: ModelIdentity = {
      // Precise numerics give other last digits: their results are kept apart from the default's.
      id: `gguf:sha256:${opts.sha256}${opts.precise ? ':f32-kv' : ''}`,
      name: opts.name,
      backend: 'gguf',
      details: {
        path: opts.path,
        sha256: opts.sha256,
        trainContextSize: model.trainContextSize,
        threads,
        precise: opts.precise ?? false,
      },
    };
    return new GgufModel(identity, model, opts, threads);
  }

  private plan(request: Exclude<Request, GenerateRequest>, index: number): Planned | string {
    if (request.kind === 'loglikelihood') {
      const split = splitTokens(this.tokenize, request.context, request.continuation);
      if (split.continuation.length === 0) return 'continuation has no tokens';
      if (split.context.length === 0)
        return 'context has no tokens, so the first continuation token has nothing to be scored against';
      const path = [...split.context, ...split.continuation.slice(0, -1)];
      return { index, kind: 'loglikelihood', path, readFrom: split.context.length - 1, targets: split.continuation };
    }
    const context = this.tokenize(withoutTrailingWhitespace(request.context));
    if (context.length === 0) return 'context has no tokens';
    const targets: Token[] = [];
    for (const candidate of request.candidates) {
      const split = splitTokens(this.tokenize, request.context, candidate);
      if (split.continuation.length === 0) return `candidate ${JSON.stringify(candidate)} has no tokens`;
      targets.push(split.continuation[0]);
    }
    return { index, kind: 'nextToken', path: context, readFrom: context.length - 1, targets };
  }

  /** Tokens in the prefix tree of these requests: what evaluating each tree node once costs. */
  prefixTreeSize(requests: Request[]): number {
    return prefixTreeSize(
      requests
        .flatMap((r, i) => (r.kind === 'generate' ? [] : [this.plan(r, i)]))
        .flatMap((p) => (typeof p === 'string' ? [] : [p.path])),
    );
  }

  private async ensureContext(maxTokens: number): Promise<LlamaContextSequence[]> {
    const needed = Math.max(512, 2 ** Math.ceil(Math.log2(maxTokens + 1)));
    if (this.context && this.context.contextSize >= maxTokens + 1) return this.sequences;
    await this.context?.dispose();
    const count = this.opts.sequences ?? DEFAULT_SEQUENCES;
    this.context = await this.model.createContext({
      contextSize: needed,
      sequences: count,
      threads: this.threads,
      batchSize: this.opts.batchSize ?? Math.min(needed * count, 2048),
      ...(this.opts.precise
        ? { flashAttention: false, experimentalKvCacheKeyType: 'F32', experimentalKvCacheValueType: 'F32' }
        : {}),
    });
    this.sequences = Array.from({ length: count }, () => this.context!.getSequence());
    return this.sequences;
  }

  async evaluate(requests: Request[], onResult?: (index: number, outcome: Outcome) => void): Promise<Outcome[]> {
    const outcomes: Outcome[] = new Array(requests.length);
    const settle = (i: number, o: Outcome) => {
      outcomes[i] = o;
      onResult?.(i, o);
    };
    const planned: Planned[] = [];
    const generations: number[] = [];
    requests.forEach((r, i) => {
      if (r.kind === 'generate') return void generations.push(i);
      const p = this.plan(r, i);
      if (typeof p === 'string') settle(i, { ok: false, error: p });
      else planned.push(p);
    });
    if (planned.length > 0) await this.scorePlanned(planned, settle);
    if (generations.length > 0) await this.generate(requests as GenerateRequest[], generations, settle);
    return outcomes;
  }

  /** Greedy generations, one after another on the first sequence, in prompt order so that shared prefixes stay evaluated. */
  private async generate(
    requests: GenerateRequest[],
    indices: number[],
    settle: (i: number, o: Outcome) => void,
  ): Promise<void> {
    const prompts = new Map(indices.map((i) => [i, this.tokenize(requests[i].context)]));
    const order = [...indices].sort((a, b) => compareTokens(prompts.get(a)!, prompts.get(b)!));
    const [seq] = await this.ensureContext(
      Math.max(...indices.map((i) => prompts.get(i)!.length + requests[i].maxTokens)),
    );
    for (const i of order) {
      const prompt = prompts.get(i)!;
      this.tokensEvaluated += prompt.length;
      settle(i, await generateGreedy(this.model, seq, prompt, requests[i]));
    }
  }

  private async scorePlanned(planned: Planned[], settle: (i: number, o: Outcome) => void): Promise<void> {
    const sequences = await this.ensureContext(Math.max(...planned.map((p) => p.path.length + 1)));
    planned.sort((a, b) => compareTokens(a.path, b.path));
    if (sequences.length === 1) continueFrom(sequences[0].contextTokens, planned);
    const lcp = planned.map((p, i) => (i === 0 ? 0 : commonPrefix(planned[i - 1].path, p.path)));
    const tallies: Tally[] = planned.map((p) => ({
      logprob: 0,
      greedy: true,
      remaining: p.path.length - p.readFrom,
      tokenLogprobs: [] as number[],
    }));
    const serve = (k: number, position: number, next: NextReader) => {
      const p = planned[k];
      if (p.kind === 'nextToken') {
        settle(p.index, { ok: true, result: { kind: 'nextToken', logprobs: p.targets.map((t) => next.logprob(t)) } });
        return;
      }
      const t = p.targets[position - p.readFrom];
      const tally = tallies[k];
      const logprob = next.logprob(t);
      tally.logprob += logprob;
      tally.tokenLogprobs.push(logprob);
      tally.greedy &&= next.isGreedy(t);
      if (--tally.remaining === 0) {
        const result: RequestResult = {
          kind: 'loglikelihood',
          logprob: tally.logprob,
          tokens: p.targets.length,
          greedy: tally.greedy,
          tokenLogprobs: tally.tokenLogprobs,
        };
        settle(p.index, { ok: true, result });
      }
    };
    await Promise.all(
      splitRanges(planned, lcp, sequences.length).map(async ([from, to], s) => {
        const seq = sequences[s];
        let state = seq.contextTokens;
        for (let i = from; i < to; i++)
          state = await this.evaluateNode(seq, state, planned[i].path, readsOwnedBy(planned, lcp, i), planned, serve);
      }),
    );
  }

  /**
   * Bring the sequence from `state` to `path`, reading the distribution after each position in
   * `reads` (they must be evaluated now even if the state has them: their consumers are here).
   */
  private async evaluateNode(
    seq: LlamaContextSequence,
    state: Token[],
    path: Token[],
    reads: Map<number, number[]>,
    planned: Planned[],
    serve: (k: number, position: number, next: NextReader) => void,
  ): Promise<Token[]> {
    let start = commonPrefix(state, path);
    for (const p of reads.keys()) start = Math.min(start, p);
    if (start === path.length) return state;
    if (start < state.length) await seq.eraseContextTokenRanges([{ start, end: state.length }]);
    const tokens = path.slice(start);
    this.tokensEvaluated += tokens.length;
    this.positionsRead += reads.size;
    const input = tokens.map((t, j) => {
      const consumers = reads.get(start + j);
      return consumers ? ([t, { generateNext: nextTokenRead(targetsAt(planned, consumers, start + j)) }] as const) : t;
    });
    const out = await seq.controlledEvaluate(input as Parameters<LlamaContextSequence['controlledEvaluate']>[0]);
    for (const [p, consumers] of reads) {
      const next = readNext(out[p - start]?.next);
      for (const k of consumers) serve(k, p, next);
    }
    return path;
  }

  async close(): Promise<void> {
    await this.context?.dispose();
    await this.model.dispose();
  }
}

export interface NextReader {
  logprob(t: Token): number;
  isGreedy(t: Token): boolean;
}

/**
 * What to read after a position: the raw logits of the tokens scored there, the greedy choice's
 * (temperature 0 selects the largest logit) and the softmax's normalizer, Σ exp(logit − max).
 * A whole-vocabulary distribution instead costs node-llama-cpp a 32,000-entry Map (~23 ms on
 * this machine against ~1 ms); with no other sampler option the logits are the model's own.
 */
export function nextTokenRead(targets: Token[]) {
  return {
    logits: { filter: { tokens: targets, includeSelected: true } },
    totalLogitWeight: true,
    options: { temperature: 0 },
  };
}

/** log p(t) = logit(t) − max logit − log Σ exp(logit − max logit): the plain log-softmax (checked against the full distribution in the tests). */
export function readNext(next: { logits?: Map<Token, number>; totalLogitWeight?: number } | undefined): NextReader {
  const logits = next?.logits;
  const total = next?.totalLogitWeight;
  if (!logits || logits.size === 0 || !(total !== undefined && total >= 1))
    throw new Error('node-llama-cpp returned no logits for a read position');
  let max = -Infinity;
  for (const v of logits.values()) if (v > max) max = v;
  const logTotal = Math.log(total);
  const logitOf = (t: Token) => {
    const v = logits.get(t);
    if (v === undefined) throw new Error(`node-llama-cpp returned no logit for token ${t}`);
    return v;
  };
  return {
    logprob: (t) => logitOf(t) - max - logTotal,
    isGreedy: (t) => logitOf(t) >= max,
  };
}

/** The tokens whose log-probs the consumers of a read position need there. */
function targetsAt(planned: Planned[], consumers: number[], position: number): Token[] {
  const wanted = new Set<Token>();
  for (const k of consumers) {
    const p = planned[k];
    if (p.kind === 'nextToken') for (const t of p.targets) wanted.add(t);
    else wanted.add(p.targets[position - p.readFrom]);
  }
  return [...wanted];
}

/**
 * Reorder sorted paths to start where the sequence stands: the first path sharing the longest
 * prefix with `state`, up to the last, then the ones before it, downwards. A chunk then keeps the
 * prefix the previous chunk left (its few-shot block, say) instead of evaluating it again after
 * paths that sort lower. Paths sharing a prefix stay adjacent, as the reads below require.
 */
function continueFrom(state: readonly Token[], planned: Planned[]): void {
  let start = 0;
  let best = 0;
  planned.forEach((p, i) => {
    const shared = commonPrefix(state, p.path);
    if (shared > best) [start, best] = [i, shared];
  });
  if (start > 0) planned.splice(0, planned.length, ...planned.slice(start), ...planned.slice(0, start).reverse());
}

/**
 * The reads owned by path i (in evaluation order): its new nodes (past its common prefix with path i − 1) whose
 * distribution any request needs. Requests sharing such a node follow i, as
 * long as their common prefix with it stays longer than i's own (position → request indices).
 */
function readsOwnedBy(planned: Planned[], lcp: number[], i: number): Map<number, number[]> {
  const reads = new Map<number, number[]>();
  const own = lcp[i];
  let shared = Infinity;
  for (let k = i; k < planned.length; k++) {
    if (k > i) shared = Math.min(shared, lcp[k]);
    if (shared <= own) break;
    const end = Math.min(shared, planned[k].path.length);
    for (let p = Math.max(own, planned[k].readFrom); p < end; p++) {
      const list = reads.get(p);
      if (list) list.push(k);
      else reads.set(p, [k]);
    }
  }
  return reads;
}

/**
 * Contiguous ranges of sorted paths, one per sequence, of about equal new tokens; each cut is
 * moved to the shallowest branching nearby, since the next sequence re-evaluates the prefix there.
 */
function splitRanges(planned: Planned[], lcp: number[], count: number): [number, number][] {
  const n = planned.length;
  if (count <= 1 || n < 2 * count) return [[0, n]];
  const work = planned.map((p, i) => p.path.length - lcp[i]);
  const total = work.reduce((a, b) => a + b, 0);
  const cuts = [0];
  let done = 0;
  for (let i = 0; i < n && cuts.length < count; i++) {
    done += work[i];
    if (done < (total * cuts.length) / count) continue;
    const window = Math.max(1, Math.floor(n / count / 4));
    let best = i + 1;
    for (let c = Math.max(cuts[cuts.length - 1] + 1, i + 1 - window); c <= Math.min(n - 1, i + 1 + window); c++)
      if (lcp[c] < lcp[best]) best = c;
    cuts.push(best);
    done = work.slice(0, best).reduce((a, b) => a + b, 0);
    i = best - 1;
  }
  cuts.push(n);
  return cuts.slice(1).map((end, s) => [cuts[s], end]);
}

/** Nodes of the prefix tree of token sequences: each distinct prefix counted once. */
export function prefixTreeSize(sequences: readonly (readonly number[])[]): number {
  const sorted = [...sequences].sort(compareTokens);
  return sorted.reduce((n, s, i) => n + s.length - (i === 0 ? 0 : commonPrefix(sorted[i - 1], s)), 0);
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
