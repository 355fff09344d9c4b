import { ScoringEngine } from './engine.js';
import { startServer, type FaultOptions, type TestServer } from './harness.js';

/**
 * A vLLM-compatible server (`/v1/completions`, `/tokenize`, `/v1/models`) whose numbers are real:
 * every log-prob is computed by node-llama-cpp on the engine's model. `misbehave` reproduces
 * servers that must be caught: one that ignores echo and returns only the generated token's
 * log-prob (llama.cpp issue #27174), and one that drops an entry.
 */
export interface VllmOptions {
  engine: ScoringEngine;
  served?: string;
  misbehave?: 'ignore-echo' | 'drop-last';
  apiKey?: string;
  faults?: FaultOptions;
  /** Reject (HTTP 400, as vLLM does for bad prompts) any prompt for which this returns true. */
  rejectPrompt?: (tokens: number[]) => boolean;
  /** A slow server: each prompt of a completion request takes this long (before its log-probs are computed). */
  promptDelayMs?: number;
}

/** What a slow server did: prompts received, computed, and abandoned by a client that hung up. */
export interface PromptLog {
  /** Per prompt (token IDs joined by ","): how often it was received, computed to the end, and part of an abandoned request. */
  received: Map<string, number>;
  computed: Map<string, number>;
  abandoned: Map<string, number>;
  /** Completion requests whose client hung up before the answer. */
  abandonedRequests: number;
  /** How often each batch (its prompts joined by "|") was received. */
  batches: Map<string, number>;
}

/** vLLM's error body (`ErrorResponse`): object "error", message, type, param, code. */
export const vllmError = (status: number, message: string) => ({
  object: 'error',
  message,
  type:
    status === 404
      ? 'NotFoundError'
      : status === 400
        ? 'BadRequestError'
        : status === 401
          ? 'Unauthorized'
          : 'InternalServerError',
  param: null,
  code: status,
});

export async function startVllm(opts: VllmOptions): Promise<TestServer & { prompts: PromptLog }> {
  const { engine } = opts;
  const log: PromptLog = {
    received: new Map(),
    computed: new Map(),
    abandoned: new Map(),
    abandonedRequests: 0,
    batches: new Map(),
  };
  const bump = (m: Map<string, number>, key: string) => m.set(key, (m.get(key) ?? 0) + 1);
  const served = opts.served ?? 'stories260K';
  const error = (status: number, message: string) => ({ status, json: vllmError(status, message) });
  const unknownModel = (model: unknown) => error(404, `The model \`${String(model)}\` does not exist.`);

  const server = await startServer({
    errorBody: vllmError,
    apiKey: opts.apiKey,
    faults: opts.faults,
    routes: {
      'GET /v1/models': () => ({
        json: {
          object: 'list',
          data: [
            {
              id: served,
              object: 'model',
              created: Math.floor(Date.now() / 1000),
              owned_by: 'vllm',
              root: '/models/stories260K',
              parent: null,
              max_model_len: engine.contextSize,
              permission: [],
            },
          ],
        },
      }),
      'POST /tokenize': (body) => {
        if (body?.model !== undefined && body.model !== served) return unknownModel(body.model);
        if (typeof body?.prompt !== 'string') return error(400, 'prompt must be a string');
        const tokens = engine.tokenize(body.prompt, body.add_special_tokens ?? true);
        return { json: { count: tokens.length, max_model_len: engine.contextSize, tokens, token_strs: null } };
      },
      'POST /v1/completions': async (body, req) => {
        if (body?.model !== served) return unknownModel(body?.model);
        const prompts = toTokenLists(body.prompt, engine);
        if (!prompts)
          return error(
            400,
            'prompt must be a string, a list of strings, a list of token IDs or a list of lists of token IDs',
          );
        const maxTokens: number = body.max_tokens ?? 16;
        if (maxTokens === 0 && !body.echo) return error(400, 'max_tokens must be at least 1, got 0.');
        const k: number | undefined = body.logprobs ?? undefined;
        if (k !== undefined && k > 20)
          return error(400, `Requested sample logprobs of ${k}, which is greater than max allowed: 20`);
        for (const p of prompts) {
          if (p.length + maxTokens > engine.contextSize) {
            return error(
              400,
              `This model's maximum context length is ${engine.contextSize} tokens. However, you requested ${p.length + maxTokens} tokens (${p.length} in the messages, ${maxTokens} in the completion). Please reduce the length of the messages or completion.`,
            );
          }
          if (opts.rejectPrompt?.(p)) return error(400, 'this prompt is refused by the server');
        }
        const keys = prompts.map((p) => p.join(','));
        for (const k of keys) bump(log.received, k);
        bump(log.batches, keys.join('|'));
        const onHangUp = () => {
          log.abandonedRequests++;
          for (const k of keys) bump(log.abandoned, k);
        };
        req.socket.once('close', onHangUp);
        const key = (id: number) => (body.return_tokens_as_token_ids ? `token_id:${id}` : engine.piece(id));
        const stop: string[] = typeof body.stop === 'string' ? [body.stop] : (body.stop ?? []);
        const shape = { maxTokens, echo: !!body.echo, k, key, misbehave: opts.misbehave, stop };
        const choices = await engine
          .batch(async (distributions) => {
            const out = [];
            for (const [index, prompt] of prompts.entries()) {
              if (opts.promptDelayMs) await new Promise((r) => setTimeout(r, opts.promptDelayMs));
              // A client that hung up gets nothing: stop computing for it, as vLLM aborts the request.
              if (req.socket.destroyed) throw new Error('client disconnected');
              out.push(await completionChoice(engine, distributions, index, prompt, shape));
              bump(log.computed, keys[index]);
            }
            return out;
          })
          .finally(() => req.socket.off('close', onHangUp));
        const promptTokens = prompts.reduce((s, p) => s + p.length, 0);
        return {
          json: {
            id: `cmpl-${Math.random().toString(16).slice(2)}`,
            object: 'text_completion',
            created: Math.floor(Date.now() / 1000),
            model: served,
            choices,
            usage: {
              prompt_tokens: promptTokens,
              total_tokens: promptTokens + maxTokens * prompts.length,
              completion_tokens: maxTokens * prompts.length,
            },
          },
        };
      },
    },
  });
  return { ...server, prompts: log };
}

interface ChoiceShape {
  maxTokens: number;
  echo: boolean;
  k: number | undefined;
  key: (id: number) => string;
  misbehave?: VllmOptions['misbehave'];
  stop: string[];
}

/** One choice of a completion: greedy generation, then log-probs of the prompt (echo) and the generated tokens. */
async function completionChoice(
  engine: ScoringEngine,
  distributions: (tokens: number[]) => Promise<Float64Array[]>,
  index: number,
  prompt: number[],
  { maxTokens, echo, k, key, misbehave, stop }: ChoiceShape,
) {
  // Greedy, to maxTokens, the end-of-sequence token (kept in the tokens, not in the text) or a stop string (cut from the text).
  const generation = await engine.generate(prompt, maxTokens, stop, distributions);
  const eos = generation.reason === 'eos' ? [engine.model.tokens.eos!] : [];
  const generated = [...generation.generated, ...eos];
  const tokens = [...prompt, ...generated];
  const dists = await distributions(tokens);
  const entries = tokens.map((t, j) => {
    if (j === 0) return { lp: null, top: null };
    const dist = dists[j - 1];
    const top: Record<string, number> = {};
    for (const alt of ScoringEngine.top(dist, k ?? 0)) top[key(alt.id)] = alt.logprob;
    top[key(t)] = dist[t];
    return { lp: dist[t], top };
  });
  let shown = echo ? entries : entries.slice(prompt.length);
  if (misbehave === 'ignore-echo') shown = generated.length ? entries.slice(prompt.length) : entries.slice(-1);
  if (misbehave === 'drop-last') shown = shown.slice(0, -1);
  const shownTokens = tokens.slice(tokens.length - shown.length);
  let offset = 0;
  return {
    index,
    text: (echo ? prompt.map((t) => engine.piece(t)).join('') : '') + generation.text,
    logprobs:
      k === undefined
        ? null
        : {
            text_offset: shownTokens.map((t) => {
              const at = offset;
              offset += engine.piece(t).length;
              return at;
            }),
            token_logprobs: shown.map((e) => e.lp),
            tokens: shownTokens.map(key),
            top_logprobs: shown.map((e) => e.top),
          },
    finish_reason: generation.reason === 'length' ? 'length' : 'stop',
    stop_reason: generation.stopWord ?? null,
    prompt_logprobs: null,
  };
}

function toTokenLists(prompt: unknown, engine: ScoringEngine): number[][] | null {
  const isIds = (v: unknown): v is number[] => Array.isArray(v) && v.length > 0 && v.every((t) => Number.isInteger(t));
  if (typeof prompt === 'string') return [engine.tokenize(prompt, true)];
  if (isIds(prompt)) return [prompt];
  if (Array.isArray(prompt) && prompt.length > 0 && prompt.every(isIds)) return prompt as number[][];
  if (Array.isArray(prompt) && prompt.length > 0 && prompt.every((p) => typeof p === 'string'))
    return prompt.map((p) => engine.tokenize(p as string, true));
  return null;
}
