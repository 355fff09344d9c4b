import { ScoringEngine } from './engine.js';
import { bytesOf, startServer, type TestServer } from './harness.js';

/** llama.cpp's error body: `{error: {code, message, type}}`. */
export const llamaError = (status: number, message: string) => ({
  error: {
    code: status,
    message,
    type:
      status === 404
        ? 'not_found_error'
        : status === 503
          ? 'unavailable_error'
          : status >= 500
            ? 'server_error'
            : 'invalid_request_error',
  },
});

/**
 * A llama.cpp server (`/completion`, `/tokenize`, `/v1/models`) answering from the engine: the
 * top `n_probs` next tokens with `{id, token, bytes, logprob}`, as current builds print them.
 */
export function startLlamaServer(engine: ScoringEngine, opts: { oldFormat?: boolean } = {}): Promise<TestServer> {
  const entry = (id: number, logprob: number) => ({
    id,
    token: engine.piece(id),
    bytes: bytesOf(engine.piece(id)),
    logprob,
  });
  return startServer({
    errorBody: llamaError,
    routes: {
      'GET /v1/models': () => ({
        json: {
          object: 'list',
          data: [
            {
              id: 'stories260K.gguf',
              object: 'model',
              created: Math.floor(Date.now() / 1000),
              owned_by: 'llamacpp',
              meta: {
                vocab_type: 1,
                n_vocab: engine.vocabSize,
                n_ctx_train: 2048,
                n_embd: 64,
                n_params: 260_000,
                size: 1_185_376,
              },
            },
          ],
        },
      }),
      'POST /tokenize': (body) => {
        if (typeof body?.content !== 'string')
          return { status: 400, json: llamaError(400, '"content" must be provided') };
        return { json: { tokens: engine.tokenize(body.content, body.add_special ?? false) } };
      },
      'POST /completion': async (body) => {
        const prompt: number[] = typeof body?.prompt === 'string' ? engine.tokenize(body.prompt, true) : body?.prompt;
        if (!Array.isArray(prompt) || prompt.length === 0)
          return { status: 400, json: llamaError(400, '"prompt" must be a string or a list of tokens') };
        if (prompt.length >= engine.contextSize)
          return {
            status: 400,
            json: llamaError(400, 'the request exceeds the available context size, try increasing it'),
          };
        // n_predict -1 means "until the end of sequence"; a bound keeps a runaway test finite.
        const nPredict: number = body.n_predict === undefined || body.n_predict < 0 ? 256 : body.n_predict;
        const generation = await engine.generate(prompt, nPredict, body.stop ?? []);
        const dists = await engine.distributions(prompt);
        const top = ScoringEngine.top(dists[dists.length - 1], body.n_probs ?? 0);
        // The generated token is chosen after the logit bias; every reported log-prob is the model's own.
        const last = dists[dists.length - 1];
        const biased = Float64Array.from(last);
        for (const [id, bias] of (body.logit_bias ?? []) as [number, number][]) biased[id] += bias;
        const chosen = ScoringEngine.top(biased, 1)[0].id;
        const best = { id: chosen, logprob: last[chosen] };
        const probs = opts.oldFormat
          ? [
              {
                content: engine.piece(best.id),
                probs: top.map((t) => ({ tok_str: engine.piece(t.id), prob: Math.exp(t.logprob) })),
              },
            ]
          : [{ ...entry(best.id, best.logprob), top_logprobs: top.map((t) => entry(t.id, t.logprob)) }];
        return {
          json: {
            index: 0,
            content: generation.text,
            tokens: [],
            id_slot: 0,
            stop: true,
            model: 'stories260K.gguf',
            tokens_predicted: generation.generated.length,
            tokens_evaluated: prompt.length,
            generation_settings: {
              n_predict: body.n_predict ?? -1,
              temperature: body.temperature ?? 0.8,
              n_probs: body.n_probs ?? 0,
            },
            prompt: prompt.map((t) => engine.piece(t)).join(''),
            has_new_line: false,
            truncated: false,
            stop_type: generation.reason === 'eos' ? 'eos' : generation.reason === 'stop' ? 'word' : 'limit',
            stopping_word: generation.stopWord ?? '',
            tokens_cached: 0,
            timings: {
              prompt_n: prompt.length,
              prompt_ms: 1,
              predicted_n: generation.generated.length,
              predicted_ms: 1,
            },
            ...(body.n_probs ? { completion_probabilities: probs } : {}),
          },
        };
      },
    },
  });
}
