import path from 'node:path';
import { UserError } from '../core/errors.js';
import { cacheRoot } from './settings.js';

/** A dataset repository on the Hub, at one revision (branch, tag or commit). */
export interface DatasetRef {
  owner: string;
  name: string;
  revision: string;
}

const NAME = /^[\w.-]+$/;

/** `hf://datasets/<owner>/<name>[@<revision>]` or plain `<owner>/<name>`; `revision` (if given) wins over `@`. */
export function parseDatasetRef(text: string, revision?: string, where?: string): DatasetRef {
  const body = text.replace(/^hf:\/\/datasets\//, '');
  const at = body.indexOf('@');
  const repo = at < 0 ? body : body.slice(0, at);
  const given = at < 0 ? undefined : body.slice(at + 1);
  const [owner, name, ...rest] = repo.split('/');
  if (
    !owner ||
    !name ||
    rest.length > 0 ||
    !NAME.test(owner) ||
    !NAME.test(name) ||
    (given !== undefined && given === '')
  ) {
    throw new UserError(
      `not a dataset reference: ${JSON.stringify(text)} (expected hf://datasets/<owner>/<name>, optionally @<revision>)`,
      where,
    );
  }
  const rev = revision ?? given ?? 'main';
  if (!/^[\w./-]+$/.test(rev) || rev.split('/').some((part) => part === '' || part === '.' || part === '..')) {
    throw new UserError(
      `not a revision: ${JSON.stringify(rev)} (a branch, tag or commit such as main or refs/convert/parquet)`,
      where,
    );
  }
  return { owner, name, revision: rev };
}

export function formatRef(ref: DatasetRef): string {
  return `hf://datasets/${ref.owner}/${ref.name}${ref.revision === 'main' ? '' : `@${ref.revision}`}`;
}

/** The cache folder mirroring the repository's files at this revision (`/` in a revision becomes `--`). */
export function datasetCacheDir(ref: DatasetRef): string {
  return path.join(cacheRoot(), 'datasets', ref.owner, ref.name, ref.revision.replaceAll('/', '--'));
}

/** Folder where GGUF models referenced as `hf:` are downloaded. */
export function modelCacheDir(): string {
  return path.join(cacheRoot(), 'models');
}
