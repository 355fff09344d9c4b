import fs from 'node:fs';
import path from 'node:path';
import { NoSpaceError, UserError } from '../core/errors.js';
import { writeReport } from '../report/index.js';

export interface ReportCommandOptions {
  maxItems?: string;
  compare?: string;
}

/** The run folder given to --compare, checked before any work. */
export function compareDir(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const dir = path.resolve(value);
  if (!fs.existsSync(path.join(dir, 'summary.json')))
    throw new UserError(`--compare: no summary.json in ${dir}: is this a run folder?`);
  return dir;
}

export function parseMaxItems(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`--max-items must be a whole number ≥ 0, got "${value}"`);
  return n;
}

/**
 * At the end of `goodhart run`: the results are already written, so a report that cannot be made
 * (e.g. no item has a result for every model) is reported and does not fail the run; a write
 * that finds no room (disk full) does.
 */
export async function writeRunReport(dir: string, log: (line: string) => void): Promise<void> {
  try {
    const files = await writeReport(dir);
    for (const w of files.warnings) log(`report: ${w}`);
    process.stdout.write(`wrote ${files.html} and ${files.markdown}\n`);
  } catch (e) {
    if (e instanceof NoSpaceError) throw e;
    process.stderr.write(`goodhart: could not write the report: ${(e as Error).message}\n`);
  }
}

/** `goodhart report`: write report.html and report.md into a run folder. */
export async function reportCommand(dir: string, opts: ReportCommandOptions): Promise<number> {
  const files = await writeReport(path.resolve(dir), {
    maxItems: parseMaxItems(opts.maxItems),
    compare: compareDir(opts.compare),
  });
  for (const w of files.warnings) process.stderr.write(`goodhart: ${w}\n`);
  process.stdout.write(`wrote ${files.html} and ${files.markdown}\n`);
  return 0;
}
