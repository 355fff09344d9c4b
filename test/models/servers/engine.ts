import path from 'node:path';
import { getLlama, LlamaLogLevel, type LlamaContextSequence, type LlamaModel, type Token } from 'node-llama-cpp';
import { sharedDir } from '../../../src/core/paths.js';

/**
 * The model behind the test servers: stories260K through node-llama-cpp, returning exact
 * log-softmax distributions. Consecutive prompts share their common prefix (only the differing
 * suffix is evaluated), as a real server's prefix cache does; calls are serialized.
 */
export class ScoringEngine {
  private evaluated: number[] = [];
  private dists: Float64Array[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly model: LlamaModel,
    private readonly seq: LlamaContextSequence,
    readonly contextSize: number,
    readonly vocabSize: number,
  ) {}

  static async load(file = path.join(sharedDir(), 'models', 'stories260K.gguf')): Promise<ScoringEngine> {
    const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false });
    const model = await llama.loadModel({ modelPath: file });
    const context = await model.createContext({ contextSize: 2048, threads: 1, batchSize: 512 });
    const vocabSize = (model.fileInfo.metadata as unknown as { tokenizer: { ggml: { tokens: unknown[] } } }).tokenizer
      .ggml.tokens.length;
    return new ScoringEngine(model, context.getSequence(), 2048, vocabSize);
  }

  tokenize(text: string, addSpecial: boolean): number[] {
    const ids = this.model.tokenize(text, false) as number[];
    return addSpecial && this.model.tokens.shouldPrependBosToken && this.model.tokens.bos !== null
      ? [this.model.tokens.bos, ...ids]
      : ids;
  }

  /** A token's text as servers print it: with its leading space ("▁A" → " A"). */
  piece(id: number): string {
    return this.model.detokenize([id as Token], false, [13 as Token]);
  }

  special(id: number): boolean {
    return id === this.model.tokens.bos || id === this.model.tokens.eos;
  }

  /** dist[i] = log P(next token | tokens[0..i]) over the whole vocabulary. */
  distributions(tokens: number[]): Promise<Float64Array[]> {
    return this.batch((distributions) => distributions(tokens));
  }

  /** Have the engine to oneself: a request's prompts are evaluated back to back, keeping their shared prefixes. */
  batch<T>(fn: (distributions: (tokens: number[]) => Promise<Float64Array[]>) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => fn((tokens) => this.compute(tokens)));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async compute(tokens: number[]): Promise<Float64Array[]> {
    let keep = 0;
    while (keep < tokens.length && keep < this.evaluated.length && tokens[keep] === this.evaluated[keep]) keep++;
    if (keep < this.seq.contextTokens.length)
      await this.seq.eraseContextTokenRanges([{ start: keep, end: this.seq.contextTokens.length }]);
    this.evaluated = this.evaluated.slice(0, keep);
    this.dists = this.dists.slice(0, keep);
    const rest = tokens.slice(keep) as Token[];
    if (rest.length > 0) {
      // No sampler options: node-llama-cpp returns the plain softmax of the logits.
      const out = await this.seq.controlledEvaluate(
        rest.map((t) => [t, { generateNext: { probabilities: true } }] as const),
      );
      for (const o of out) this.dists.push(logProbabilities(o!.next.probabilities!, this.vocabSize));
      this.evaluated = tokens.slice();
    }
    return this.dists.slice(0, tokens.length);
  }

  /**
   * Greedy generation after a prompt, as a server does it: the most likely token each step, until
   * the end-of-sequence token, `maxTokens`, or a stop string appears in the text. `text` is the
   * decoded tokens (a leading space kept, as servers decode after a prompt) cut before the stop
   * string; `full` keeps it (TGI returns it).
   */
  async generate(
    prompt: number[],
    maxTokens: number,
    stop: readonly string[] = [],
    distributions = (t: number[]) => this.distributions(t),
  ): Promise<Generation> {
    const tokens = prompt.slice();
    const generated: number[] = [];
    while (generated.length < maxTokens) {
      const dists = await distributions(tokens);
      const next = ScoringEngine.top(dists[dists.length - 1], 1)[0].id;
      if (next === this.model.tokens.eos)
        return { generated, text: this.text(generated, prompt), full: this.text(generated, prompt), reason: 'eos' };
      generated.push(next);
      tokens.push(next);
      const full = this.text(generated, prompt);
      const hits = stop
        .map((s) => [full.indexOf(s), s] as const)
        .filter(([at]) => at >= 0)
        .sort((a, b) => a[0] - b[0]);
      if (hits.length > 0)
        return { generated, text: full.slice(0, hits[0][0]), full, reason: 'stop', stopWord: hits[0][1] };
    }
    const text = this.text(generated, prompt);
    return { generated, text, full: text, reason: 'length' };
  }

  private text(generated: number[], prompt: number[]): string {
    return this.model.detokenize(generated as Token[], false, prompt.slice(-4) as Token[]);
  }

  /** The k most likely next tokens after `dist`, best first. */
  static top(dist: Float64Array, k: number): { id: number; logprob: number }[] {
    return [...dist]
      .map((logprob, id) => ({ id, logprob }))
      .sort((a, b) => b.logprob - a.logprob)
      .slice(0, k);
  }
}

export interface Generation {
  generated: number[];
  text: string;
  full: string;
  reason: 'eos' | 'stop' | 'length';
  stopWord?: string;
}

/** Probabilities are float32: a token below the smallest one reads as this floor, never as -Infinity. */
const MIN_LOGPROB = Math.log(1.401298464324817e-45);

function logProbabilities(probabilities: ReadonlyMap<Token, number>, size: number): Float64Array {
  const out = new Float64Array(size).fill(MIN_LOGPROB);
  for (const [t, p] of probabilities) out[t] = Math.max(Math.log(p), MIN_LOGPROB);
  return out;
}
