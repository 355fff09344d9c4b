import { ScoringEngine, type Generation } from './engine.js';
import { bytesOf, startServer, type FaultOptions, type TestServer } from './harness.js';

/** A token as chat APIs name it: decoded text, no ID. */
export interface TextTop {
  token: string;
  logprob: number;
}

/** Decides the next-token top-k for a prompt (from the engine, or scripted by a test). */
export type TopFor = (prompt: string, k: number) => Promise<TextTop[]>;

/** Greedy text after a prompt (for requests that generate instead of asking for log-probs). */
export type GenerateFor = (prompt: string, maxTokens: number, stop: string[]) => Promise<Generation>;

/** The engine's greedy generation after a text prompt, tokenized with BOS as the servers do. */
export const engineGenerateFor =
  (engine: ScoringEngine): GenerateFor =>
  (prompt, maxTokens, stop) =>
    engine.generate(engine.tokenize(prompt, true), maxTokens, stop);

/** OpenAI and Ollama cut the stop string from the text; either ends a text "stop", the token budget "length". */
const finishReason = (g: Generation) => (g.reason === 'length' ? 'length' : 'stop');

/** The engine's top-k next tokens after a prompt, named by decoded text as Ollama and OpenAI do. */
export const engineTopFor =
  (engine: ScoringEngine): TopFor =>
  async (prompt, k) => {
    const dists = await engine.distributions(engine.tokenize(prompt, true));
    return ScoringEngine.top(dists[dists.length - 1], k).map((t) => ({
      token: engine.piece(t.id),
      logprob: t.logprob,
    }));
  };

/** OpenAI's error body: `{error: {message, type, param, code}}`. */
export const openaiError = (status: number, message: string) => ({
  error: {
    message,
    type: status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error',
    param: null,
    code: status === 401 ? 'invalid_api_key' : null,
  },
});

export interface ChatOptions {
  topFor: TopFor;
  apiKey?: string;
  faults?: FaultOptions;
  /** Answer HTTP 400 quoting the request's Authorization header back (some servers do) for prompts this accepts. */
  echoKeyFor?: (prompt: string) => boolean;
  /** Answer without log-probs, as models that do not support them do. */
  noLogprobs?: boolean;
  /** Requests without log-probs generate text with this. */
  generateFor?: GenerateFor;
}

/** An OpenAI-compatible chat server (`/v1/chat/completions`, `/v1/models`). */
export function startOpenaiChat(opts: ChatOptions): Promise<TestServer> {
  const withBytes = (t: TextTop) => ({ token: t.token, logprob: t.logprob, bytes: bytesOf(t.token) });
  return startServer({
    errorBody: openaiError,
    apiKey: opts.apiKey,
    faults: opts.faults,
    routes: {
      'GET /v1/models': () => ({
        json: {
          object: 'list',
          data: [{ id: 'chat-model', object: 'model', created: 1700000000, owned_by: 'system' }],
        },
      }),
      'POST /v1/chat/completions': async (body, req) => {
        if (body?.model !== 'chat-model')
          return {
            status: 404,
            json: openaiError(404, `The model \`${body?.model}\` does not exist or you do not have access to it.`),
          };
        const k = body.top_logprobs ?? 0;
        if (k > 20)
          return {
            status: 400,
            json: openaiError(
              400,
              `Invalid 'top_logprobs': integer above maximum value. Expected a value <= 20, but got ${k} instead.`,
            ),
          };
        const prompt = (body.messages ?? []).map((m: { content: string }) => m.content).join('\n');
        if (opts.echoKeyFor?.(prompt))
          return {
            status: 400,
            json: openaiError(400, `Request refused for credentials ${req.headers.authorization}`),
          };
        if (!body.logprobs && opts.generateFor) {
          const stop: string[] = typeof body.stop === 'string' ? [body.stop] : (body.stop ?? []);
          if (stop.length > 4)
            return {
              status: 400,
              json: openaiError(400, "Invalid 'stop': array too long. Expected an array with maximum length 4."),
            };
          const g = await opts.generateFor(prompt, body.max_completion_tokens ?? body.max_tokens ?? 16, stop);
          return {
            json: {
              id: `chatcmpl-${Math.random().toString(16).slice(2)}`,
              object: 'chat.completion',
              created: Math.floor(Date.now() / 1000),
              model: body.model,
              choices: [
                {
                  index: 0,
                  message: { role: 'assistant', content: g.text, refusal: null },
                  logprobs: null,
                  finish_reason: finishReason(g),
                },
              ],
              usage: {
                prompt_tokens: prompt.length,
                completion_tokens: g.generated.length,
                total_tokens: prompt.length + g.generated.length,
              },
              system_fingerprint: null,
            },
          };
        }
        const top = await opts.topFor(prompt, Math.max(k, 1));
        const first = top[0];
        return {
          json: {
            id: `chatcmpl-${Math.random().toString(16).slice(2)}`,
            object: 'chat.completion',
            created: Math.floor(Date.now() / 1000),
            model: body.model,
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: first.token, refusal: null },
                logprobs:
                  body.logprobs && !opts.noLogprobs
                    ? {
                        content: [{ ...withBytes(first), top_logprobs: top.slice(0, k).map(withBytes) }],
                        refusal: null,
                      }
                    : null,
                finish_reason: 'length',
              },
            ],
            usage: { prompt_tokens: prompt.length, completion_tokens: 1, total_tokens: prompt.length + 1 },
            system_fingerprint: null,
          },
        };
      },
    },
  });
}

/** Ollama's error body: `{error: "…"}`. */
export const ollamaError = (_status: number, message: string) => ({ error: message });

/** An Ollama server (`/api/generate`, `/api/tags`); `old` answers as versions before 0.12.11 (no log-probs). */
export function startOllama(opts: { topFor: TopFor; old?: boolean; generateFor?: GenerateFor }): Promise<TestServer> {
  return startServer({
    errorBody: ollamaError,
    routes: {
      'GET /api/tags': () => ({
        json: {
          models: [
            {
              name: 'stories:latest',
              model: 'stories:latest',
              modified_at: '2026-01-01T00:00:00Z',
              size: 1185376,
              digest: 'a945bfc3'.padEnd(64, '0'),
              details: { format: 'gguf', family: 'llama', parameter_size: '260K', quantization_level: 'F32' },
            },
          ],
        },
      }),
      'POST /api/generate': async (body) => {
        if (body?.model !== 'stories' && body?.model !== 'stories:latest')
          return { status: 404, json: ollamaError(404, `model '${body?.model}' not found`) };
        if (!body.logprobs && opts.generateFor) {
          // num_predict -1 generates until the end of sequence; a bound keeps a runaway test finite.
          const n = body.options?.num_predict;
          const g = await opts.generateFor(
            body.prompt ?? '',
            n === undefined || n < 0 ? 256 : n,
            body.options?.stop ?? [],
          );
          return {
            json: {
              model: body.model,
              created_at: new Date().toISOString(),
              response: g.text,
              done: true,
              done_reason: finishReason(g),
              context: [],
              total_duration: 1000,
              load_duration: 100,
              prompt_eval_count: (body.prompt ?? '').length,
              prompt_eval_duration: 500,
              eval_count: g.generated.length,
              eval_duration: 400,
            },
          };
        }
        const k = body.top_logprobs ?? 0;
        const top = await opts.topFor(body.prompt ?? '', Math.max(k, 1));
        const first = top[0];
        return {
          json: {
            model: body.model,
            created_at: new Date().toISOString(),
            response: first.token,
            done: true,
            done_reason: 'length',
            context: [],
            total_duration: 1000,
            load_duration: 100,
            prompt_eval_count: (body.prompt ?? '').length,
            prompt_eval_duration: 500,
            eval_count: 1,
            eval_duration: 400,
            ...(body.logprobs && !opts.old
              ? {
                  logprobs: [
                    {
                      token: first.token,
                      logprob: first.logprob,
                      bytes: bytesOf(first.token),
                      top_logprobs: top.slice(0, k).map((t) => ({ ...t, bytes: bytesOf(t.token) })),
                    },
                  ],
                }
              : {}),
          },
        };
      },
    },
  });
}
