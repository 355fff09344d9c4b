import type { Llama, LlamaContext, LlamaContextSequence, LlamaModel, Token } from 'node-llama-cpp';

/**
 * Scoring straight on node-llama-cpp's native context: batches we compose, decoded in one call,
 * and every read position's logits fetched by a native call of its own. The public
 * `controlledEvaluate` does the same through a per-call sampler, locks and a promise chain per
 * read, which cost several times the read itself (about 1–4 ms against 0.25–0.7 ms a read here):
 * on HellaSwag, where most positions are read, that was half the time. These are the native
 * methods node-llama-cpp 3.22.1 (pinned in package.json) itself drives a context with; the
 * context is otherwise created and disposed through the public API.
 */
interface NativeContext {
  initBatch(size: number): void;
  addToBatch(sequenceId: number, firstTokenSequenceIndex: number, tokens: Uint32Array, logitIndexes: Uint32Array): Uint32Array;
  decodeBatch(): Promise<void>;
  sampleToken(
    batchLogitIndex: number,
    sampler: NativeSampler,
    probabilities: boolean,
    confidence: boolean,
    logits: [tokens: Token[], includeMax: boolean, includeMin: boolean, includeSelected: boolean, includeTop: number],
    totalLogitWeight: boolean,
  ): Promise<[Token | -1, unknown, unknown, (Token | number)[] | undefined, number | undefined]>;
  removeTokenCellsFromSequence(sequenceId: number, startPos: number, endPos: number): boolean;
  copySequenceStateFromOtherSequence(targetSequenceId: number, sourceSequenceId: number): Promise<number>;
}

interface NativeSampler {
  applyConfig(config: { temperature: number }): void;
  dispose(): void;
}

export interface NextReader {
  logprob(t: Token): number;
  isGreedy(t: Token): boolean;
}

/** A run of tokens for one sequence, from position `start`, with the positions whose next-token distribution is read. */
export interface Segment {
  sequenceId: number;
  start: number;
  tokens: Token[];
  /** Read position → the tokens whose log-probs are wanted there. */
  reads: Map<number, Token[]>;
}

/** Concurrent reads after a decode: each needs a sampler of its own (a sampler holds its candidates buffer). */
const READ_CONCURRENCY = 2;

export class NativeBatch {
  private readonly samplers: NativeSampler[];

  private constructor(
    private readonly native: NativeContext,
    private readonly batchSize: number,
    newSampler: () => NativeSampler,
  ) {
    this.samplers = Array.from({ length: READ_CONCURRENCY }, () => {
      const sampler = newSampler();
      // Temperature 0 selects the largest logit: the greedy choice comes with the read.
      sampler.applyConfig({ temperature: 0 });
      return sampler;
    });
  }

  static of(llama: Llama, model: LlamaModel, context: LlamaContext): NativeBatch {
    const native = (context as unknown as { _ctx?: NativeContext })._ctx;
    const Sampler = (llama as unknown as { _bindings?: { AddonSampler?: new (model: unknown) => NativeSampler } })._bindings?.AddonSampler;
    const nativeModel = (model as unknown as { _model?: unknown })._model;
    if (!native || typeof native.addToBatch !== 'function' || !Sampler || !nativeModel) {
      throw new Error('this node-llama-cpp does not expose the native context this backend scores with (version 3.22.1 is required)');
    }
    return new NativeBatch(native, context.batchSize, () => new Sampler(nativeModel));
  }

  /** The native ID of a sequence taken from the context (so that no other user of the context gets it). */
  static idOf(sequence: LlamaContextSequence): number {
    const id = (sequence as unknown as { _sequenceId?: number })._sequenceId;
    if (typeof id !== 'number') throw new Error('this node-llama-cpp does not expose sequence IDs (version 3.22.1 is required)');
    return id;
  }

  /** Drop a sequence's cells from `start` on. */
  erase(sequenceId: number, start: number): void {
    this.native.removeTokenCellsFromSequence(sequenceId, start, -1);
  }

  /**
   * Make a sequence's cells a copy of another's up to position `end` (llama.cpp's seq_cp; across
   * the context's per-sequence caches the data moves as the next batch is decoded, before the
   * source is written again).
   */
  async copy(target: number, source: number, end: number): Promise<void> {
    await this.native.copySequenceStateFromOtherSequence(target, source);
    this.erase(target, end);
  }

  /**
   * Decode the segments (one per sequence) in as few batches as the batch size allows, reading
   * each read position right after the batch that holds it; `onRead` gets the readers in the
   * order of the positions within each segment.
   */
  async decode(segments: Segment[], onRead: (segment: Segment, position: number, next: NextReader) => void): Promise<void> {
    const offsets = segments.map(() => 0);
    for (;;) {
      const parts: { segment: Segment; from: number; count: number }[] = [];
      let budget = this.batchSize;
      segments.forEach((segment, s) => {
        const count = Math.min(budget, segment.tokens.length - offsets[s]);
        if (count <= 0) return;
        parts.push({ segment, from: offsets[s], count });
        offsets[s] += count;
        budget -= count;
      });
      if (parts.length === 0) return;
      this.native.initBatch(this.batchSize - budget);
      const reads: { segment: Segment; position: number; batchIndex: number }[] = [];
      for (const { segment, from, count } of parts) {
        const first = segment.start + from;
        const wanted: number[] = [];
        for (let j = 0; j < count; j++) if (segment.reads.has(first + j)) wanted.push(j);
        const indexes = this.native.addToBatch(segment.sequenceId, first, Uint32Array.from(segment.tokens.slice(from, from + count)), Uint32Array.from(wanted));
        wanted.forEach((j, k) => reads.push({ segment, position: first + j, batchIndex: indexes[k] }));
      }
      await this.native.decodeBatch();
      const readers = await this.readAll(reads.map((r) => [r.batchIndex, r.segment.reads.get(r.position)!] as const));
      reads.forEach((r, k) => onRead(r.segment, r.position, readers[k]));
    }
  }

  private async readAll(wanted: (readonly [batchIndex: number, targets: Token[]])[]): Promise<NextReader[]> {
    const out: NextReader[] = new Array(wanted.length);
    let next = 0;
    await Promise.all(
      this.samplers.map(async (sampler) => {
        while (next < wanted.length) {
          const k = next++;
          const [batchIndex, targets] = wanted[k];
          const [, , , logits, total] = await this.native.sampleToken(batchIndex, sampler, false, false, [targets, false, false, true, 0], true);
          out[k] = readerOf(logits ?? [], total);
        }
      }),
    );
    return out;
  }

  dispose(): void {
    for (const sampler of this.samplers) sampler.dispose();
  }
}

/**
 * log p(t) = logit(t) − max logit − log Σ exp(logit − max logit): the plain log-softmax, from
 * the logits of the wanted tokens and the greedy choice (the largest logit) as flat
 * [token, logit, ...] pairs, and the normalizer Σ exp(logit − max).
 */
export function readerOf(pairs: readonly (Token | number)[], total: number | undefined): NextReader {
  if (pairs.length === 0 || !(total !== undefined && total >= 1)) throw new Error('node-llama-cpp returned no logits for a read position');
  let max = -Infinity;
  for (let i = 1; i < pairs.length; i += 2) if (pairs[i] > max) max = pairs[i];
  const logTotal = Math.log(total);
  const logitOf = (t: Token) => {
    for (let i = 0; i < pairs.length; i += 2) if (pairs[i] === t) return pairs[i + 1];
    throw new Error(`node-llama-cpp returned no logit for token ${t}`);
  };
  return {
    logprob: (t) => logitOf(t) - max - logTotal,
    isGreedy: (t) => logitOf(t) >= max,
  };
}
