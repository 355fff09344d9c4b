import { z } from 'zod';
import { resolveStudyPath } from '../core/paths.js';
import { isHubModelRef, resolveHubModel } from '../hub/models.js';
import { defineBackend } from './backend.js';
import { GgufModel } from './gguf.js';
import { cachedFileHash } from './hash.js';
import { checkModelFile } from './model-files.js';

/** A local GGUF file, evaluated in-process by node-llama-cpp (the default backend). */
export const ggufBackend = defineBackend({
  name: 'gguf',
  schema: z.object({
    /** Path to the .gguf file (relative to the study file; `${GOODHART_SHARED}` expands), or a Hub model: `hf:<owner>/<repo>/<file>.gguf`, `hf:<owner>/<repo>:<quant>`. */
    path: z.string().min(1),
    /** Evaluation threads; default: the cores other processes leave free, measured at load (see README). */
    threads: z.number().int().positive().optional(),
    gpu: z.union([z.literal('auto'), z.literal(false)]).default('auto'),
    /** Sequences evaluated side by side in one context (helps on GPUs; 1 is fastest on a small CPU). */
    sequences: z.number().int().positive().max(64).optional(),
    /**
     * F32 attention cache, no flash attention: scores no longer depend (beyond ~1e-5 nats) on
     * which prefixes were evaluated before, so a resumed run matches an uninterrupted one that
     * closely. Slower on long contexts; results are stored apart from the default's.
     */
    precise: z.boolean().optional(),
  }),
  capabilities: { loglikelihood: true, nextToken: true, generate: true },
  async create(spec, ctx) {
    const file = isHubModelRef(spec.path)
      ? await resolveHubModel(spec.path, { offline: ctx.offline, where: `${ctx.where}.path` })
      : resolveStudyPath(spec.path, ctx.baseDir);
    checkModelFile(file, 'model file', `${ctx.where}.path`);
    return GgufModel.load({
      name: spec.name,
      path: file,
      sha256: await cachedFileHash(file, ctx.fileHashes),
      threads: spec.threads,
      gpu: spec.gpu,
      sequences: spec.sequences,
      precise: spec.precise,
    });
  },
  checkFiles(spec, baseDir, where) {
    if (!isHubModelRef(spec.path)) checkModelFile(resolveStudyPath(spec.path, baseDir), 'model file', `${where}.path`);
  },
});
