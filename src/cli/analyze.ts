import fs from 'node:fs';
import path from 'node:path';
import { formatAnalysisTables, parseConditionList } from '../analysis/index.js';
import { analyzeIntoDir, analyzeRun } from '../api/analyze.js';
import { NoSpaceError, UserError } from '../core/errors.js';
import type { ItemResult } from '../core/results.js';
import type { RunSummary } from '../output/run-dir.js';
import { simulatedNote } from '../output/simulated.js';
import type { Probes } from '../probes/index.js';

export interface AnalyzeCommandOptions {
  bootstrap?: string;
  seed?: string;
  clusterBySubject?: boolean;
  /** Comma-separated conditions of the robust leaderboard, overriding the roles. */
  robust?: string;
}

function wholeNumber(value: string, flag: string, min: number): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isSafeInteger(n) || n < min)
    throw new UserError(`${flag} must be a whole number ≥ ${min}, got "${value}"`);
  return n;
}

/** The probes a run cannot compute, one line each, for the printed tables. */
function probesNotApplicable(probes: Probes): string {
  return probes.notApplicable.length
    ? `\nProbes not applicable to this run:\n${probes.notApplicable.map((n) => `  ${n.probe}: ${n.reason}`).join('\n')}\n`
    : '';
}

/**
 * At the end of `goodhart run`: analyze with the run's seed and print the key tables. Data the
 * statistics cannot use (e.g. no item answered by every model) is reported and does not fail the
 * run; an analysis.json left by an earlier run is removed so nothing reads stale numbers.
 */
export function writeRunAnalysis(dir: string, summary: RunSummary, items: ItemResult[]): void {
  try {
    const { analysis, probes, file } = analyzeIntoDir(dir, summary, items);
    process.stdout.write(
      `\n${simulatedNote(summary)}${formatAnalysisTables(analysis)}\n${probesNotApplicable(probes)}wrote ${file}\n`,
    );
  } catch (e) {
    if (!(e instanceof UserError) || e instanceof NoSpaceError) throw e;
    fs.rmSync(path.join(dir, 'analysis.json'), { force: true });
    process.stderr.write(`goodhart: no analysis: ${e.message}\n`);
  }
}

/** `goodhart analyze`: statistics of a run folder (analysis.json) and its key tables on stdout. */
export async function analyzeCommand(dirArg: string, opts: AnalyzeCommandOptions): Promise<number> {
  const dir = path.resolve(dirArg);
  const seed = opts.seed !== undefined ? wholeNumber(opts.seed, '--seed', 0) : undefined;
  const bootstrap = opts.bootstrap !== undefined ? wholeNumber(opts.bootstrap, '--bootstrap', 0) : undefined;
  const robust = opts.robust !== undefined ? parseConditionList(opts.robust, '--robust') : undefined;
  const { summary, analysis, probes, file } = analyzeRun(dir, {
    seed,
    bootstrap,
    clusterBySubject: opts.clusterBySubject === true,
    robust,
  });
  process.stdout.write(
    `${simulatedNote(summary)}${formatAnalysisTables(analysis)}\n${probesNotApplicable(probes)}wrote ${file}\n`,
  );
  return 0;
}
