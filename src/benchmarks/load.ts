import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Item } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { resolveStudyPath } from '../core/paths.js';
import { benchmarkFormatRegistry } from './format.js';
import { BadRows, type SkippedRow } from './rows.js';
import { sampleItems } from './sample.js';
import { type BenchmarkSpec, type LimitSpec, parseBenchmarkSpec } from './spec.js';

export type { SkippedRow } from './rows.js';

export interface LoadedBenchmark {
  /** After sampling, in file order. */
  items: Item[];
  /** Few-shot candidates by subject ('' when items have none); MMLU: each subject's fewshotSplit file, in file order. */
  fewshotPool: Map<string, Item[]>;
  /** Rows left out under `onBadRow: skip`. */
  skipped: SkippedRow[];
  /** Absolute paths of every file read. */
  files: string[];
  /** Where the items came from: each file's content hash and size, and a seeded cache entry's origin. */
  provenance: Provenance;
  /** One line for logs and reports. */
  description: string;
}

export interface FileDigest {
  path: string;
  sha256: string;
  bytes: number;
}

export interface Provenance {
  files: FileDigest[];
  seededFrom?: { dataset: string; folder: string };
}

/** sha256 and size of each file, read in chunks (a benchmark folder may hold hundreds of files). */
export function digestFiles(files: readonly string[]): FileDigest[] {
  return files.map((file) => {
    const hash = createHash('sha256');
    const fd = fs.openSync(file, 'r');
    const buffer = Buffer.alloc(1 << 20);
    let bytes = 0;
    try {
      for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0; bytes += n)
        hash.update(buffer.subarray(0, n));
    } finally {
      fs.closeSync(fd);
    }
    return { path: file, sha256: hash.digest('hex'), bytes };
  });
}

export interface LoadOptions {
  /** Folder that relative paths resolve against (usually the study file's folder). */
  baseDir: string;
  /** Hub datasets from the cache only (also $GOODHART_OFFLINE=1). */
  offline?: boolean;
  /** Download progress of Hub datasets (default: stderr). */
  log?: (line: string) => void;
}

function describeLimit(limit: LimitSpec | undefined, before: number, after: number): string {
  if (!limit || after === before) return `${after} items`;
  const parts = [
    limit.perSubject !== undefined ? `perSubject ${limit.perSubject}` : '',
    limit.total !== undefined ? `total ${limit.total}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${after} of ${before} items (${parts}, seed ${limit.seed})`;
}

/**
 * Load, validate and sample a benchmark. Relative paths resolve against `opts.baseDir`.
 * Every problem with the input is a UserError naming file:line (or the spec key).
 */
export async function loadBenchmark(given: BenchmarkSpec, opts: LoadOptions): Promise<LoadedBenchmark> {
  // Re-validating is cheap and fills defaults when a caller built the spec by hand.
  const spec = parseBenchmarkSpec(given);
  const bad = new BadRows(spec.onBadRow);
  const format = benchmarkFormatRegistry.require(spec.format ?? 'hf', 'benchmark.format');
  const loaded = await format.load(spec, { ...opts, resolvePath: (p) => resolveStudyPath(p, opts.baseDir), bad });
  if (loaded.items.length === 0) {
    throw new UserError(`no usable items (${bad.skipped.length} bad row(s) skipped)`, loaded.files[0] ?? 'benchmark');
  }
  const items = sampleItems(loaded.items, spec.limit);
  const skippedNote = bad.skipped.length > 0 ? `, ${bad.skipped.length} bad row(s) skipped` : '';
  const files = [...new Set(loaded.files)];
  return {
    items,
    fewshotPool: loaded.fewshotPool,
    skipped: bad.skipped,
    files,
    provenance: { files: digestFiles(files), ...(loaded.seededFrom ? { seededFrom: loaded.seededFrom } : {}) },
    description: `${loaded.description}: ${describeLimit(spec.limit, loaded.items.length, items.length)}${skippedNote}`,
  };
}
