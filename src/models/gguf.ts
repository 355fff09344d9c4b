import { getLlama, LlamaLogLevel, type Llama, type LlamaContext, type LlamaContextSequence, type LlamaModel, type Token } from 'node-llama-cpp';
import type { Capabilities, Model, ModelIdentity, Outcome, Request, RequestResult } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { splitTokens, withoutTrailingWhitespace } from './tokenize.js';
import { ggufTokenizer } from './line-tokenizer.js';
import { defaultThreads } from './threads.js';
import { NativeBatch, readerOf, type NextReader, type Segment } from './native-batch.js';

export type { NextReader };

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
   * Sequences of the context: one (the trunk) works through the requests' prefix tree; the others
   * take a context's other continuations, each from a copy of the trunk's cells, all evaluated
   * in one batch. Each costs a context's worth of attention cache; by default as many as keep
   * them all within DEFAULT_CELLS cells, at most DEFAULT_SEQUENCES.
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

export const DEFAULT_SEQUENCES = 8;
/** Attention-cache cells (context size × sequences) the default sequence count stays within. */
export const DEFAULT_CELLS = 4096;

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

interface SequenceSlot {
  sequence: LlamaContextSequence;
  id: number;
  state: Token[];
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
  readonly capabilities: Capabilities = { loglikelihood: true, nextToken: true };
  /** Tokens evaluated by node-llama-cpp (for efficiency measurements). */
  tokensEvaluated = 0;
  /** Positions whose next-token log-probs were read (each costs node-llama-cpp a pass over the vocabulary, for the normalizer). */
  positionsRead = 0;
  private context?: LlamaContext;
  private batch?: NativeBatch;
  /** Per sequence of the context: its native ID and the tokens its cells hold, position by position. */
  private sequences: SequenceSlot[] = [];
  /** Tokenize with BOS added the way the model wants it (remembering what repeats). */
  readonly tokenize: (text: string) => Token[];

  private constructor(
    readonly identity: ModelIdentity,
    private readonly llama: Llama,
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
      details: { path: opts.path, sha256: opts.sha256, trainContextSize: model.trainContextSize, threads, precise: opts.precise ?? false },
    };
    return new GgufModel(identity, llama, model, opts, threads);
  }

  private plan(request: Request, index: number): Planned | string {
    if (request.kind === 'loglikelihood') {
      const split = splitTokens(this.tokenize, request.context, request.continuation);
      if (split.continuation.length === 0) return 'continuation has no tokens';
      if (split.context.length === 0) return 'context has no tokens, so the first continuation token has nothing to be scored against';
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
    return prefixTreeSize(requests.map((r, i) => this.plan(r, i)).flatMap((p) => (typeof p === 'string' ? [] : [p.path])));
  }

  private async ensureContext(maxTokens: number): Promise<NativeBatch> {
    const needed = Math.max(512, 2 ** Math.ceil(Math.log2(maxTokens + 1)));
    if (this.context && this.batch && this.context.contextSize >= maxTokens + 1) return this.batch;
    this.batch?.dispose();
    await this.context?.dispose();
    const count = this.opts.sequences ?? Math.max(1, Math.min(DEFAULT_SEQUENCES, Math.floor(DEFAULT_CELLS / needed)));
    this.context = await this.model.createContext({
      contextSize: needed,
      sequences: count,
      threads: this.threads,
      batchSize: this.opts.batchSize ?? Math.min(needed * count, 2048),
      ...(this.opts.precise ? { flashAttention: false, experimentalKvCacheKeyType: 'F32', experimentalKvCacheValueType: 'F32' } : {}),
    });
    // Sequences taken from the context, so that their IDs are ours alone (and held: one collected is cleared); scoring drives their cells natively.
    this.sequences = Array.from({ length: count }, () => {
      const sequence = this.context!.getSequence();
      return { sequence, id: NativeBatch.idOf(sequence), state: [] as Token[] };
    });
    this.batch = NativeBatch.of(this.llama, this.model, this.context);
    return this.batch;
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
    const batch = await this.ensureContext(Math.max(...planned.map((p) => p.path.length + 1)));
    const sequences = this.sequences;
    planned.sort((a, b) => compareTokens(a.path, b.path));
    continueFrom(sequences[0].state, planned);
    const lcp = planned.map((p, i) => (i === 0 ? 0 : commonPrefix(planned[i - 1].path, p.path)));
    const tallies: Tally[] = planned.map((p) => ({ logprob: 0, greedy: true, remaining: p.path.length - p.readFrom, tokenLogprobs: [] as number[] }));
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
        const result: RequestResult = { kind: 'loglikelihood', logprob: tally.logprob, tokens: p.targets.length, greedy: tally.greedy, tokenLogprobs: tally.tokenLogprobs };
        settle(p.index, { ok: true, result });
      }
    };
    const [trunk, ...spare] = sequences;
    // A segment's read positions → the requests served there.
    const consumers = new Map<Segment, Map<number, number[]>>();
    const evaluate = (slot: SequenceSlot, k: number): Segment | null => {
      const reads = readsOwnedBy(planned, lcp, k);
      const segment = this.segmentFor(batch, slot, planned[k].path, reads, planned);
      if (segment) consumers.set(segment, reads);
      return segment;
    };
    const decode = async (segments: Segment[]) => {
      await batch.decode(segments, (segment, position, next) => {
        for (const k of consumers.get(segment)!.get(position)!) serve(k, position, next);
      });
      consumers.clear();
    };
    for (let i = 0; i < planned.length; ) {
      const wave = planWave(planned, lcp, i, spare.length);
      // Siblings longest first on consecutive sequences: llama.cpp splits a batch of several
      // sequences into micro-batches of as many tokens from each, over consecutive sequence IDs.
      const siblings = wave.flatMap((f) => f.siblings).sort((a, b) => planned[b].path.length - lcp[b] - (planned[a].path.length - lcp[a]));
      const slotOf = new Map(siblings.map((k, s) => [k, spare[s]]));
      for (const { trunk: t, siblings: family } of wave) {
        const segment = evaluate(trunk, t);
        if (segment) await decode([segment]);
        // Each sibling starts from a copy of the trunk's cells up to where its path leaves the trunk's.
        for (const k of family) await batch.copy(slotOf.get(k)!.id, trunk.id, lcp[k]);
        for (const k of family) slotOf.get(k)!.state = planned[k].path.slice(0, lcp[k]);
      }
      const segments = siblings.flatMap((k) => evaluate(slotOf.get(k)!, k) ?? []);
      if (segments.length > 0) await decode(segments);
      const last = wave[wave.length - 1];
      i = (last.siblings.at(-1) ?? last.trunk) + 1;
    }
    return outcomes;
  }

  /**
   * What brings a sequence from the path its cells hold to `path`: the tokens past their common
   * prefix (erased from the cells first), or from the first position in `reads` if earlier (a
   * read's consumers are here, so it is evaluated now even if the cells hold it). Null if nothing.
   */
  private segmentFor(batch: NativeBatch, sequence: SequenceSlot, path: Token[], reads: Map<number, number[]>, planned: Planned[]): Segment | null {
    let start = commonPrefix(sequence.state, path);
    for (const p of reads.keys()) start = Math.min(start, p);
    if (start === path.length) return null;
    if (start < sequence.state.length) batch.erase(sequence.id, start);
    sequence.state = path;
    this.tokensEvaluated += path.length - start;
    this.positionsRead += reads.size;
    const targets = new Map<number, Token[]>();
    for (const [p, consumers] of reads) targets.set(p, targetsAt(planned, consumers, p));
    return { sequenceId: sequence.id, start, tokens: path.slice(start), reads: targets };
  }

  async close(): Promise<void> {
    this.batch?.dispose();
    await this.context?.dispose();
    await this.model.dispose();
  }
}

/**
 * What to read after a position: the raw logits of the tokens scored there, the greedy choice's
 * (temperature 0 selects the largest logit) and the softmax's normalizer, Σ exp(logit − max).
 * A whole-vocabulary distribution instead costs node-llama-cpp a 32,000-entry Map (~23 ms on
 * this machine against ~1 ms); with no other sampler option the logits are the model's own.
 */
export function nextTokenRead(targets: Token[]) {
  return { logits: { filter: { tokens: targets, includeSelected: true } }, totalLogitWeight: true, options: { temperature: 0 } };
}

/** The reader of a `controlledEvaluate` output's `next` (asked with nextTokenRead): see readerOf. */
export function readNext(next: { logits?: Map<Token, number>; totalLogitWeight?: number } | undefined): NextReader {
  return readerOf([...(next?.logits ?? [])].flat(), next?.totalLogitWeight);
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
 * The next paths from `from`, as families: a path evaluated on the trunk sequence, then its
 * siblings — the paths after it that only branch off it (no later path shares their own nodes),
 * such as a context's other continuations — each to be evaluated on a spare sequence holding a
 * copy of the trunk's cells, all in one batch. At most `spare` siblings in all.
 */
function planWave(planned: Planned[], lcp: number[], from: number, spare: number): { trunk: number; siblings: number[] }[] {
  const wave: { trunk: number; siblings: number[] }[] = [];
  let used = 0;
  for (let t = from; t < planned.length && (wave.length === 0 || used < spare); ) {
    const siblings: number[] = [];
    let k = t + 1;
    for (; k < planned.length && used < spare && (k + 1 === planned.length || lcp[k + 1] <= lcp[k]); k++, used++) siblings.push(k);
    wave.push({ trunk: t, siblings });
    t = k;
  }
  return wave;
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
