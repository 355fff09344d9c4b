import type { Capabilities, ModelIdentity, NextTokenRequest, Outcome, Request } from '../core/types.js';
import { generateLlamaServer, unitsWithGeneration } from './remote-generate.js';
import { HttpFailure, type HttpClient } from './http.js';
import {
  brokenBackend,
  serverInfo,
  remoteIdentity,
  runUnits,
  unitPerRequest,
  type RemoteModel,
  type RemoteSetup,
  type RemoteStats,
} from './remote.js';
import { checkListedModel, checkTokenization } from './remote-checks.js';
import type { LlamaServerSpec } from './remote-specs.js';
import { TokenCache, type LocalTokenizer } from './remote-tokenizer.js';

/** llama.cpp's server gives no prompt log-probs (echo is refused or, worse, ignored): next-token only. */
export const LLAMA_SERVER_CAPABILITIES: Capabilities = { loglikelihood: false, nextToken: true, generate: true };

interface TopLogprob {
  id?: number;
  logprob?: number;
}

/** Added to one token's logit to make the server generate it: far beyond any logit a model gives. */
const FORCING_BIAS = 1000;

interface CompletionAnswer {
  completion_probabilities?: (TopLogprob & { top_logprobs?: TopLogprob[]; probs?: unknown })[];
  tokens_evaluated?: number;
  truncated?: boolean;
}

/** What llama.cpp's `GET /props` says about the model it serves. */
export interface LlamaProps {
  model_path?: string;
  chat_template?: string;
  build_info?: string;
}

/**
 * llama.cpp server `/completion` with the context as token IDs and `n_probs`: the top-k of the
 * next token, keyed by token ID, so candidates are matched exactly (no decoded-text collisions).
 * A symbol is scored by all its tokens, one request per distinct token prefix: symbols whose
 * first token is the same ("▁" of " A" and " C" in a SentencePiece vocabulary) never tie.
 */
export class LlamaServerModel implements RemoteModel {
  readonly capabilities = LLAMA_SERVER_CAPABILITIES;
  private readonly endpoint: string;

  private constructor(
    readonly identity: ModelIdentity,
    private readonly http: HttpClient,
    private readonly tokens: TokenCache,
    private readonly spec: LlamaServerSpec,
    private readonly where: string,
  ) {
    this.endpoint = http.endpoint('/completion');
  }

  static async connect(
    setup: RemoteSetup<LlamaServerSpec>,
    localTokenizer?: LocalTokenizer,
  ): Promise<LlamaServerModel> {
    const { spec, http, where } = setup;
    const listed = (await serverInfo(http, '/v1/models', where)) as
      { data?: { id?: string; meta?: Record<string, unknown> }[] } | undefined;
    checkListedModel(
      setup,
      listed?.data?.map((d) => d.id),
      http.endpoint('/v1/models'),
    );
    const entry = listed?.data?.find((d) => d.id === spec.model) ?? (spec.model ? undefined : listed?.data?.[0]);
    const meta = entry?.meta ?? {};
    // The weights file the server loaded and its size are the strongest identity it gives.
    const props = (await serverInfo(http, '/props', where)) as LlamaProps | undefined;
    const reported = {
      model_path: props?.model_path,
      size: meta.size,
      n_params: meta.n_params,
      n_vocab: meta.n_vocab,
      n_ctx_train: meta.n_ctx_train,
      tokenizer: localTokenizer?.id,
      symbols: 'every token',
    };
    const identity = remoteIdentity(spec, http.root, spec.model ?? entry?.id, reported);
    const served = (text: string) => serverTokenize(http, text);
    const tokens = localTokenizer?.tokens ?? new TokenCache(served);
    await checkTokenization(
      setup,
      (t) => tokens.tokens(t),
      localTokenizer ? 'the local tokenizer' : `${http.endpoint('/tokenize')}`,
      localTokenizer ? served : undefined,
      'Is this a llama.cpp server?',
    );
    return new LlamaServerModel(identity, http, tokens, spec, where);
  }

  get stats(): RemoteStats {
    return { server: this.http.root, ...this.http.stats };
  }

  get preferredConcurrency(): number {
    return this.http.batchesInFlight;
  }

  evaluate(requests: Request[], onResult?: (index: number, outcome: Outcome) => void): Promise<Outcome[]> {
    const units = unitsWithGeneration(
      requests,
      (rest) => unitPerRequest(rest, 'nextToken', 'llama-server', (r) => this.nextToken(r)),
      (r) => generateLlamaServer(this.http, this.spec.model, r),
    );
    return runUnits(this.http, requests.length, units, this.where, onResult);
  }

  /** Each candidate's log-prob: the sum over its tokens, each read from the top-k or, outside it, asked for on its own. */
  private async nextToken(request: NextTokenRequest): Promise<Outcome> {
    const splits = await Promise.all(request.candidates.map((c) => this.tokens.split(request.context, c)));
    if (splits.some((s) => s.cut === 0)) return { ok: false, error: 'context has no tokens' };
    const empty = splits.findIndex((s) => s.cut === s.whole.length);
    if (empty >= 0) return { ok: false, error: `candidate ${JSON.stringify(request.candidates[empty])} has no tokens` };
    const tops = new Map<string, Promise<Map<number, number>>>();
    const topAfter = (prompt: readonly number[]) => {
      const key = prompt.join(',');
      let top = tops.get(key);
      if (!top) tops.set(key, (top = this.topNext(prompt)));
      return top;
    };
    const logprobs = await Promise.all(
      splits.map(async ({ whole, cut }) => {
        let sum = 0;
        for (let j = cut; j < whole.length; j++) {
          const prompt = whole.slice(0, j);
          sum += (await topAfter(prompt)).get(whole[j]) ?? (await this.forcedLogprob(prompt, whole[j]));
        }
        return sum;
      }),
    );
    return { ok: true, result: { kind: 'nextToken', logprobs } };
  }

  /** The top-k next tokens after a token-ID prompt, as log-probs by token ID. */
  private async topNext(context: readonly number[]): Promise<Map<number, number>> {
    const first = await this.complete(context, {});
    const byId = new Map<number, number>();
    for (const t of first.top_logprobs!)
      if (typeof t.id === 'number' && typeof t.logprob === 'number') byId.set(t.id, t.logprob);
    return byId;
  }

  /**
   * A token outside the top-k: a logit bias makes the server generate it, and the log-prob it
   * reports for a generated token is read from the model's own distribution, before any sampler.
   */
  private async forcedLogprob(context: readonly number[], token: number): Promise<number> {
    const first = await this.complete(context, { logit_bias: [[token, FORCING_BIAS]], n_probs: 1 });
    if (first.id !== token || typeof first.logprob !== 'number') {
      throw brokenBackend(this.endpoint, `it generated token ${first.id} where logit_bias forced token ${token}`);
    }
    return first.logprob;
  }

  private async complete(
    context: readonly number[],
    extra: Record<string, unknown>,
  ): Promise<TopLogprob & { top_logprobs?: TopLogprob[] }> {
    const answer = (await this.http.post('/completion', {
      prompt: context,
      n_predict: 1,
      n_probs: this.spec.topLogprobs,
      temperature: 0,
      cache_prompt: true,
      ...(this.spec.model ? { model: this.spec.model } : {}),
      ...extra,
    })) as CompletionAnswer;
    if (answer?.truncated)
      throw new HttpFailure(
        `${this.endpoint}: the prompt (${context.length} tokens) was truncated to the server's context size`,
        413,
      );
    if (typeof answer?.tokens_evaluated === 'number' && answer.tokens_evaluated !== context.length) {
      throw brokenBackend(
        this.endpoint,
        `it evaluated ${answer.tokens_evaluated} prompt tokens of the ${context.length} sent`,
      );
    }
    const first = answer?.completion_probabilities?.[0];
    if (!first)
      throw brokenBackend(this.endpoint, 'the answer has no completion_probabilities (is n_probs supported?)');
    if (!Array.isArray(first.top_logprobs)) {
      const old = first.probs !== undefined ? ' (this is the pre-2025 format with "probs"; upgrade llama.cpp)' : '';
      throw brokenBackend(this.endpoint, `the answer has no completion_probabilities[0].top_logprobs${old}`);
    }
    return first;
  }

  async close(): Promise<void> {
    await this.tokens.close();
  }
}

/**
 * llama.cpp's `POST /tokenize {content, add_special, parse_special}` → `{tokens}`. Special-token
 * text in the prompt stays text, as in the GGUF backend.
 */
async function serverTokenize(http: HttpClient, text: string): Promise<number[]> {
  const body = (await http.post('/tokenize', { content: text, add_special: true, parse_special: false })) as {
    tokens?: unknown;
  };
  if (!Array.isArray(body?.tokens) || !body.tokens.every((t) => Number.isInteger(t))) {
    throw brokenBackend(http.endpoint('/tokenize'), 'the answer has no list of token IDs in "tokens"');
  }
  return body.tokens as number[];
}
