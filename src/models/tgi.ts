import type { Capabilities, LoglikelihoodRequest, ModelIdentity, Outcome, Request } from '../core/types.js';
import { generateTgi, unitsWithGeneration } from './remote-generate.js';
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
import type { TgiSpec } from './remote-specs.js';
import { TokenCache, type LocalTokenizer } from './remote-tokenizer.js';

const PREFILL_HINT = 'TGI 3 gives prompt log-probs only when started with --enable-prefill-logprobs';

export const TGI_CAPABILITIES: Capabilities = { loglikelihood: true, nextToken: false, generate: true };

interface GenerateAnswer {
  details?: { prefill?: { id?: number; text?: string; logprob?: number | null }[] } | null;
}

/**
 * Hugging Face TGI `/generate` with `decoder_input_details`: the log-prob of every prompt token
 * ("prefill"). TGI takes text, not token IDs, so the prompt is sent as text and the server's
 * prefill token IDs are checked against the tokenization used to find the continuation.
 */
export class TgiModel implements RemoteModel {
  readonly capabilities = TGI_CAPABILITIES;
  private readonly endpoint: string;

  private constructor(
    readonly identity: ModelIdentity,
    private readonly http: HttpClient,
    private readonly tokens: TokenCache,
    private readonly where: string,
  ) {
    this.endpoint = http.endpoint('/generate');
  }

  static async connect(setup: RemoteSetup<TgiSpec>, localTokenizer?: LocalTokenizer): Promise<TgiModel> {
    const { spec, http, where } = setup;
    const info = (await serverInfo(http, '/info', where)) as
      { model_id?: string; model_sha?: string; model_dtype?: string } | undefined;
    const reported = {
      model_id: info?.model_id,
      model_sha: info?.model_sha,
      model_dtype: info?.model_dtype,
      tokenizer: localTokenizer?.id,
    };
    const identity = remoteIdentity(spec, http.root, spec.model ?? info?.model_id, reported);
    const tokens = localTokenizer?.tokens ?? new TokenCache((text) => serverTokenize(http, text));
    return new TgiModel(identity, http, tokens, where);
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
      (rest) => unitPerRequest(rest, 'loglikelihood', 'tgi', (r) => this.loglikelihood(r)),
      (r) => generateTgi(this.http, r),
    );
    return runUnits(this.http, requests.length, units, this.where, onResult);
  }

  private async loglikelihood(request: LoglikelihoodRequest): Promise<Outcome> {
    const split = await this.tokens.split(request.context, request.continuation);
    if (split.continuation.length === 0) return { ok: false, error: 'continuation has no tokens' };
    if (split.context.length === 0)
      return {
        ok: false,
        error: 'context has no tokens, so the first continuation token has nothing to be scored against',
      };
    const answer = (await this.http
      .post('/generate', {
        inputs: request.context + request.continuation,
        parameters: { details: true, decoder_input_details: true, max_new_tokens: 1, do_sample: false },
      })
      .catch((e) => {
        if (e instanceof HttpFailure && e.status === 422 && /decoder_input_details|prefill/i.test(e.message))
          throw brokenBackend(this.endpoint, `${e.message}; ${PREFILL_HINT}`);
        throw e;
      })) as GenerateAnswer;
    const prefill = answer?.details?.prefill;
    if (!Array.isArray(prefill) || prefill.length === 0)
      throw brokenBackend(this.endpoint, `the answer has no details.prefill log-probs (${PREFILL_HINT})`);
    const expected = [...split.context, ...split.continuation];
    if (prefill.length !== expected.length) {
      throw brokenBackend(
        this.endpoint,
        `it returned ${prefill.length} prefill entries for a prompt of ${expected.length} tokens`,
      );
    }
    if (prefill.some((p, j) => p.id !== expected[j])) {
      throw brokenBackend(
        this.endpoint,
        "the server tokenized the prompt differently from the tokenizer used to split it (leave tokenizer: out to use the server's /tokenize, or name the model's own vocabulary)",
      );
    }
    let logprob = 0;
    for (let j = split.context.length; j < prefill.length; j++) {
      const v = prefill[j].logprob;
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw brokenBackend(this.endpoint, `prompt token ${j} of ${prefill.length} has no log-prob`);
      logprob += v;
    }
    // TGI reports no alternatives for prompt tokens, so whether they were greedy is unknown: false, never claimed.
    return { ok: true, result: { kind: 'loglikelihood', logprob, tokens: split.continuation.length, greedy: false } };
  }

  async close(): Promise<void> {
    await this.tokens.close();
  }
}

/** TGI's `POST /tokenize {inputs}` → `[{id, text, start, stop}]`. */
async function serverTokenize(http: HttpClient, text: string): Promise<number[]> {
  const body = (await http.post('/tokenize', { inputs: text })) as unknown;
  if (!Array.isArray(body) || !body.every((t) => Number.isInteger((t as { id?: unknown })?.id))) {
    throw brokenBackend(http.endpoint('/tokenize'), 'the answer is not a list of {id, text} tokens');
  }
  return body.map((t) => (t as { id: number }).id);
}
