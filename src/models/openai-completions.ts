import type { Capabilities, ModelIdentity, Outcome, Request } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { HttpFailure, type HttpClient } from './http.js';
import { generateCompletions, unitsWithGeneration } from './remote-generate.js';
import {
  brokenBackend,
  serverInfo,
  remoteIdentity,
  runUnits,
  type RemoteModel,
  type RemoteSetup,
  type RemoteStats,
  type WorkUnit,
} from './remote.js';
import { checkListedModel, checkTokenization, PROBE_TEXTS } from './remote-checks.js';
import type { OpenaiCompletionsSpec } from './remote-specs.js';
import { TokenCache, type LocalTokenizer } from './remote-tokenizer.js';

export const OPENAI_COMPLETIONS_CAPABILITIES: Capabilities = { loglikelihood: true, nextToken: true, generate: true };

/** One token-ID prompt sent to the server; the entries from `from` on are the ones read. */
interface Prompt {
  tokens: readonly number[];
  from: number;
}

/** Per prompt: the log-prob of each prompt token given the ones before it (finite from `from` on), and whether every token from `from` on was the top choice. */
interface PromptScores {
  logprobs: readonly (number | null)[];
  greedy: boolean;
}

type Plan = { request: Request; prompts: Prompt[] } | { error: string };

/** Statuses for which one bad prompt (too long, say) rejects a whole batch: retried prompt by prompt. */
const PER_PROMPT_STATUSES = new Set([400, 413, 422]);

/**
 * vLLM / SGLang `/v1/completions` with `echo: true, logprobs: 1, max_tokens: 0`: the server
 * returns the log-prob of every prompt token, so one request scores a whole continuation, and
 * several token-ID prompts share one request. Token IDs come from the server's `/tokenize` or a
 * local GGUF vocabulary, cut by the shared tokenization rule.
 */
export class OpenaiCompletionsModel implements RemoteModel {
  readonly capabilities = OPENAI_COMPLETIONS_CAPABILITIES;
  private readonly endpoint: string;

  private constructor(
    readonly identity: ModelIdentity,
    private readonly http: HttpClient,
    private readonly tokens: TokenCache,
    private readonly spec: OpenaiCompletionsSpec,
    private readonly where: string,
  ) {
    this.endpoint = http.endpoint('/v1/completions');
  }

  /** `localTokenizer`: a GGUF vocabulary and its identity, when the study names one. */
  static async connect(
    setup: RemoteSetup<OpenaiCompletionsSpec>,
    localTokenizer?: LocalTokenizer,
  ): Promise<OpenaiCompletionsModel> {
    const { spec, http, where } = setup;
    const listed = (await serverInfo(http, '/v1/models', where)) as
      { data?: { id?: string; root?: string }[] } | undefined;
    checkListedModel(
      setup,
      listed?.data?.map((d) => d.id),
      http.endpoint('/v1/models'),
    );
    // vLLM reports the weights it serves as `root`; other fields (created, max_model_len) do not change scores.
    const root = listed?.data?.find((d) => d.id === spec.model)?.root;
    const reported = { root, tokenizer: localTokenizer?.id };
    const identity = remoteIdentity(spec, http.root, spec.model, reported);
    const served = (text: string) => serverTokenize(http, spec.model, text, where);
    const tokens = localTokenizer?.tokens ?? new TokenCache(served);
    // With a local vocabulary the server's /tokenize is only compared against, when it has one.
    const comparable =
      localTokenizer &&
      (await served(PROBE_TEXTS[0]).then(
        () => true,
        (e) => (isMissingEndpoint(e) ? false : Promise.reject(e)),
      ));
    await checkTokenization(
      setup,
      (t) => tokens.tokens(t),
      localTokenizer ? 'the local tokenizer' : `the server's /tokenize`,
      comparable ? served : undefined,
      `The server does not tokenize the vLLM way (POST /tokenize {model, prompt}); a llama.cpp server reads "content" instead, and returns no prompt log-probs: serve the model with vLLM or SGLang, or use backend: llama-server for symbol scoring`,
    );
    return new OpenaiCompletionsModel(identity, http, tokens, spec, where);
  }

  get stats(): RemoteStats {
    return { server: this.http.root, ...this.http.stats };
  }

  get preferredConcurrency(): number {
    return this.http.batchesInFlight;
  }

  async evaluate(requests: Request[], onResult?: (index: number, outcome: Outcome) => void): Promise<Outcome[]> {
    const units = unitsWithGeneration(
      requests,
      (rest) => this.scoringUnits(rest),
      (r) => generateCompletions(this.http, this.spec.model, r),
    );
    return runUnits(this.http, requests.length, units, this.where, onResult);
  }

  /** Log-prob requests, several prompts to one call. */
  private scoringUnits(requests: Request[]): WorkUnit[] {
    const units: WorkUnit[] = [];
    let indices: number[] = [];
    let prompts = 0;
    const flush = () => {
      if (indices.length === 0) return;
      const batch = indices;
      units.push({ indices: batch, run: () => this.runBatch(batch.map((i) => requests[i])) });
      indices = [];
      prompts = 0;
    };
    requests.forEach((r, i) => {
      const n = r.kind === 'nextToken' ? r.candidates.length : 1;
      if (prompts + n > this.spec.batchSize) flush();
      indices.push(i);
      prompts += n;
    });
    flush();
    return units;
  }

  private async runBatch(requests: Request[]): Promise<Outcome[]> {
    const plans = await Promise.all(requests.map((r) => this.plan(r)));
    const prompts = plans.flatMap((p) => ('prompts' in p ? p.prompts : []));
    const scored = prompts.length ? await this.scoreOrSplit(prompts, false) : [];
    let next = 0;
    return plans.map((plan): Outcome => {
      if ('error' in plan) return { ok: false, error: plan.error };
      const mine = scored.slice(next, (next += plan.prompts.length));
      const failed = mine.find((s): s is string => typeof s === 'string');
      if (failed) return { ok: false, error: failed };
      return { ok: true, result: this.reduce(plan.request, plan.prompts, mine as PromptScores[]) };
    });
  }

  private async plan(request: Request): Promise<Plan> {
    if (request.kind === 'generate') return { error: 'a generate request is not scored by log-probs' };
    if (request.kind === 'loglikelihood') {
      const split = await this.tokens.split(request.context, request.continuation);
      if (split.cut === split.whole.length) return { error: 'continuation has no tokens' };
      if (split.cut === 0)
        return { error: 'context has no tokens, so the first continuation token has nothing to be scored against' };
      return { request, prompts: [{ tokens: split.whole, from: split.cut }] };
    }
    const context = await this.tokens.contextTokens(request.context);
    if (context.length === 0) return { error: 'context has no tokens' };
    const firsts = await this.tokens.candidateFirstTokens(request.context, request.candidates);
    if (typeof firsts === 'string') return { error: firsts };
    return { request, prompts: firsts.map((t) => ({ tokens: [...context, t], from: context.length })) };
  }

  private reduce(request: Request, prompts: Prompt[], scores: PromptScores[]) {
    if (request.kind === 'nextToken') {
      return { kind: 'nextToken' as const, logprobs: scores.map((s, k) => s.logprobs[prompts[k].tokens.length - 1]!) };
    }
    const { from, tokens } = prompts[0];
    const { logprobs, greedy } = scores[0];
    let sum = 0;
    for (let j = from; j < tokens.length; j++) sum += logprobs[j]!;
    return { kind: 'loglikelihood' as const, logprob: sum, tokens: tokens.length - from, greedy };
  }

  /**
   * Score a batch. If the server rejects it as a whole, score its prompts one by one so one bad
   * prompt fails alone; if it times out, score its halves one after the other (never resending the
   * whole batch beside a copy the server may still be computing).
   */
  private async scoreOrSplit(prompts: Prompt[], resend: boolean): Promise<(PromptScores | string)[]> {
    try {
      return await this.score(prompts, resend);
    } catch (e) {
      if (e instanceof HttpFailure && e.timedOut && prompts.length > 1) {
        const half = Math.ceil(prompts.length / 2);
        const first = await this.scoreOrSplit(prompts.slice(0, half), true);
        return [...first, ...(await this.scoreOrSplit(prompts.slice(half), true))];
      }
      if (!(e instanceof HttpFailure && e.status !== undefined && PER_PROMPT_STATUSES.has(e.status))) throw e;
      if (prompts.length === 1) return [e.message];
      return Promise.all(prompts.map(async (p) => (await this.scoreOrSplit([p], true))[0]));
    }
  }

  private async score(prompts: Prompt[], resend: boolean): Promise<PromptScores[]> {
    const extra = this.spec.maxTokensOne ? 1 : 0;
    const request = {
      model: this.spec.model,
      prompt: prompts.map((p) => p.tokens),
      max_tokens: extra,
      echo: true,
      logprobs: 1,
      temperature: 0,
      return_tokens_as_token_ids: true,
    };
    // An answer that fails these checks is asked for again; only a server that never answers right is broken.
    const options = { prompts: prompts.length, resend, splitOnTimeout: prompts.length > 1 };
    return this.http.post(
      '/v1/completions',
      request,
      (answer) => this.readAnswer(answer as CompletionResponse, prompts, extra),
      options,
    );
  }

  private readAnswer(body: CompletionResponse, prompts: Prompt[], extra: number): PromptScores[] {
    const choices = Array.isArray(body?.choices) ? body.choices : [];
    if (choices.length !== prompts.length)
      throw brokenBackend(this.endpoint, `it answered ${choices.length} choices for ${prompts.length} prompts`);
    const out: PromptScores[] = new Array(prompts.length);
    choices.forEach((choice, position) => {
      const index = typeof choice.index === 'number' ? choice.index : position;
      if (index < 0 || index >= prompts.length || out[index])
        throw brokenBackend(this.endpoint, `choice index ${choice.index} does not match a prompt`);
      out[index] = this.readChoice(choice, prompts[index], extra);
    });
    return out;
  }

  /** Check one choice really echoes the prompt's log-probs (never score a server that silently does not) and read them. */
  private readChoice(choice: CompletionChoice, prompt: Prompt, extra: number): PromptScores {
    const lp = choice.logprobs;
    const n = prompt.tokens.length;
    if (!lp || !Array.isArray(lp.token_logprobs))
      throw brokenBackend(
        this.endpoint,
        'the answer has no logprobs.token_logprobs (does the server support logprobs with echo?)',
      );
    if (lp.token_logprobs.length !== n + extra) {
      throw brokenBackend(
        this.endpoint,
        `it returned ${lp.token_logprobs.length} log-prob entries for a prompt of ${n} tokens (expected ${n + extra}). ` +
          `The server ignores echo or returns only the generated token's log-prob (as llama.cpp's server does, issue #27174), ` +
          `which would score every model at chance${extra ? '' : '; if it refuses max_tokens 0, set maxTokensOne: true'}`,
      );
    }
    if (echoesOtherTokens(lp.tokens, prompt.tokens))
      throw brokenBackend(this.endpoint, 'the echoed prompt tokens differ from the token IDs sent');
    const logprobs = lp.token_logprobs;
    let greedy = true;
    for (let j = prompt.from; j < n; j++) {
      const v = logprobs[j];
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw brokenBackend(this.endpoint, `prompt token ${j} of ${n} has no log-prob`);
      greedy &&= isTop(lp.top_logprobs?.[j], v);
    }
    return { logprobs, greedy };
  }

  async close(): Promise<void> {
    await this.tokens.close();
  }
}

/** Whether no alternative in a position's top log-probs beats the token's own (read for every scored token). */
function isTop(top: Record<string, number> | null | undefined, logprob: number): boolean {
  if (!top) return false;
  for (const key in top) if (!(top[key] <= logprob + 1e-6)) return false;
  return true;
}

/**
 * Whether a server that echoes `token_id:<n>` strings (vLLM with return_tokens_as_token_ids)
 * echoed other IDs than were sent; echoes in another form are not compared. Read digit by digit:
 * this runs for every prompt token of a study, and building each expected string cost more.
 */
function echoesOtherTokens(echoed: unknown, sent: readonly number[]): boolean {
  if (!Array.isArray(echoed) || echoed.length < sent.length) return false;
  let differs = false;
  for (let j = 0; j < sent.length; j++) {
    const id = echoedTokenId(echoed[j]);
    if (id === undefined) return false;
    if (id !== sent[j]) differs = true;
  }
  return differs;
}

const TOKEN_ID_PREFIX = 'token_id:';

/** `token_id:<digits>` as a number; anything else, undefined. */
function echoedTokenId(t: unknown): number | undefined {
  if (
    typeof t !== 'string' ||
    t.length <= TOKEN_ID_PREFIX.length ||
    t.length > TOKEN_ID_PREFIX.length + 15 ||
    !t.startsWith(TOKEN_ID_PREFIX)
  )
    return undefined;
  let id = 0;
  for (let i = TOKEN_ID_PREFIX.length; i < t.length; i++) {
    const digit = t.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    id = id * 10 + digit;
  }
  return id;
}

interface CompletionChoice {
  index?: number;
  logprobs?: {
    token_logprobs?: (number | null)[];
    tokens?: string[];
    top_logprobs?: (Record<string, number> | null)[];
  } | null;
}

interface CompletionResponse {
  choices?: CompletionChoice[];
}

/** A server without vLLM's /tokenize (404 once read as a UserError, or another refusal of the route). */
function isMissingEndpoint(e: unknown): boolean {
  if (e instanceof UserError) return /no \/tokenize endpoint/.test(e.message);
  return e instanceof HttpFailure && (e.status === 400 || e.status === 405 || e.status === 501);
}

/** vLLM's `POST /tokenize {model, prompt, add_special_tokens}` → `{tokens, count, max_model_len}`. */
async function serverTokenize(http: HttpClient, model: string, text: string, where: string): Promise<number[]> {
  let body: { tokens?: unknown };
  try {
    body = (await http.post('/tokenize', { model, prompt: text, add_special_tokens: true })) as { tokens?: unknown };
  } catch (e) {
    if (e instanceof HttpFailure && e.status === 404) {
      throw new UserError(
        `${e.message} — check the model name; if the server has no /tokenize endpoint, set tokenizer: to a GGUF file with the model's vocabulary`,
        where,
      );
    }
    throw e;
  }
  if (!Array.isArray(body?.tokens) || !body.tokens.every((t) => Number.isInteger(t))) {
    throw brokenBackend(http.endpoint('/tokenize'), 'the answer has no list of token IDs in "tokens"');
  }
  return body.tokens as number[];
}
