import type { Capabilities, ModelIdentity, NextTokenRequest, Outcome, Request } from '../core/types.js';
import { generateOllama, unitsWithGeneration } from './remote-generate.js';
import type { HttpClient } from './http.js';
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
import { checkListedModel } from './remote-checks.js';
import type { OllamaSpec } from './remote-specs.js';
import { matchCandidates, type TopEntry } from './top-k.js';
import { withoutTrailingWhitespace } from './tokenize.js';

/** Ollama gives log-probs of generated tokens only, with no token IDs and no echo: next-token only. */
export const OLLAMA_CAPABILITIES: Capabilities = { loglikelihood: false, nextToken: true, generate: true };

interface GenerateAnswer {
  logprobs?: { token?: string; logprob?: number; top_logprobs?: TopEntry[] }[];
}

/**
 * Ollama `/api/generate` in raw mode (no chat template: the prompt is scored as written), one
 * token, greedy, with the top-k log-probs of that token (Ollama ≥ 0.12.11).
 */
export class OllamaModel implements RemoteModel {
  readonly capabilities = OLLAMA_CAPABILITIES;
  private readonly endpoint: string;

  private constructor(
    readonly identity: ModelIdentity,
    private readonly http: HttpClient,
    private readonly spec: OllamaSpec,
    private readonly where: string,
  ) {
    this.endpoint = http.endpoint('/api/generate');
  }

  static async connect(setup: RemoteSetup<OllamaSpec>): Promise<OllamaModel> {
    const { spec, http, where } = setup;
    const tags = (await serverInfo(http, '/api/tags', where)) as
      { models?: { name?: string; digest?: string }[] } | undefined;
    // "name" and "name:latest" are the same model to Ollama.
    const names = tags?.models?.flatMap((m) =>
      m.name?.endsWith(':latest') ? [m.name, m.name.slice(0, -':latest'.length)] : [m.name],
    );
    checkListedModel(setup, names, http.endpoint('/api/tags'));
    const entry = tags?.models?.find((m) => m.name === spec.model || m.name === `${spec.model}:latest`);
    return new OllamaModel(remoteIdentity(spec, http.root, spec.model, { digest: entry?.digest }), http, spec, where);
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
      (rest) => unitPerRequest(rest, 'nextToken', 'ollama', (r) => this.nextToken(r)),
      (r) => generateOllama(this.http, this.spec.model, r),
    );
    return runUnits(this.http, requests.length, units, this.where, onResult);
  }

  private async nextToken(request: NextTokenRequest): Promise<Outcome> {
    const answer = (await this.http.post('/api/generate', {
      model: this.spec.model,
      // Trailing whitespace belongs to the answer token (" A"), as in every other backend.
      prompt: withoutTrailingWhitespace(request.context),
      raw: true,
      stream: false,
      logprobs: true,
      top_logprobs: this.spec.topLogprobs,
      options: { num_predict: 1, temperature: 0 },
    })) as GenerateAnswer;
    const top = answer?.logprobs?.[0]?.top_logprobs;
    if (!Array.isArray(top)) {
      throw brokenBackend(
        this.endpoint,
        'the answer has no logprobs[0].top_logprobs (Ollama 0.12.11 or later is needed for log-probs)',
      );
    }
    return { ok: true, result: { kind: 'nextToken', logprobs: matchCandidates(request.candidates, top) } };
  }

  async close(): Promise<void> {}
}
