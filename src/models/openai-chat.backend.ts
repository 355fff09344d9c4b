import { z } from 'zod';
import { defineBackend, type BackendSpec } from './backend.js';
import { OPENAI_CHAT_CAPABILITIES, OpenaiChatModel } from './openai-chat.js';
import { httpClientFor } from './remote.js';
import { modelName, remoteOptions } from './remote-specs.js';

/** OpenAI-compatible `/v1/chat/completions`: the top-k log-probs of the first answer token (symbol scoring only). */
const options = z.object({
  ...remoteOptions,
  model: modelName,
  topLogprobs: z.number().int().min(1).max(20).default(20),
});
export type OpenaiChatSpec = BackendSpec<'openai-chat', typeof options.shape>;

export const openaiChatBackend = defineBackend({
  name: 'openai-chat',
  schema: options,
  capabilities: OPENAI_CHAT_CAPABILITIES,
  create: (spec, ctx) => OpenaiChatModel.connect({ spec, http: httpClientFor(spec, ctx.where), where: `${ctx.where} (${spec.name})`, lenient: ctx.lenient, warn: ctx.warn }),
});
