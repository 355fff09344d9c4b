import { defineBackend } from './backend.js';
import { LLAMA_SERVER_CAPABILITIES, LlamaServerModel } from './llama-server.js';
import { localTokenizer } from './model-files.js';
import { httpClientFor } from './remote.js';
import { llamaServerOptions } from './remote-specs.js';

export const llamaServerBackend = defineBackend({
  name: 'llama-server',
  schema: llamaServerOptions,
  capabilities: LLAMA_SERVER_CAPABILITIES,
  create: async (spec, ctx) =>
    LlamaServerModel.connect(
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
