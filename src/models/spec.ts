/**
 * A model of the study file, by backend. Defined beside the backends (not in study/) so that the
 * model registry reads the specs without depending on the study layer above it.
 */
import { z } from 'zod';
import { remoteModelSchemas } from './remote-specs.js';
import { simModelSchema } from '../sim/spec.js';

/** A local GGUF file, evaluated in-process by node-llama-cpp. */
export const ggufModelSchema = z
  .object({
    name: z.string().min(1),
    backend: z.literal('gguf').default('gguf'),
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
  })
  .strict();

const BACKENDS = ['gguf', ...remoteModelSchemas.map((s) => s.shape.backend.value), 'sim'].join(', ');

/** A model of the panel, by `backend` (default gguf); remote backends are defined in models/remote-specs.ts, the simulator in sim/spec.ts. */
export const modelSpecSchema = z.discriminatedUnion('backend', [ggufModelSchema, ...remoteModelSchemas, simModelSchema], {
  error: (issue) => (issue.code === 'invalid_union' ? `backend must be one of: ${BACKENDS}` : undefined),
});

export type ModelSpec = z.infer<typeof modelSpecSchema>;
