import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { digestFile, downloadFile, mismatch } from './download.js';
import { HubUnreachableError } from './http.js';
import { globFiles, selectDataFiles, type DataFile } from './layout.js';
import { listLocalFiles, readManifest, selectionKey, writeManifest, type CacheManifest } from './manifest.js';
import { datasetCacheDir, formatRef, type DatasetRef } from './refs.js';
import { listRepoFiles, parquetShardUrls, resolveUrl, type RepoFile } from './repo.js';
import { cacheRoot } from './settings.js';

/** The files one benchmark needs: a split of one or more configs (`undefined` = the default config). */
export interface DatasetWant {
  configs: (string | undefined)[];
  split: string;
  /** A missing optional split (e.g. the few-shot pool) is left out instead of failing. */
  required: boolean;
}

export interface EnsureOptions {
  offline: boolean;
  /** Globs that replace the layout conventions (see layout.ts). */
  files?: string[];
  log?: (line: string) => void;
}

export interface CachedDataset {
  ref: DatasetRef;
  dir: string;
  manifest?: CacheManifest;
}

const SEED_HINT = (ref: DatasetRef) => `goodhart cache add-dataset ${formatRef(ref)} <folder>`;

/** The files of a config's split in a cached (or seeded) dataset: as recorded when downloaded, else by layout. */
export function cachedFilesFor(
  cached: CachedDataset,
  config: string | undefined,
  split: string,
  globs?: string[],
): DataFile[] {
  const recorded = cached.manifest?.selections[selectionKey(config, split)];
  if (recorded) return recorded;
  const local = listLocalFiles(cached.dir);
  return globs ? globFiles(local, globs, config ?? 'default', split) : selectDataFiles(local, config, split);
}

function describeRepo(files: RepoFile[]): string {
  const folders = [
    ...new Set(
      files
        .map((f) => f.path.split('/'))
        .filter((p) => p.length > 1)
        .map((p) => p[0]),
    ),
  ].slice(0, 20);
  const data = files
    .map((f) => f.path)
    .filter((p) => /\.(parquet|jsonl|json|csv)$/i.test(p))
    .slice(0, 8);
  return `folders: ${folders.join(', ') || '(none)'}; data files: ${data.join(', ') || '(none)'}`;
}

/** Reuse a cached file only when it is the one the Hub lists now (size and checksum). */
async function isCurrent(
  local: string,
  recorded: CacheManifest['files'][string] | undefined,
  remote: RepoFile | undefined,
): Promise<boolean> {
  if (!fs.existsSync(local)) return false;
  if (!remote) return recorded !== undefined;
  const expected = { size: remote.size, sha256: remote.sha256, gitOid: remote.gitOid };
  return mismatch(recorded ?? (await digestFile(local)), expected) === null;
}

async function selectRemote(
  ref: DatasetRef,
  listing: RepoFile[],
  want: DatasetWant,
  config: string | undefined,
  opts: EnsureOptions,
): Promise<(DataFile & { url: string })[]> {
  const paths = listing.map((f) => f.path);
  const chosen = opts.files
    ? globFiles(paths, opts.files, config ?? 'default', want.split)
    : selectDataFiles(paths, config, want.split);
  if (chosen.length > 0) return chosen.map((f) => ({ ...f, url: resolveUrl(ref, f.path) }));
  if (config === '*' || opts.files) return [];
  // Datasets kept as a loading script still have the Hub's own Parquet conversion.
  const shards = await parquetShardUrls(ref, config ?? 'default', want.split);
  return shards.map((url, k) => ({
    path: `${config ?? 'default'}/${want.split}/${path.posix.basename(new URL(url).pathname) || `${k}.parquet`}`,
    config: config ?? 'default',
    url,
  }));
}

/**
 * Make the wanted splits available in the cache and say where they are. Online: list the
 * repository (one API call), download what is missing or changed (resumable, checked), and
 * record the choice. Offline: the cache only, with an error naming what is missing and where.
 */
export async function ensureDataset(
  ref: DatasetRef,
  wants: DatasetWant[],
  opts: EnsureOptions,
): Promise<CachedDataset> {
  const dir = datasetCacheDir(ref);
  const manifest = readManifest(dir);
  const cached: CachedDataset = { ref, dir, manifest };
  if (manifest?.seededFrom) return cached;
  if (opts.offline) {
    if (!fs.existsSync(dir)) {
      throw new UserError(
        `offline, and ${formatRef(ref)} is not in the cache (looked in ${dir}). Seed it with \`${SEED_HINT(ref)}\`, run once online, or give a local folder as benchmark.path`,
        'benchmark',
      );
    }
    return cached;
  }
  let listing: RepoFile[];
  try {
    listing = await listRepoFiles(ref);
  } catch (err) {
    const complete =
      manifest &&
      wants.every((w) => w.configs.every((c) => manifest.selections[selectionKey(c, w.split)] || !w.required));
    if (err instanceof HubUnreachableError && complete) {
      opts.log?.(`${err.message}\nusing the cached copy of ${formatRef(ref)} in ${dir}`);
      return cached;
    }
    throw err;
  }
  const remote = new Map(listing.map((f) => [f.path, f]));
  const next: CacheManifest = manifest ?? {
    dataset: formatRef(ref),
    revision: ref.revision,
    files: {},
    selections: {},
  };
  for (const want of wants) {
    for (const config of want.configs) {
      const chosen = await selectRemote(ref, listing, want, config, opts);
      if (chosen.length === 0) {
        if (!want.required) continue;
        throw new UserError(
          `no data files for config ${JSON.stringify(config ?? 'default')}, split ${JSON.stringify(want.split)} (${describeRepo(listing)})`,
          formatRef(ref),
        );
      }
      for (const file of chosen) {
        const local = path.join(dir, ...file.path.split('/'));
        const listed = remote.get(file.path);
        if (await isCurrent(local, next.files[file.path], listed)) continue;
        const what = `${formatRef(ref)} ${file.path}`;
        opts.log?.(`downloading ${what}${listed ? ` (${(listed.size / 1e6).toFixed(1)} MB)` : ''}`);
        const expected = listed ? { size: listed.size, sha256: listed.sha256, gitOid: listed.gitOid } : undefined;
        next.files[file.path] = await downloadFile(file.url, local, { expected, what, log: opts.log });
        writeManifest(dir, next);
      }
      next.selections[selectionKey(config, want.split)] = chosen.map(({ path: p, config: c }) => ({
        path: p,
        config: c,
      }));
    }
  }
  writeManifest(dir, next);
  return { ref, dir, manifest: next };
}

/** Copy files without their modes: shared data is read-only, and the cache must stay removable. */
function copyTree(from: string, to: string): { files: number; bytes: number } {
  const st = fs.statSync(from);
  if (st.isFile()) {
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, fs.readFileSync(from));
    return { files: 1, bytes: st.size };
  }
  fs.mkdirSync(to, { recursive: true });
  let files = 0;
  let bytes = 0;
  for (const entry of fs.readdirSync(from)) {
    const got = copyTree(path.join(from, entry), path.join(to, entry));
    files += got.files;
    bytes += got.bytes;
  }
  return { files, bytes };
}

/**
 * Seed the cache with local files standing for a dataset reference: a copy of a Hub snapshot, or
 * a benchmark's own format that its recipe reads (e.g. the MMLU CSV folder for cais/mmlu).
 */
export function seedDataset(
  ref: DatasetRef,
  source: string,
  opts: { force?: boolean } = {},
): { dir: string; files: number; bytes: number } {
  const from = path.resolve(source);
  if (!fs.existsSync(from)) throw new UserError('not found', from);
  const dir = datasetCacheDir(ref);
  if (fs.existsSync(dir)) {
    if (!opts.force)
      throw new UserError(`${formatRef(ref)} is already in the cache at ${dir}; add --force to replace it`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const target = fs.statSync(from).isFile() ? path.join(dir, path.basename(from)) : dir;
  const copied = copyTree(from, target);
  writeManifest(dir, { dataset: formatRef(ref), revision: ref.revision, seededFrom: from, files: {}, selections: {} });
  return { dir, ...copied };
}

/** Every dataset revision in the cache, with its manifest. */
export function listCachedDatasets(): { ref: string; dir: string; seededFrom?: string; files: number }[] {
  const root = path.join(cacheRoot(), 'datasets');
  const out: { ref: string; dir: string; seededFrom?: string; files: number }[] = [];
  const dirs = (p: string) =>
    fs.existsSync(p)
      ? fs
          .readdirSync(p, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .map((e) => e.name)
          .sort()
      : [];
  for (const owner of dirs(root)) {
    for (const name of dirs(path.join(root, owner))) {
      for (const rev of dirs(path.join(root, owner, name))) {
        const dir = path.join(root, owner, name, rev);
        const manifest = readManifest(dir);
        const revision = manifest?.revision ?? rev.replaceAll('--', '/');
        out.push({
          ref: formatRef({ owner, name, revision }),
          dir,
          seededFrom: manifest?.seededFrom,
          files: listLocalFiles(dir).length,
        });
      }
    }
  }
  return out;
}
