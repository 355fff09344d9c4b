/**
 * Everything a report is made from, read from a run folder: the summary, the per-item results,
 * the analysis (analysis.json when the run wrote one, else computed here with the run's seed) and
 * the prompts re-rendered from the study.
 */
import fs from 'node:fs';
import path from 'node:path';
import { analyzeRun, type Analysis, type Design } from '../analysis/index.js';
import type { ItemResult } from '../core/results.js';
import type { ModelIdentity } from '../core/types.js';
import { readRun, type RunSummary } from '../output/run-dir.js';
import { renderRunPrompts, type PromptSet } from './prompts.js';
import { computeProbes, type MinKScores, type Probes } from '../probes/index.js';

export interface ReportInput {
  summary: RunSummary;
  items: ItemResult[];
  analysis: Analysis;
  prompts: PromptSet;
  /** Most items embedded in the item browser. */
  maxItems: number;
  /** The Goodhart probes (from analysis.json, else computed from the items). */
  probes: Probes | null;
  /** Design advice (design.json, written by `goodhart design`), when the run has it. */
  design: Design | null;
}

export interface ReportOptions {
  maxItems?: number;
  /** Another run folder to compare with. */
  compare?: string;
}

export const DEFAULT_MAX_ITEMS = 300;

/** A simulated model's numbers must never pass for a real model's. */
export function isSimulated(m: ModelIdentity): boolean {
  return m.backend === 'sim' || m.details?.simulated === true;
}

function readAnalysis(dir: string): Analysis | null {
  const file = path.join(dir, 'analysis.json');
  if (!fs.existsSync(file)) return null;
  try {
    const a = JSON.parse(fs.readFileSync(file, 'utf8')) as Analysis;
    return a?.schemaVersion === 1 && Array.isArray(a.leaderboards) ? a : null;
  } catch {
    return null; // a half-written or foreign file: recompute rather than fail
  }
}

export function analysisFor(dir: string, summary: RunSummary, items: ItemResult[]): Analysis {
  return (
    readAnalysis(dir) ??
    analyzeRun(
      { items, conditions: summary.conditions, baseline: summary.baseline, models: summary.models.map((m) => m.name) },
      { seed: summary.seed },
    )
  );
}

function readDesign(dir: string): Design | null {
  const file = path.join(dir, 'design.json');
  try {
    const d = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Design) : null;
    return d?.schemaVersion === 1 && Array.isArray(d.candidates) ? d : null;
  } catch {
    return null; // a damaged file: the report goes on without the section
  }
}

function readProbes(dir: string, summary: RunSummary, items: ItemResult[]): Probes | null {
  const file = path.join(dir, 'analysis.json');
  try {
    const stored = fs.existsSync(file)
      ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { probes?: Probes }).probes
      : undefined;
    if (stored) return stored;
    const minKFile = path.join(dir, 'min-k.json');
    const minK = fs.existsSync(minKFile) ? (JSON.parse(fs.readFileSync(minKFile, 'utf8')) as MinKScores) : undefined;
    return computeProbes(items, summary.conditions, minK);
  } catch {
    return null; // a damaged file: the report goes on without the panel
  }
}

export async function readReportInput(dir: string, opts: ReportOptions = {}): Promise<ReportInput> {
  const { summary, items } = readRun(dir);
  return {
    summary,
    items,
    analysis: analysisFor(dir, summary, items),
    prompts: await renderRunPrompts(summary),
    maxItems: opts.maxItems ?? DEFAULT_MAX_ITEMS,
    probes: readProbes(dir, summary, items),
    design: readDesign(dir),
  };
}
