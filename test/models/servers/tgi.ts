import { ScoringEngine } from './engine.js';
import { startServer, type TestServer } from './harness.js';

/** TGI's error body: `{error, error_type}`. */
export const tgiError = (status: number, message: string) => ({
  error: message,
  error_type: status === 422 ? 'validation' : status === 429 ? 'overloaded' : status === 424 ? 'generation' : 'server',
});

/**
 * A TGI server (`/generate`, `/tokenize`, `/info`) answering from the engine. `prefillDisabled`
 * answers as TGI 3 started without `--enable-prefill-logprobs`.
 */
export function startTgi(engine: ScoringEngine, opts: { prefillDisabled?: boolean } = {}): Promise<TestServer> {
  return startServer({
    errorBody: tgiError,
    routes: {
      'GET /info': () => ({
        json: { model_id: 'karpathy/tinyllamas-260K', model_sha: 'a945bfc3', model_dtype: 'torch.float32', model_device_type: 'cpu', max_input_tokens: 2047, max_total_tokens: 2048, version: '3.3.4', sha: null },
      }),
      'POST /tokenize': (body) => {
        if (typeof body?.inputs !== 'string') return { status: 422, json: tgiError(422, 'Failed to deserialize the JSON body: missing field `inputs`') };
        const ids = engine.tokenize(body.inputs, true);
        let at = 0;
        return {
          json: ids.map((id) => {
            const text = engine.special(id) ? '' : engine.piece(id);
            const start = at;
            at += text.length;
            return { id, text, start, stop: at };
          }),
        };
      },
      'POST /generate': async (body) => {
        if (typeof body?.inputs !== 'string') return { status: 422, json: tgiError(422, 'Failed to deserialize the JSON body: missing field `inputs`') };
        const p = body.parameters ?? {};
        if (p.decoder_input_details && opts.prefillDisabled) {
          return { status: 422, json: tgiError(422, 'Input validation error: `decoder_input_details` == true is not supported when prefill log-probs are disabled (--enable-prefill-logprobs)') };
        }
        const ids = engine.tokenize(body.inputs, true);
        const dists = await engine.distributions(ids);
        const next = ScoringEngine.top(dists[dists.length - 1], 1)[0];
        const prefill = p.decoder_input_details
          ? ids.map((id, j) => ({ id, text: engine.special(id) ? '<s>' : engine.piece(id), logprob: j === 0 ? null : dists[j - 1][id] }))
          : [];
        return {
          json: {
            generated_text: engine.piece(next.id),
            ...(p.details
              ? { details: { finish_reason: 'length', generated_tokens: 1, seed: null, prefill, tokens: [{ id: next.id, text: engine.piece(next.id), logprob: next.logprob, special: false }], top_tokens: null } }
              : {}),
          },
        };
      },
    },
  });
}
