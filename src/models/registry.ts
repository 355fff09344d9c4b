import type { Capabilities, Model } from '../core/types.js';
import { backendRegistry, type ModelContext, type ModelSpec } from './backend.js';
import './backends.js';

export type { ModelContext } from './backend.js';

export function backendCapabilities(spec: ModelSpec): Capabilities {
  return backendRegistry.require(spec.backend).capabilities;
}

/** Every local model file of a study, checked before a run creates anything. */
export function checkLocalModelFiles(
  models: readonly ModelSpec[],
  baseDir: string,
  where: (i: number) => string,
): void {
  models.forEach((m, i) => backendRegistry.require(m.backend, where(i)).checkFiles?.(m, baseDir, where(i)));
}

export async function createModel(spec: ModelSpec, ctx: ModelContext): Promise<Model> {
  return backendRegistry.require(spec.backend, ctx.where).create(spec, ctx);
}
