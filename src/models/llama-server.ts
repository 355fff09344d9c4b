import type { Capabilities, ModelIdentity, NextTokenRequest, Outcome, Request } from '../core/types.js';
import { generateLlamaServer, unitsWithGeneration } from './remote-generate.js';
import type { HttpClient } from './http.js';
import { brokenBackend, serverInfo, remoteIdentity, runUnits, unitPerRequest, type RemoteModel, type RemoteSetup, type RemoteStats } from './remote.js';
import type { LlamaServerSpec } from './remote-specs.js';
import { TokenCache, type LocalTokenizer } from './remote-tokenizer.js';

/** llama.cpp's server gives no prompt log-probs (echo is refused or, worse, ignored): next-token only. */
export const LLAMA_SERVER_CAPABILITIES: Capabilities = { loglikelihood: false, nextToken: true, generate: true };

interface TopLogprob {
  id?: number;
  logprob?: number;
}

interface CompletionAnswer {
  completion_probabilities?: { top_logprobs?: TopLogprob[]; probs?: unknown }[];
  tokens_evaluated?: number;
  truncated?: boolean;
}

/**
 * llama.cpp server `/completion` with the context as token IDs and `n_probs`: the top-k of the
 * next token, keyed by token ID, so candidates are matched exactly (no decoded-text collisions).
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

  static async connect(setup: RemoteSetup<LlamaServerSpec>, localTokenizer?: LocalTokenizer): Promise<LlamaServerModel> {
    const { spec, http, where } = setup;
    const listed = (await serverInfo(http, '/v1/models', where)) as { data?: { id?: string; meta?: Record<string, unknown> }[] } | undefined;
    const entry = listed?.data?.find((d) => d.id === spec.model) ?? (spec.model ? undefined : listed?.data?.[0]);
    const meta = entry?.meta ?? {};
    const reported = { n_params: meta.n_params, size: meta.size, n_vocab: meta.n_vocab, n_ctx_train: meta.n_ctx_train, tokenizer: localTokenizer?.id };
    const identity = remoteIdentity(spec, http.root, spec.model ?? entry?.id, reported);
    const tokens = localTokenizer?.tokens ?? new TokenCache((text) => serverTokenize(http, text));
    return new LlamaServerModel(identity, http, tokens, spec, where);
  }

  get stats(): RemoteStats {
    return { server: this.http.root, ...this.http.stats };
  }

  evaluate(requests: Request[], onResult?: (index: number, outcome: Outcome) => void): Promise<Outcome[]> {
    const units = unitsWithGeneration(requests, (rest) => unitPerRequest(rest, 'nextToken', 'llama-server', (r) => this.nextToken(r)), (r) => generateLlamaServer(this.http, this.spec.model, r));
    return runUnits(this.http, requests.length, units, this.where, onResult);
  }

  private async nextToken(request: NextTokenRequest): Promise<Outcome> {
    const context = await this.tokens.contextTokens(request.context);
    if (context.length === 0) return { ok: false, error: 'context has no tokens' };
    const firsts = await this.tokens.candidateFirstTokens(request.context, request.candidates);
    if (typeof firsts === 'string') return { ok: false, error: firsts };
    const answer = (await this.http.post('/completion', {
      prompt: context,
      n_predict: 1,
      n_probs: this.spec.topLogprobs,
      temperature: 0,
      cache_prompt: true,
      ...(this.spec.model ? { model: this.spec.model } : {}),
    })) as CompletionAnswer;
    if (answer?.truncated) return { ok: false, error: `${this.endpoint}: the prompt (${context.length} tokens) was truncated to the server's context size` };
    if (typeof answer?.tokens_evaluated === 'number' && answer.tokens_evaluated !== context.length) {
      throw brokenBackend(this.endpoint, `it evaluated ${answer.tokens_evaluated} prompt tokens of the ${context.length} sent`);
    }
    const first = answer?.completion_probabilities?.[0];
    if (!first) throw brokenBackend(this.endpoint, 'the answer has no completion_probabilities (is n_probs supported?)');
    if (!Array.isArray(first.top_logprobs)) {
      const old = first.probs !== undefined ? ' (this is the pre-2025 format with "probs"; upgrade llama.cpp)' : '';
      throw brokenBackend(this.endpoint, `the answer has no completion_probabilities[0].top_logprobs${old}`);
    }
    const byId = new Map<number, number>();
    for (const t of first.top_logprobs) if (typeof t.id === 'number' && typeof t.logprob === 'number') byId.set(t.id, t.logprob);
    return { ok: true, result: { kind: 'nextToken', logprobs: firsts.map((id) => byId.get(id) ?? null) } };
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
  const body = (await http.post('/tokenize', { content: text, add_special: true, parse_special: false })) as { tokens?: unknown };
  if (!Array.isArray(body?.tokens) || !body.tokens.every((t) => Number.isInteger(t))) {
    throw brokenBackend(http.endpoint('/tokenize'), 'the answer has no list of token IDs in "tokens"');
  }
  return body.tokens as number[];
}
