import { defineBackend } from './backend.js';
import { OLLAMA_CAPABILITIES, OllamaModel } from './ollama.js';
import { httpClientFor } from './remote.js';
import { ollamaOptions } from './remote-specs.js';

export const ollamaBackend = defineBackend({
  name: 'ollama',
  schema: ollamaOptions,
  capabilities: OLLAMA_CAPABILITIES,
  create: (spec, ctx) =>
    OllamaModel.connect({
      spec,
      http: httpClientFor(spec, ctx.where),
      where: `${ctx.where} (${spec.name})`,
      lenient: ctx.lenient,
      warn: ctx.warn,
    }),
});
