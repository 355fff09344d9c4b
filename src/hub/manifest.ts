import fs from 'node:fs';
import path from 'node:path';
import type { DataFile } from './layout.js';
import type { FileDigest } from './download.js';

/**
 * What goodhart knows about one cached dataset revision, kept beside its files as
 * `.goodhart.json`: each downloaded file's verified size and digests, and which files make up
 * each config/split (so an offline run reads exactly what the online run chose). A folder seeded
 * from local files records where it came from and is then used as it is, online or not.
 */
export interface CacheManifest {
  dataset: string;
  revision: string;
  /** Absolute folder (or file) this cache entry was copied from by `goodhart cache add-dataset`. */
  seededFrom?: string;
  files: Record<string, FileDigest>;
  /** `<config>/<split>` → the files that hold it. */
  selections: Record<string, DataFile[]>;
}

export const MANIFEST_NAME = '.goodhart.json';

export const selectionKey = (config: string | undefined, split: string) => `${config ?? 'default'}/${split}`;

export function readManifest(dir: string): CacheManifest | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_NAME), 'utf8')) as CacheManifest;
    return { ...parsed, files: parsed.files ?? {}, selections: parsed.selections ?? {} };
  } catch {
    return undefined;
  }
}

/** Written whole (temp file + rename) so an interrupted run never leaves half a manifest. */
export function writeManifest(dir: string, manifest: CacheManifest): void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, MANIFEST_NAME);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(manifest, null, 2) + '\n');
  fs.renameSync(tmp, file);
}

/** Every file under `dir` as a `/`-separated relative path, skipping goodhart's own and partial files. */
export function listLocalFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.name === MANIFEST_NAME || entry.name.endsWith('.part') || entry.name.endsWith('.tmp')) continue;
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile() || entry.isSymbolicLink()) out.push(child);
    }
  };
  walk('');
  return out.sort();
}
