import { createHash } from 'node:crypto';
import { z } from 'zod';
import { createModel, defineBackend } from '../../src/registry.js';

/**
 * A local GGUF model that reads every prompt after a fixed instruction, as a base model run
 * behind a system prompt. The instruction's hash joins the model's identity, so its results are
 * stored apart from the plain model's.
 */
export const ggufInstructedBackend = defineBackend({
  name: 'gguf-instructed',
  schema: z.object({
    /** The .gguf file, as for backend gguf (relative to the study file). */
    path: z.string().min(1),
    /** Text put before every prompt. */
    instruction: z.string().min(1).max(2000),
  }),
  capabilities: { loglikelihood: true, nextToken: true, generate: true },
  async create(spec, ctx) {
    const inner = await createModel({ name: spec.name, backend: 'gguf', path: spec.path, gpu: 'auto' }, ctx);
    const hash = createHash('sha256').update(spec.instruction).digest('hex').slice(0, 16);
    return {
      identity: {
        ...inner.identity,
        id: `${inner.identity.id}+instruction:${hash}`,
        backend: 'gguf-instructed',
        details: { ...inner.identity.details, instruction: spec.instruction },
      },
      capabilities: inner.capabilities,
      evaluate: (requests, onResult) =>
        inner.evaluate(
          requests.map((r) => ({ ...r, context: spec.instruction + r.context })),
          onResult,
        ),
      close: () => inner.close(),
    };
  },
});
