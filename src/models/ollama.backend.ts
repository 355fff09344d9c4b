import { z } from 'zod';
import { defineBackend, type BackendSpec } from './backend.js';
import { OLLAMA_CAPABILITIES, OllamaModel } from './ollama.js';
import { httpClientFor } from './remote.js';
import { modelName, remoteOptions } from './remote-specs.js';

/** Ollama `/api/generate` in raw mode with `logprobs` (Ollama ≥ 0.12.11; symbol scoring only). */
const options = z.object({
  ...remoteOptions,
  model: modelName,
  topLogprobs: z.number().int().min(1).max(20).default(20),
});
export type OllamaSpec = BackendSpec<'ollama', typeof options.shape>;

export const ollamaBackend = defineBackend({
  name: 'ollama',
  schema: options,
  capabilities: OLLAMA_CAPABILITIES,
  create: (spec, ctx) => OllamaModel.connect({ spec, http: httpClientFor(spec, ctx.where), where: `${ctx.where} (${spec.name})`, lenient: ctx.lenient, warn: ctx.warn }),
});
