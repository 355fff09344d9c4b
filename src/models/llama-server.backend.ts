import { z } from 'zod';
import { defineBackend, type BackendSpec } from './backend.js';
import { LLAMA_SERVER_CAPABILITIES, LlamaServerModel } from './llama-server.js';
import { localTokenizer } from './model-files.js';
import { httpClientFor } from './remote.js';
import { modelName, remoteOptions, tokenizer } from './remote-specs.js';

/** llama.cpp server `/completion` with token-ID prompts and `n_probs` (symbol scoring only). */
const options = z.object({
  ...remoteOptions,
  /** Only needed when the server hosts several models. */
  model: modelName.optional(),
  tokenizer,
  topLogprobs: z.number().int().min(1).max(100).default(20),
});
export type LlamaServerSpec = BackendSpec<'llama-server', typeof options.shape>;

export const llamaServerBackend = defineBackend({
  name: 'llama-server',
  schema: options,
  capabilities: LLAMA_SERVER_CAPABILITIES,
  create: async (spec, ctx) =>
    LlamaServerModel.connect({ spec, http: httpClientFor(spec, ctx.where), where: `${ctx.where} (${spec.name})`, lenient: ctx.lenient, warn: ctx.warn }, await localTokenizer(spec.tokenizer, ctx)),
});
