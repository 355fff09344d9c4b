import { z } from 'zod';
import { defineBackend, type BackendSpec } from './backend.js';
import { localTokenizer } from './model-files.js';
import { httpClientFor } from './remote.js';
import { modelName, remoteOptions, tokenizer } from './remote-specs.js';
import { TGI_CAPABILITIES, TgiModel } from './tgi.js';

/** Hugging Face TGI `/generate` with prefill log-probs (TGI 3 needs `--enable-prefill-logprobs`). */
const options = z.object({
  ...remoteOptions,
  /** TGI serves one model; the name is only recorded. */
  model: modelName.optional(),
  tokenizer,
});
export type TgiSpec = BackendSpec<'tgi', typeof options.shape>;

export const tgiBackend = defineBackend({
  name: 'tgi',
  schema: options,
  capabilities: TGI_CAPABILITIES,
  create: async (spec, ctx) =>
    TgiModel.connect({ spec, http: httpClientFor(spec, ctx.where), where: `${ctx.where} (${spec.name})`, lenient: ctx.lenient, warn: ctx.warn }, await localTokenizer(spec.tokenizer, ctx)),
});
