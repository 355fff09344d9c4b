import { createHash } from 'node:crypto';
import type { Capabilities, ModelIdentity, NextTokenRequest, Outcome, Request, SymbolUse } from '../core/types.js';
import { generateChat, unitsWithGeneration } from './remote-generate.js';
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
import { refuseUnreadableSymbols, serverPieces } from './symbol-check.js';
import type { LlamaProps } from './llama-server.js';
import type { OpenaiChatSpec } from './remote-specs.js';
import { matchCandidates, type TopEntry } from './top-k.js';
import { withoutTrailingWhitespace } from './tokenize.js';

/** Chat APIs give log-probs of generated tokens only: next-token scores within the top-k. */
export const OPENAI_CHAT_CAPABILITIES: Capabilities = { loglikelihood: false, nextToken: true, generate: true };

interface ChatAnswer {
  choices?: {
    logprobs?: { content?: { token?: string; logprob?: number; top_logprobs?: TopEntry[] }[] | null } | null;
  }[];
}

/**
 * OpenAI-compatible `/v1/chat/completions` (OpenAI, vLLM, Ollama's OpenAI route): the prompt is
 * one user message, one greedy token is generated, and its top-k log-probs score the symbols.
 * A symbol outside the top-k is null (unscored), never a wrong answer.
 */
export class OpenaiChatModel implements RemoteModel {
  readonly capabilities = OPENAI_CHAT_CAPABILITIES;
  private readonly endpoint: string;

  private constructor(
    readonly identity: ModelIdentity,
    private readonly http: HttpClient,
    private readonly spec: OpenaiChatSpec,
    private readonly where: string,
    /** The server wraps every prompt in its chat template: results are filed under this name, not the condition's template. */
    readonly chatTemplate: string,
  ) {
    this.endpoint = http.endpoint('/v1/chat/completions');
  }

  static async connect(setup: RemoteSetup<OpenaiChatSpec>): Promise<OpenaiChatModel> {
    const { spec, http, where } = setup;
    const listed = (await serverInfo(http, '/v1/models', where)) as
      { data?: { id?: string; root?: string }[] } | undefined;
    checkListedModel(
      setup,
      listed?.data?.map((d) => d.id),
      http.endpoint('/v1/models'),
    );
    // vLLM reports the weights it serves as `root`; llama.cpp its weights file and chat template in /props; OpenAI nothing.
    const props = (await serverInfo(http, '/props', where)) as LlamaProps | undefined;
    const template = props?.chat_template ? `chat:${chatTemplateName(props.chat_template)}` : `chat:${spec.model}`;
    const reported = {
      root: listed?.data?.find((d) => d.id === spec.model)?.root,
      model_path: props?.model_path,
      chat_template: template,
    };
    const identity = remoteIdentity(spec, http.root, spec.model, reported);
    identity.details.chatTemplate = template;
    return new OpenaiChatModel(identity, http, spec, where, template);
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
      (rest) => unitPerRequest(rest, 'nextToken', 'openai-chat', (r) => this.nextToken(r)),
      (r) => generateChat(this.http, this.spec.model, r),
    );
    return runUnits(this.http, requests.length, units, this.where, onResult);
  }

  private async nextToken(request: NextTokenRequest): Promise<Outcome> {
    const answer = (await this.http.post('/v1/chat/completions', {
      model: this.spec.model,
      messages: [{ role: 'user', content: withoutTrailingWhitespace(request.context) }],
      max_tokens: 1,
      temperature: 0,
      logprobs: true,
      top_logprobs: this.spec.topLogprobs,
    })) as ChatAnswer;
    const choice = answer?.choices?.[0];
    if (!choice) throw brokenBackend(this.endpoint, 'the answer has no choices');
    const top = choice.logprobs?.content?.[0]?.top_logprobs;
    if (!Array.isArray(top)) {
      throw brokenBackend(
        this.endpoint,
        'the answer has no choices[0].logprobs.content[0].top_logprobs (does this model give log-probs?)',
      );
    }
    return { ok: true, result: { kind: 'nextToken', logprobs: matchCandidates(request.candidates, top) } };
  }

  checkSymbols(uses: SymbolUse[]): Promise<void> {
    return refuseUnreadableSymbols(serverPieces(this.http, this.spec.model), uses, 'openai-chat', this.where);
  }

  async close(): Promise<void> {}
}

/** A chat template by the format it writes (ChatML, Llama 2), and by its hash so two variants never share a name. */
function chatTemplateName(source: string): string {
  const hash = createHash('sha256').update(source).digest('hex').slice(0, 12);
  const format = source.includes('<|im_start|>')
    ? 'chatml'
    : source.includes('[INST]')
      ? 'llama-2'
      : source.includes('<|start_header_id|>')
        ? 'llama-3'
        : 'sha256';
  return `${format}:${hash}`;
}
