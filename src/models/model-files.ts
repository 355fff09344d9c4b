/** Local files a backend reads (model weights, tokenizers): checked before use, identified by content. */
import fs from 'node:fs';
import { UserError } from '../core/errors.js';
import { resolveStudyPath } from '../core/paths.js';
import type { ModelContext } from './backend.js';
import { cachedFileHash } from './hash.js';
import { ggufVocabulary, type LocalTokenizer } from './remote-tokenizer.js';

/** A local file the study names as a model (or tokenizer): it must exist and be a file. */
export function checkModelFile(file: string, what: string, where: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    throw new UserError(
      `${what} not found: ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      where,
    );
  }
  if (stat.isDirectory())
    throw new UserError(`${what} path is a folder, not a file: ${file}; name the .gguf file inside it`, where);
  if (!stat.isFile()) throw new UserError(`${what} path is not a regular file: ${file}`, where);
}

/** A local GGUF vocabulary used to tokenize for a remote backend; its content hash joins the model identity. */
export async function localTokenizer(
  tokenizer: string | undefined,
  ctx: ModelContext,
): Promise<LocalTokenizer | undefined> {
  if (!tokenizer) return undefined;
  const file = resolveStudyPath(tokenizer, ctx.baseDir);
  checkModelFile(file, 'tokenizer file', `${ctx.where}.tokenizer`);
  return {
    tokens: await ggufVocabulary(file, `${ctx.where}.tokenizer`),
    id: `gguf:sha256:${await cachedFileHash(file, ctx.fileHashes)}`,
  };
}
