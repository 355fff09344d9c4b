/**
 * A run folder's analysis.json: the statistics of its results and the probes, computed together
 * (the Min-K% scores come from the run's min-k.json when it has one).
 */
import fs from 'node:fs';
import path from 'node:path';
import { analyzeRun, type Analysis } from '../analysis/index.js';
import type { ItemResult } from '../core/results.js';
import { writeFileAtomic, type RunSummary } from '../output/run-dir.js';
import { computeProbes, type MinKScores, type Probes } from './index.js';

export interface AnalyzeSettings {
  seed: number;
  bootstrap?: number;
  clusterBySubject?: boolean;
  robust?: string[];
}

/** Analyze a run's results with its own conditions and baseline, and write analysis.json beside them. */
export function analyzeRunDir(dir: string, summary: RunSummary, items: ItemResult[], settings: AnalyzeSettings): { analysis: Analysis; probes: Probes; file: string } {
  const analysis = analyzeRun(
    { items, conditions: summary.conditions, baseline: summary.baseline, models: summary.models.map((m) => m.name) },
    settings,
  );
  const file = path.join(dir, 'analysis.json');
  const minKFile = path.join(dir, 'min-k.json');
  const minK = fs.existsSync(minKFile) ? (JSON.parse(fs.readFileSync(minKFile, 'utf8')) as MinKScores) : undefined;
  const probes = computeProbes(items, summary.conditions, minK);
  // Whole or not at all: a reader never sees half a file. NaN (undefined statistics) becomes null.
  writeFileAtomic(file, JSON.stringify({ ...analysis, probes }, null, 2) + '\n');
  return { analysis, probes, file };
}
