import { defineBackend } from './backend.js';
import { localTokenizer } from './model-files.js';
import { OPENAI_COMPLETIONS_CAPABILITIES, OpenaiCompletionsModel } from './openai-completions.js';
import { httpClientFor } from './remote.js';
import { openaiCompletionsOptions } from './remote-specs.js';

export const openaiCompletionsBackend = defineBackend({
  name: 'openai-completions',
  schema: openaiCompletionsOptions,
  capabilities: OPENAI_COMPLETIONS_CAPABILITIES,
  create: async (spec, ctx) =>
    OpenaiCompletionsModel.connect(
      {
        spec,
        http: httpClientFor(spec, ctx.where),
        where: `${ctx.where} (${spec.name})`,
        lenient: ctx.lenient,
        warn: ctx.warn,
      },
      await localTokenizer(spec.tokenizer, ctx),
    ),
});
