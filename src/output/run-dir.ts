import fs from 'node:fs';
import path from 'node:path';
import { noSpaceError, UserError } from '../core/errors.js';
import type { CellSummary, ConditionInfo, ItemResult } from '../core/results.js';
import type { ModelIdentity } from '../core/types.js';
import { VERSION } from '../core/version.js';
import type { RequestCounts } from '../engine/run.js';
import type { Provenance } from '../benchmarks/load.js';
import type { GoldPositionCheck } from '../benchmarks/gold-positions.js';
import { checkOutDir } from './paths.js';

export interface RunSummary {
  tool: { name: 'goodhart'; version: string };
  study: string;
  /** The study file as validated, so the run can be re-created (and prompts re-rendered) exactly. */
  spec: unknown;
  studyFile: string;
  seed: number;
  baseline: string;
  benchmark: {
    description: string;
    items: number;
    files: string[];
    skipped: { file: string; line: number; reason: string }[];
    /** Content hashes of the files read (absent in runs made before they were recorded). */
    provenance?: Provenance;
    /** Where the gold answers sit and whether the baseline was shuffled for it (benchmarks/gold-positions.ts). */
    goldPositions?: GoldPositionCheck;
  };
  models: ModelIdentity[];
  conditions: ConditionInfo[];
  cells: CellSummary[];
  requests: RequestCounts;
  requestsByModel: Record<string, RequestCounts>;
}

/** What a run folder's summary says, beside the tool: a study run's or an import's. */
export interface RunParts extends Omit<RunSummary, 'tool' | 'studyFile' | 'seed' | 'requests' | 'requestsByModel'> {
  studyFile?: string;
  seed?: number;
  requests?: RequestCounts;
  requestsByModel?: Record<string, RequestCounts>;
  /** The tool's version (default: this package's). */
  version?: string;
}

/** The one builder of summary.json: its fields in one order; a run made no requests unless it says so. */
export function buildRunSummary({ version, ...parts }: RunParts): RunSummary {
  return {
    tool: { name: 'goodhart', version: version ?? VERSION },
    study: parts.study,
    spec: parts.spec,
    studyFile: parts.studyFile ?? '',
    seed: parts.seed ?? 0,
    baseline: parts.baseline,
    benchmark: parts.benchmark,
    models: parts.models,
    conditions: parts.conditions,
    cells: parts.cells,
    requests: parts.requests ?? { total: 0, unique: 0, cached: 0, computed: 0, failed: 0 },
    requestsByModel: parts.requestsByModel ?? {},
  };
}

/** Every byte of `text` at the file's position: one write may take only part (at a file-size limit, or with little space left). */
const writeAll = (fd: number, text: string) => fs.writeFileSync(fd, text);

/**
 * Write a file whole or not at all: a killed run never leaves half a summary. A write that fails
 * leaves no partial file behind, and one that finds no room says which file and what to do.
 */
function writeAtomic(file: string, write: (fd: number) => void): void {
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    const fd = fs.openSync(tmp, 'w');
    try {
      write(fd);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw noSpaceError(e, file) ?? e;
  }
}

/** Write a whole text file into a run folder (see writeAtomic). */
export function writeFileAtomic(file: string, text: string): void {
  writeAtomic(file, (fd) => writeAll(fd, text));
}

export function prepareOutDir(dir: string): void {
  checkOutDir(dir);
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.accessSync(dir, fs.constants.W_OK);
  } catch (e) {
    throw new UserError(
      `cannot write the output folder: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      dir,
    );
  }
}

export function writeRun(dir: string, summary: RunSummary, items: ItemResult[]): void {
  writeAtomic(path.join(dir, 'items.jsonl'), (fd) => {
    const lines: string[] = [];
    for (const item of items) {
      lines.push(JSON.stringify(item));
      if (lines.length === 5000) {
        writeAll(fd, lines.join('\n') + '\n');
        lines.length = 0;
      }
    }
    if (lines.length) writeAll(fd, lines.join('\n') + '\n');
  });
  writeAtomic(path.join(dir, 'summary.json'), (fd) => writeAll(fd, JSON.stringify(summary, null, 2) + '\n'));
}

export function readRun(dir: string): { summary: RunSummary; items: ItemResult[] } {
  const summaryFile = path.join(dir, 'summary.json');
  const itemsFile = path.join(dir, 'items.jsonl');
  if (!fs.existsSync(summaryFile)) throw new UserError('no summary.json here: is this a run folder?', dir);
  let summary: RunSummary;
  try {
    summary = JSON.parse(fs.readFileSync(summaryFile, 'utf8'));
  } catch (e) {
    throw new UserError(`cannot parse: ${(e as Error).message}`, summaryFile);
  }
  const items: ItemResult[] = [];
  const text = fs.existsSync(itemsFile) ? fs.readFileSync(itemsFile, 'utf8') : '';
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      items.push(JSON.parse(line));
    } catch (e) {
      throw new UserError(`not JSON: ${(e as Error).message}`, `${itemsFile}:${i + 1}`);
    }
  });
  return { summary, items };
}
