/** Evaluation outputs made elsewhere, turned into run folders that `analyzeRun` and `writeReport` read. */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { importOutputs as readOutputs, type ImportedRun, type ImportOptions } from '../import/outputs.js';
import {
  importLmEval as importLmEvalSamples,
  type ImportLmEvalOptions as LmEvalCommandOptions,
} from '../import/lm-eval-command.js';
import type { ImportedRun as LmEvalRun } from '../import/lm-eval-run.js';
import { prepareOutDir, writeRun } from '../output/run-dir.js';
import { VERSION } from '../core/version.js';

export type { ImportOptions } from '../import/outputs.js';

export interface ImportOutputsOptions extends ImportOptions {
  /** Run folder to write (made if missing; an earlier run folder is replaced). */
  out: string;
}

export interface ImportOutputsResult extends ImportedRun {
  /** The run folder written. */
  out: string;
}

/**
 * Per-question outputs in CSV or JSONL (long: a row per model × item; wide: a column per model)
 * with 0/1 correctness, a predicted choice or per-choice scores, written as a run folder
 * (items.jsonl, summary.json) as `goodhart import outputs` does. `name` defaults to the folder's
 * name. Unreadable or inconsistent input throws a `UserError` naming the file and line.
 */
export function importOutputs(options: ImportOutputsOptions): ImportOutputsResult {
  if (options.condition !== undefined && options.conditionPerFile)
    throw new UserError('give --condition or --condition-per-file, not both');
  const out = path.resolve(options.out);
  const run = readOutputs({ ...options, name: options.name ?? path.basename(out) });
  prepareOutDir(out);
  writeRun(out, run.summary, run.items);
  // An analysis of whatever the folder held before would no longer match its results.
  fs.rmSync(path.join(out, 'analysis.json'), { force: true });
  return { ...run, out };
}

export type ImportLmEvalOptions = Omit<LmEvalCommandOptions, 'version'>;

export interface ImportLmEvalResult extends LmEvalRun {
  /** One line per model × condition on how lm-eval's own metric agrees with the recomputation, then what was left out and written. */
  report: string[];
}

/**
 * lm-evaluation-harness `--log_samples` files (samples_<task>_<timestamp>.jsonl) of
 * multiple-choice tasks, written as a run folder with acc, acc_norm, acc_bytes and
 * acc_mutual_info recomputed from the log-likelihoods, as `goodhart import lm-eval` does.
 */
export function importLmEval(files: string[], options: ImportLmEvalOptions): ImportLmEvalResult {
  const { run, report } = importLmEvalSamples(files, { ...options, version: VERSION });
  return { ...run, report };
}
