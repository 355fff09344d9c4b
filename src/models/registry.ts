import fs from 'node:fs';
import type { Model } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { resolveBenchmarkPath } from '../benchmarks/load.js';
import type { ResultStore } from '../store/store.js';
import type { ModelSpec } from '../study/schema.js';
import { GgufModel } from './gguf.js';
import { sha256File } from './hash.js';

export interface ModelContext {
  baseDir: string;
  store: ResultStore;
  /** Where in the study file this model is declared (for error messages). */
  where: string;
}

/** A GGUF file's identity is its content hash, cached by (path, size, mtime) so big files hash once. */
async function contentHash(file: string, store: ResultStore): Promise<string> {
  const stat = fs.statSync(file);
  const cached = store.fileHash(file, stat.size, stat.mtimeMs);
  if (cached) return cached;
  const sha = await sha256File(file);
  store.setFileHash(file, stat.size, stat.mtimeMs, sha);
  return sha;
}

export async function createModel(spec: ModelSpec, ctx: ModelContext): Promise<Model> {
  switch (spec.backend) {
    case 'gguf': {
      const file = resolveBenchmarkPath(spec.path, ctx.baseDir);
      if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UserError(`model file not found: ${file}`, `${ctx.where}.path`);
      return GgufModel.load({ name: spec.name, path: file, sha256: await contentHash(file, ctx.store), threads: spec.threads, gpu: spec.gpu, sequences: spec.sequences });
    }
  }
}
