import fs from 'node:fs';
import { listCachedDatasets, seedDataset } from './datasets.js';
import { formatRef, modelCacheDir, parseDatasetRef } from './refs.js';
import { cacheRoot } from './settings.js';

/** `goodhart cache add-dataset <ref> <folder>`: a local copy stands for a Hub dataset, online and offline. */
export function cacheAddDatasetCommand(
  ref: string,
  folder: string,
  opts: { revision?: string; force?: boolean },
): number {
  const parsed = parseDatasetRef(ref, opts.revision, 'dataset');
  const { dir, files, bytes } = seedDataset(parsed, folder, { force: opts.force });
  process.stdout.write(
    `${formatRef(parsed)}: copied ${files} files (${(bytes / 1e6).toFixed(1)} MB) from ${folder} into ${dir}\n`,
  );
  return 0;
}

/** `goodhart cache list`: what the cache holds and where. */
export function cacheListCommand(): number {
  const lines = [`cache: ${cacheRoot()} (set GOODHART_CACHE to move it)`];
  const datasets = listCachedDatasets();
  lines.push(datasets.length ? 'datasets:' : 'datasets: none');
  for (const d of datasets)
    lines.push(`  ${d.ref}  ${d.files} files${d.seededFrom ? `, seeded from ${d.seededFrom}` : ''}  ${d.dir}`);
  const models = fs.existsSync(modelCacheDir())
    ? fs
        .readdirSync(modelCacheDir())
        .filter((f) => f.endsWith('.gguf'))
        .sort()
    : [];
  lines.push(models.length ? `models (${modelCacheDir()}):` : 'models: none');
  for (const m of models) lines.push(`  ${m}`);
  process.stdout.write(lines.join('\n') + '\n');
  return 0;
}
