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
        json: {
          model_id: 'karpathy/tinyllamas-260K',
          model_sha: 'a945bfc3',
          model_dtype: 'torch.float32',
          model_device_type: 'cpu',
          max_input_tokens: 2047,
          max_total_tokens: 2048,
          version: '3.3.4',
          sha: null,
        },
      }),
      'POST /tokenize': (body) => {
        if (typeof body?.inputs !== 'string')
          return { status: 422, json: tgiError(422, 'Failed to deserialize the JSON body: missing field `inputs`') };
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
        if (typeof body?.inputs !== 'string')
          return { status: 422, json: tgiError(422, 'Failed to deserialize the JSON body: missing field `inputs`') };
        const p = body.parameters ?? {};
        if (p.decoder_input_details && opts.prefillDisabled) {
          return {
            status: 422,
            json: tgiError(
              422,
              'Input validation error: `decoder_input_details` == true is not supported when prefill log-probs are disabled (--enable-prefill-logprobs)',
            ),
          };
        }
        const ids = engine.tokenize(body.inputs, true);
        // Greedy to max_new_tokens (default 100 in TGI 3), the EOS token or a stop sequence, which TGI keeps in the text.
        const generation = await engine.generate(ids, p.max_new_tokens ?? 100, p.stop ?? []);
        const dists = await engine.distributions([...ids, ...generation.generated]);
        const generatedTokens = generation.generated.map((id, j) => ({
          id,
          text: engine.piece(id),
          logprob: dists[ids.length + j - 1][id],
          special: false,
        }));
        // TGI lists the end-of-sequence token among the tokens (special), not in the text.
        const eos = engine.model.tokens.eos!;
        if (generation.reason === 'eos')
          generatedTokens.push({ id: eos, text: '</s>', logprob: dists[dists.length - 1][eos], special: true });
        const prefill = p.decoder_input_details
          ? ids.map((id, j) => ({
              id,
              text: engine.special(id) ? '<s>' : engine.piece(id),
              logprob: j === 0 ? null : dists[j - 1][id],
            }))
          : [];
        return {
          json: {
            generated_text: generation.full,
            ...(p.details
              ? {
                  details: {
                    finish_reason:
                      generation.reason === 'eos'
                        ? 'eos_token'
                        : generation.reason === 'stop'
                          ? 'stop_sequence'
                          : 'length',
                    generated_tokens: generatedTokens.length,
                    seed: null,
                    prefill,
                    tokens: generatedTokens,
                    top_tokens: null,
                  },
                }
              : {}),
          },
        };
      },
    },
  });
}
