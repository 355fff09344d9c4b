/**
 * How a model backend is declared: a name, the options of its study-file entry, what it can
 * compute, and how it loads or connects. Each backend is one file calling `defineBackend`;
 * models/backends.ts imports the built-in ones, and the study schema is built from this registry.
 */
import { z } from 'zod';
import type { Capabilities, Item, Model } from '../core/types.js';
import { Registry } from '../core/registry.js';
import type { FileHashCache } from './hash.js';

export interface ModelContext {
  baseDir: string;
  /** Content hashes of model files, kept between runs (the result store is one). */
  fileHashes: FileHashCache;
  /** Where in the study file this model is declared (for error messages). */
  where: string;
  /** `hf:` models from the cache only (also $GOODHART_OFFLINE=1). */
  offline?: boolean;
  /** The benchmark's items: a simulated model answers only these questions. */
  items?: readonly Item[];
  /** A server's configuration problems (unlisted model, disagreeing tokenizer) are warnings, not errors. */
  lenient?: boolean;
  warn?: (line: string) => void;
}

/** A model entry of a study file, as every backend has it; the rest is the backend's options. */
export interface ModelSpec {
  name: string;
  backend: string;
  [option: string]: unknown;
}

/** The validated entry of backend N with options S (defaults filled). */
export type BackendSpec<N extends string, S extends z.ZodRawShape> = z.output<z.ZodObject<S>> & {
  name: string;
  backend: N;
};

export interface BackendDefinition {
  name: string;
  /** Its options (beside `name` and `backend`). */
  schema: z.ZodObject;
  /** The whole entry: `name`, `backend`, then the options; strict. */
  entrySchema: z.ZodObject;
  /** What it can compute, known from the study file alone (so a study is checked before any request). */
  capabilities: Capabilities;
  create(spec: ModelSpec, ctx: ModelContext): Promise<Model>;
  checkFiles?(spec: ModelSpec, baseDir: string, where: string): void;
}

export const backendRegistry = new Registry<BackendDefinition>('backend');

/** Backend of an entry that names none. */
export const DEFAULT_BACKEND = 'gguf';

/**
 * Registers a backend and returns it. `schema` is a z.object of the entry's own options; `name`
 * and `backend` are added in front, and unknown keys are errors.
 */
export function defineBackend<const N extends string, S extends z.ZodRawShape>(definition: {
  name: N;
  schema: z.ZodObject<S>;
  capabilities: Capabilities;
  /** Loads or connects to the model described by the validated entry. */
  create(spec: BackendSpec<N, S>, ctx: ModelContext): Promise<Model> | Model;
  /** Checks the local files the entry names (throws a UserError naming `where` and the key), before a run creates anything. */
  checkFiles?(spec: BackendSpec<N, S>, baseDir: string, where: string): void;
}): BackendDefinition {
  const backend = z.literal(definition.name);
  const entrySchema = z
    .object({
      name: z.string().min(1),
      backend: definition.name === DEFAULT_BACKEND ? backend.default(definition.name) : backend,
      ...definition.schema.shape,
    })
    .strict();
  const { create, checkFiles } = definition as unknown as Pick<BackendDefinition, 'create' | 'checkFiles'>;
  return backendRegistry.add({
    name: definition.name,
    schema: definition.schema,
    entrySchema: entrySchema as unknown as z.ZodObject,
    capabilities: definition.capabilities,
    create: async (spec, ctx) => create(spec, ctx),
    ...(checkFiles ? { checkFiles } : {}),
  });
}
