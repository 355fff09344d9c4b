import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two levels above this file in both src/ and dist/src/). */
export const repoRoot = path
  .resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
  .replace(/[\\/]dist$/, '');

/** The shared data folder: $GOODHART_SHARED, else ../shared beside the repository. */
export function sharedDir(): string {
  return process.env.GOODHART_SHARED
    ? path.resolve(process.env.GOODHART_SHARED)
    : path.resolve(repoRoot, '..', 'shared');
}

const SHARED_VARIABLE = '${GOODHART_SHARED}';

/** A path the study file names (a benchmark, model or tokenizer file): `${GOODHART_SHARED}` expanded, resolved against baseDir. */
export function resolveStudyPath(p: string, baseDir: string): string {
  return path.resolve(baseDir, p.split(SHARED_VARIABLE).join(sharedDir()));
}
