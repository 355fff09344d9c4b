import { getLlama, LlamaLogLevel, type Llama } from 'node-llama-cpp';
import { UserError } from '../core/errors.js';
import { ggufTokenizer } from './line-tokenizer.js';
import { cutTokens, moveTrailingWhitespace, withoutTrailingWhitespace, type SplitTokens } from './tokenize.js';

/** Text to token IDs, BOS included when the model wants one (a server's tokenizer or a local vocabulary). */
export type TokenizeAsync = (text: string) => Promise<number[]>;

/**
 * Remote backends tokenize asynchronously; this memoizes each text (contexts repeat across choices
 * and conditions) and applies the shared tokenization rule on top.
 */
export class TokenCache {
  private readonly cache = new Map<string, Promise<number[]>>();
  /** The last context split: a cell's requests (one per choice) come together and share it. */
  private lastContext?: { text: string; tokens: Promise<number[]> };

  /** `remember: false` for a tokenizer that remembers what repeats itself (a local vocabulary's). */
  constructor(
    private readonly tokenizeOne: TokenizeAsync,
    private readonly onClose?: () => Promise<void>,
    private readonly remember = true,
  ) {}

  tokens(text: string): Promise<number[]> {
    if (!this.remember) return this.tokenizeOne(text);
    let pending = this.cache.get(text);
    if (!pending) {
      if (this.cache.size > 50_000) this.cache.clear();
      pending = this.tokenizeOne(text);
      // A failed tokenization is not remembered: the next request asks again.
      pending.catch(() => this.cache.delete(text));
      this.cache.set(text, pending);
    }
    return pending;
  }

  /** Context and continuation tokens: tokenized together, split at the context's own length. */
  async split(context: string, continuation: string): Promise<SplitTokens<number>> {
    const [ctx, cont] = moveTrailingWhitespace(context, continuation);
    if (this.lastContext?.text !== ctx) {
      const last = (this.lastContext = { text: ctx, tokens: this.tokens(ctx) });
      // A failed tokenization is asked for again by the next request.
      last.tokens.catch(() => this.lastContext === last && (this.lastContext = undefined));
    }
    const [alone, whole] = await Promise.all([this.lastContext.tokens, this.tokens(ctx + cont)]);
    return cutTokens(alone, whole);
  }

  /** For next-token requests: the context without its trailing whitespace (it belongs to the candidates). */
  contextTokens(context: string): Promise<number[]> {
    return this.tokens(withoutTrailingWhitespace(context));
  }

  /** The first token of each candidate, as it would follow the context. */
  async candidateFirstTokens(context: string, candidates: string[]): Promise<number[] | string> {
    const splits = await Promise.all(candidates.map((c) => this.split(context, c)));
    const empty = splits.findIndex((s) => s.cut === s.whole.length);
    if (empty >= 0) return `candidate ${JSON.stringify(candidates[empty])} has no tokens`;
    return splits.map((s) => s.whole[s.cut]);
  }

  async close(): Promise<void> {
    await this.onClose?.();
  }
}

/** A local vocabulary standing in for a server's tokenizer, with the identity it gives the model. */
export interface LocalTokenizer {
  tokens: TokenCache;
  /** `gguf:sha256:<hex>` of the vocabulary's file. */
  id: string;
}

let llamaPromise: Promise<Llama> | undefined;

/** A GGUF file's vocabulary only (no weights in memory), tokenizing exactly as the GGUF backend does. */
export async function ggufVocabulary(path: string, where: string): Promise<TokenCache> {
  const llama = await (llamaPromise ??= getLlama({
    gpu: false,
    build: 'never',
    logLevel: LlamaLogLevel.error,
    progressLogs: false,
  }));
  let model;
  try {
    model = await llama.loadModel({ modelPath: path, vocabOnly: true });
  } catch (e) {
    throw new UserError(`cannot load the tokenizer's GGUF file: ${(e as Error).message}`, where);
  }
  const tokenize = ggufTokenizer(model);
  return new TokenCache(
    async (text) => tokenize(text),
    () => model.dispose(),
    false,
  );
}
