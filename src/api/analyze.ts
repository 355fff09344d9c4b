/** Statistics of a run: the leaderboards, rank shifts, robust score and probes (analysis.json). */
import fs from 'node:fs';
import path from 'node:path';
import { analyzeRun as analyzeResults, type Analysis } from '../analysis/index.js';
import { UserError } from '../core/errors.js';
import type { ItemResult } from '../core/results.js';
import { readRun, writeFileAtomic, type RunSummary } from '../output/run-dir.js';
import { computeProbes, type MinKScores, type Probes } from '../probes/index.js';

/** A run's results in memory, e.g. a `RunResult`. */
export interface RunData {
  summary: RunSummary;
  items: ItemResult[];
  /** Min-K% scores, when the run computed them. */
  minK?: MinKScores;
}

export interface AnalyzeOptions {
  /** Seed of the bootstrap and of PriDe calibration items (default: the run's seed). */
  seed?: number;
  /** Paired bootstrap resamples over items (default 1000; 0 skips bootstrap intervals). */
  bootstrap?: number;
  /** Standard errors clustered by subject instead of item-level (much wider). */
  clusterBySubject?: boolean;
  /** Conditions of the robust leaderboard (default: those whose role is perturbation). */
  robust?: string[];
}

export interface AnalyzeResult {
  /** The run analyzed. */
  summary: RunSummary;
  analysis: Analysis;
  probes: Probes;
  /** The analysis.json written, when a run folder was analyzed. */
  file?: string;
}

/** The settings of an analysis: the given options over the run's own seed. */
function settingsFor(summary: RunSummary, options: AnalyzeOptions) {
  return {
    seed: options.seed ?? summary.seed ?? 0,
    bootstrap: options.bootstrap,
    clusterBySubject: options.clusterBySubject === true,
    robust: options.robust,
  };
}

function analyzeData(run: RunData, options: AnalyzeOptions): Omit<AnalyzeResult, 'file'> {
  const { summary, items } = run;
  const analysis = analyzeResults(
    { items, conditions: summary.conditions, baseline: summary.baseline, models: summary.models.map((m) => m.name) },
    settingsFor(summary, options),
  );
  return { summary, analysis, probes: computeProbes(items, summary.conditions, run.minK) };
}

/** Analyze results already in memory and write analysis.json into the run folder `dir` (with its min-k.json). */
export function analyzeIntoDir(
  dir: string,
  summary: RunSummary,
  items: ItemResult[],
  options: AnalyzeOptions = {},
): Required<AnalyzeResult> {
  const minKFile = path.join(dir, 'min-k.json');
  const minK = fs.existsSync(minKFile) ? (JSON.parse(fs.readFileSync(minKFile, 'utf8')) as MinKScores) : undefined;
  const result = analyzeData({ summary, items, minK }, options);
  const file = path.join(dir, 'analysis.json');
  // Whole or not at all: a reader never sees half a file. NaN (undefined statistics) becomes null.
  writeFileAtomic(file, JSON.stringify({ ...result.analysis, probes: result.probes }, null, 2) + '\n');
  return { ...result, file };
}

/**
 * Statistics of a run: leaderboards with intervals and tied groups, rank shifts, the robust
 * leaderboard, variance per grid factor and the Goodhart probes. Given a run folder (holding
 * summary.json and items.jsonl) it writes analysis.json there, as `goodhart analyze` does; given
 * results in memory (a `RunResult`) it writes nothing. Deterministic given the seed. Data the
 * statistics cannot use (e.g. no item answered by every model) throws a `UserError`.
 */
export function analyzeRun(run: string | RunData, options: AnalyzeOptions = {}): AnalyzeResult {
  if (typeof run !== 'string') return analyzeData(run, options);
  const dir = path.resolve(run);
  const { summary, items } = readRun(dir);
  if (!Array.isArray(summary.conditions) || !Array.isArray(summary.models) || typeof summary.baseline !== 'string') {
    throw new UserError(
      'summary.json lacks the conditions, models or baseline of the run',
      path.join(dir, 'summary.json'),
    );
  }
  return analyzeIntoDir(dir, summary, items, options);
}
