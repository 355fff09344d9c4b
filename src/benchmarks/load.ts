import path from 'node:path';
import type { Item } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { sharedDir } from '../core/paths.js';
import { loadGauntlet } from './gauntlet.js';
import { loadHf } from './hub.js';
import { loadMmlu } from './mmlu.js';
import { BadRows, FormatLoad, SkippedRow } from './rows.js';
import { sampleItems } from './sample.js';
import { type BenchmarkSpec, isHfSpec, type LimitSpec, parseBenchmarkSpec } from './spec.js';
import { loadTable } from './table.js';

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
  /** One line for logs and reports. */
  description: string;
}

export interface LoadOptions {
  /** Folder that relative paths resolve against (usually the study file's folder). */
  baseDir: string;
  /** Hub datasets from the cache only (also $GOODHART_OFFLINE=1). */
  offline?: boolean;
  /** Download progress of Hub datasets (default: stderr). */
  log?: (line: string) => void;
}

const SHARED_VARIABLE = '${GOODHART_SHARED}';

/** Expand `${GOODHART_SHARED}` and resolve against baseDir. */
export function resolveBenchmarkPath(p: string, baseDir: string): string {
  return path.resolve(baseDir, p.split(SHARED_VARIABLE).join(sharedDir()));
}

function describeLimit(limit: LimitSpec | undefined, before: number, after: number): string {
  if (!limit || after === before) return `${after} items`;
  const parts = [limit.perSubject !== undefined ? `perSubject ${limit.perSubject}` : '', limit.total !== undefined ? `total ${limit.total}` : '']
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
  let loaded: FormatLoad;
  if (isHfSpec(spec)) {
    loaded = await loadHf(spec, { ...opts, resolvePath: resolveBenchmarkPath }, bad);
  } else {
    const file = resolveBenchmarkPath(spec.path, opts.baseDir);
    switch (spec.format) {
      case 'mmlu':
        loaded = await loadMmlu(spec, file, bad);
        break;
      case 'gauntlet':
        loaded = await loadGauntlet(spec, file, bad);
        break;
      case 'jsonl':
      case 'csv': {
        const fewshot = spec.fewshotPath === undefined ? undefined : resolveBenchmarkPath(spec.fewshotPath, opts.baseDir);
        loaded = await loadTable(spec, file, fewshot, bad);
        break;
      }
    }
  }
  if (loaded.items.length === 0) {
    throw new UserError(`no usable items (${bad.skipped.length} bad row(s) skipped)`, loaded.files[0] ?? 'benchmark');
  }
  const items = sampleItems(loaded.items, spec.limit);
  const skippedNote = bad.skipped.length > 0 ? `, ${bad.skipped.length} bad row(s) skipped` : '';
  return {
    items,
    fewshotPool: loaded.fewshotPool,
    skipped: bad.skipped,
    files: [...new Set(loaded.files)],
    description: `${loaded.description}: ${describeLimit(spec.limit, loaded.items.length, items.length)}${skippedNote}`,
  };
}
