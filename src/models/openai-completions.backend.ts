import { z } from 'zod';
import { defineBackend, type BackendSpec } from './backend.js';
import { localTokenizer } from './model-files.js';
import { OPENAI_COMPLETIONS_CAPABILITIES, OpenaiCompletionsModel } from './openai-completions.js';
import { httpClientFor } from './remote.js';
import { modelName, remoteOptions, tokenizer } from './remote-specs.js';

/** vLLM / SGLang `/v1/completions` with echoed prompt log-probs: log-likelihoods and next-token scores. */
const options = z.object({
  ...remoteOptions,
  model: modelName,
  tokenizer,
  /** Prompts sent in one request. */
  batchSize: z.number().int().min(1).max(1024).default(16),
  /** Send max_tokens 1 and drop the generated entry, for servers that refuse max_tokens 0. */
  maxTokensOne: z.boolean().default(false),
});
export type OpenaiCompletionsSpec = BackendSpec<'openai-completions', typeof options.shape>;

export const openaiCompletionsBackend = defineBackend({
  name: 'openai-completions',
  schema: options,
  capabilities: OPENAI_COMPLETIONS_CAPABILITIES,
  create: async (spec, ctx) =>
    OpenaiCompletionsModel.connect({ spec, http: httpClientFor(spec, ctx.where), where: `${ctx.where} (${spec.name})`, lenient: ctx.lenient, warn: ctx.warn }, await localTokenizer(spec.tokenizer, ctx)),
});
