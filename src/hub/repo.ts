import { UserError } from '../core/errors.js';
import { hubJson, nextPage } from './http.js';
import { formatRef, type DatasetRef } from './refs.js';
import { hubEndpoint } from './settings.js';

/** One file of a repository as the Hub lists it. */
export interface RepoFile {
  path: string;
  size: number;
  /** For LFS files: the sha256 of the content. */
  sha256?: string;
  /** For other files: the git blob id of the content. */
  gitOid?: string;
}

const repoBase = (ref: DatasetRef) =>
  `${hubEndpoint()}/api/datasets/${encodeURIComponent(ref.owner)}/${encodeURIComponent(ref.name)}`;
const encodePath = (p: string) => p.split('/').map(encodeURIComponent).join('/');

/** `/datasets/<owner>/<name>/resolve/<revision>/<path>`: the file itself (usually a redirect to a CDN). */
export function resolveUrl(ref: DatasetRef, file: string): string {
  return `${hubEndpoint()}/datasets/${encodeURIComponent(ref.owner)}/${encodeURIComponent(ref.name)}/resolve/${encodeURIComponent(ref.revision)}/${encodePath(file)}`;
}

interface TreeEntry {
  type?: string;
  path?: unknown;
  size?: unknown;
  oid?: unknown;
  lfs?: { oid?: unknown; size?: unknown } | null;
}

/** Every file of the repository at its revision (`GET /api/datasets/<repo>/tree/<revision>?recursive=true`, paginated). */
export async function listRepoFiles(ref: DatasetRef): Promise<RepoFile[]> {
  const files: RepoFile[] = [];
  let url: string | undefined = `${repoBase(ref)}/tree/${encodeURIComponent(ref.revision)}?recursive=true&expand=false`;
  for (let page = 0; url && page < 1000; page++) {
    const { body, response } = await hubJson(url, formatRef(ref));
    if (!Array.isArray(body))
      throw new UserError('the Hub listed no files (unexpected answer from the tree API)', formatRef(ref));
    for (const entry of body as TreeEntry[]) {
      if (entry.type !== 'file' || typeof entry.path !== 'string') continue;
      const lfs = entry.lfs ?? undefined;
      const size = typeof lfs?.size === 'number' ? lfs.size : typeof entry.size === 'number' ? entry.size : undefined;
      if (size === undefined) continue;
      files.push({
        path: entry.path,
        size,
        ...(typeof lfs?.oid === 'string'
          ? { sha256: lfs.oid }
          : typeof entry.oid === 'string'
            ? { gitOid: entry.oid }
            : {}),
      });
    }
    url = nextPage(response, url);
  }
  return files;
}

/**
 * The Hub's Parquet conversion of a config's split (`GET /api/datasets/<repo>/parquet/<config>/<split>`):
 * URLs of its shards, for datasets whose own files are not data files (loading scripts). Empty when none.
 */
export async function parquetShardUrls(ref: DatasetRef, config: string, split: string): Promise<string[]> {
  const url = `${repoBase(ref)}/parquet/${encodeURIComponent(config)}/${encodeURIComponent(split)}`;
  try {
    const { body } = await hubJson(url, `${formatRef(ref)} (Parquet conversion of ${config}/${split})`);
    return Array.isArray(body) ? body.filter((u): u is string => typeof u === 'string') : [];
  } catch (err) {
    if (err instanceof UserError && /not found/.test(err.message)) return [];
    throw err;
  }
}
