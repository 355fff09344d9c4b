import { defineBackend } from './backend.js';
import { localTokenizer } from './model-files.js';
import { httpClientFor } from './remote.js';
import { tgiOptions } from './remote-specs.js';
import { TGI_CAPABILITIES, TgiModel } from './tgi.js';

export const tgiBackend = defineBackend({
  name: 'tgi',
  schema: tgiOptions,
  capabilities: TGI_CAPABILITIES,
  create: async (spec, ctx) =>
    TgiModel.connect(
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
