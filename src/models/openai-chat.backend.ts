import { defineBackend } from './backend.js';
import { OPENAI_CHAT_CAPABILITIES, OpenaiChatModel } from './openai-chat.js';
import { httpClientFor } from './remote.js';
import { openaiChatOptions } from './remote-specs.js';

export const openaiChatBackend = defineBackend({
  name: 'openai-chat',
  schema: openaiChatOptions,
  capabilities: OPENAI_CHAT_CAPABILITIES,
  create: (spec, ctx) =>
    OpenaiChatModel.connect({
      spec,
      http: httpClientFor(spec, ctx.where),
      where: `${ctx.where} (${spec.name})`,
      lenient: ctx.lenient,
      warn: ctx.warn,
    }),
});
