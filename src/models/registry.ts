import fs from 'node:fs';
import type { Capabilities, Item, Model } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { resolveStudyPath } from '../core/paths.js';
import { isHubModelRef, resolveHubModel } from '../hub/models.js';
import type { ModelSpec } from './spec.js';
import { GgufModel } from './gguf.js';
import { cachedFileHash, type FileHashCache } from './hash.js';
import { LLAMA_SERVER_CAPABILITIES, LlamaServerModel } from './llama-server.js';
import { OLLAMA_CAPABILITIES, OllamaModel } from './ollama.js';
import { OPENAI_CHAT_CAPABILITIES, OpenaiChatModel } from './openai-chat.js';
import { OPENAI_COMPLETIONS_CAPABILITIES, OpenaiCompletionsModel } from './openai-completions.js';
import { httpClientFor } from './remote.js';
import { SIM_CAPABILITIES, SimModel } from './sim.js';
import { ggufVocabulary, type LocalTokenizer } from './remote-tokenizer.js';
import { TGI_CAPABILITIES, TgiModel } from './tgi.js';

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

/** What each backend can compute, known from the study file alone (so a study is checked before any request). */
const CAPABILITIES: Record<ModelSpec['backend'], Capabilities> = {
  gguf: { loglikelihood: true, nextToken: true, generate: true },
  'openai-completions': OPENAI_COMPLETIONS_CAPABILITIES,
  'openai-chat': OPENAI_CHAT_CAPABILITIES,
  'llama-server': LLAMA_SERVER_CAPABILITIES,
  ollama: OLLAMA_CAPABILITIES,
  tgi: TGI_CAPABILITIES,
  sim: SIM_CAPABILITIES,
};

export function backendCapabilities(spec: ModelSpec): Capabilities {
  return CAPABILITIES[spec.backend];
}

/** A local file the study names as a model (or tokenizer): it must exist and be a file. */
export function checkModelFile(file: string, what: string, where: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    throw new UserError(`${what} not found: ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, where);
  }
  if (stat.isDirectory()) throw new UserError(`${what} path is a folder, not a file: ${file}; name the .gguf file inside it`, where);
  if (!stat.isFile()) throw new UserError(`${what} path is not a regular file: ${file}`, where);
}

/** Every local model file of a study, checked before a run creates anything. */
export function checkLocalModelFiles(models: readonly ModelSpec[], baseDir: string, where: (i: number) => string): void {
  models.forEach((m, i) => {
    if (m.backend === 'gguf' && !isHubModelRef(m.path)) checkModelFile(resolveStudyPath(m.path, baseDir), 'model file', `${where(i)}.path`);
  });
}

/** A local GGUF vocabulary used to tokenize for a remote backend; its content hash joins the model identity. */
async function localTokenizer(tokenizer: string | undefined, ctx: ModelContext): Promise<LocalTokenizer | undefined> {
  if (!tokenizer) return undefined;
  const file = resolveStudyPath(tokenizer, ctx.baseDir);
  checkModelFile(file, 'tokenizer file', `${ctx.where}.tokenizer`);
  return { tokens: await ggufVocabulary(file, `${ctx.where}.tokenizer`), id: `gguf:sha256:${await cachedFileHash(file, ctx.fileHashes)}` };
}

export async function createModel(spec: ModelSpec, ctx: ModelContext): Promise<Model> {
  if (spec.backend === 'gguf') {
    const file = isHubModelRef(spec.path)
      ? await resolveHubModel(spec.path, { offline: ctx.offline, where: `${ctx.where}.path` })
      : resolveStudyPath(spec.path, ctx.baseDir);
    checkModelFile(file, 'model file', `${ctx.where}.path`);
    return GgufModel.load({ name: spec.name, path: file, sha256: await cachedFileHash(file, ctx.fileHashes), threads: spec.threads, gpu: spec.gpu, sequences: spec.sequences, precise: spec.precise });
  }
  if (spec.backend === 'sim') return new SimModel(spec, ctx.items ?? [], ctx.where);
  const where = `${ctx.where} (${spec.name})`;
  const http = httpClientFor(spec, ctx.where);
  const checks = { lenient: ctx.lenient, warn: ctx.warn };
  switch (spec.backend) {
    case 'openai-completions':
      return OpenaiCompletionsModel.connect({ spec, http, where, ...checks }, await localTokenizer(spec.tokenizer, ctx));
    case 'openai-chat':
      return OpenaiChatModel.connect({ spec, http, where, ...checks });
    case 'llama-server':
      return LlamaServerModel.connect({ spec, http, where, ...checks }, await localTokenizer(spec.tokenizer, ctx));
    case 'ollama':
      return OllamaModel.connect({ spec, http, where, ...checks });
    case 'tgi':
      return TgiModel.connect({ spec, http, where, ...checks }, await localTokenizer(spec.tokenizer, ctx));
  }
}
