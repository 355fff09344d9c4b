/**
 * A model of the study file, by backend. Built from the backend registry (models/backend.ts) and
 * kept beside the backends (not in study/), so the model registry reads the specs without
 * depending on the study layer above it.
 */
import { z } from 'zod';
import { backendRegistry, type ModelSpec } from './backend.js';
import './backends.js';

export type { ModelSpec } from './backend.js';

/** Backends by name: their entries form the discriminated union, in registration order. */
function buildModelSpecSchema(): z.ZodType<ModelSpec> {
  const backends = backendRegistry.all();
  const names = backends.map((b) => b.name).join(', ');
  return z.discriminatedUnion('backend', backends.map((b) => b.entrySchema) as [z.ZodObject, ...z.ZodObject[]], {
    error: (issue) => (issue.code === 'invalid_union' ? `backend must be one of: ${names}` : undefined),
  }) as unknown as z.ZodType<ModelSpec>;
}

/** A model of the panel, by `backend` (default gguf); each backend's options are in its models/*.backend.ts. Rebuilt when a backend is registered later. */
export let modelSpecSchema = buildModelSpecSchema();
backendRegistry.onChange(() => {
  modelSpecSchema = buildModelSpecSchema();
});
