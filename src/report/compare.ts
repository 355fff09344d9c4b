/**
 * Two runs side by side (`goodhart report A --compare B`): which models were added or removed,
 * how each shared model's accuracy changed on the items both runs scored (a paired interval), and
 * which models moved in rank by more than their rank intervals allow.
 */
import path from 'node:path';
import { pairedDifference, type Analysis } from '../analysis/index.js';
import { UserError } from '../core/errors.js';
import type { ItemResult } from '../core/results.js';
import { readRun } from '../output/run-dir.js';
import { analysisFor } from './input.js';

export interface ModelChange {
  model: string;
  /** Items both runs scored for this model under the compared condition. */
  items: number;
  /** Accuracy on those shared items, in this run and in the other. */
  accuracy: number;
  otherAccuracy: number;
  /** this − other, paired per item, with its interval. */
  difference: number;
  ci: [number, number];
  rank: number | null;
  otherRank: number | null;
  rankCI: [number, number] | null;
  otherRankCI: [number, number] | null;
  /** The two rank intervals do not overlap. */
  movedBeyondNoise: boolean;
}

export interface RunComparison {
  /** The other run's folder and study name. */
  other: string;
  otherStudy: string;
  /** The condition compared (the baseline of this run when the other has it). */
  condition: string;
  added: string[];
  removed: string[];
  confidence: number;
  models: ModelChange[];
}

export interface RunData {
  dir: string;
  study: string;
  items: readonly ItemResult[];
  analysis: Analysis;
}

export function readRunData(dir: string): RunData {
  const { summary, items } = readRun(dir);
  return { dir, study: summary.study, items, analysis: analysisFor(dir, summary, items) };
}

const outcomes = (items: readonly ItemResult[], condition: string): Map<string, Map<string, number>> => {
  const out = new Map<string, Map<string, number>>();
  for (const r of items) {
    if (r.condition !== condition || r.correct === null) continue;
    let m = out.get(r.model);
    if (!m) out.set(r.model, (m = new Map()));
    m.set(r.itemId, r.correct ? 1 : 0);
  }
  return out;
};

export function compareRuns(self: RunData, other: RunData): RunComparison {
  const a = self.analysis;
  const b = other.analysis;
  const shared = (c: string) => b.conditions.some((x) => x.name === c);
  const condition = shared(a.settings.baseline)
    ? a.settings.baseline
    : a.conditions.some((x) => x.name === b.settings.baseline)
      ? b.settings.baseline
      : a.conditions.map((x) => x.name).find(shared);
  if (!condition) {
    throw new UserError(
      `the runs share no condition: ${a.conditions.map((c) => c.name).join(', ')} here, ${b.conditions.map((c) => c.name).join(', ')} in the other run`,
      other.dir,
    );
  }
  const mine = outcomes(self.items, condition);
  const theirs = outcomes(other.items, condition);
  const lbA = new Map(a.leaderboards.find((l) => l.condition === condition)!.entries.map((e) => [e.model, e]));
  const lbB = new Map(b.leaderboards.find((l) => l.condition === condition)!.entries.map((e) => [e.model, e]));
  const models = a.models
    .filter((m) => b.models.includes(m))
    .map((model): ModelChange => {
      const x = mine.get(model) ?? new Map<string, number>();
      const y = theirs.get(model) ?? new Map<string, number>();
      const ids = [...x.keys()].filter((id) => y.has(id));
      const xs = ids.map((id) => x.get(id)!);
      const ys = ids.map((id) => y.get(id)!);
      const d = pairedDifference(xs, ys, 1 - a.settings.confidence);
      const mean = (v: number[]) => (v.length ? v.reduce((s, z) => s + z, 0) / v.length : NaN);
      const ea = lbA.get(model);
      const eb = lbB.get(model);
      const ciA = ea?.rankCI ?? null;
      const ciB = eb?.rankCI ?? null;
      return {
        model,
        items: ids.length,
        accuracy: mean(xs),
        otherAccuracy: mean(ys),
        difference: d.meanDifference,
        ci: [d.ci[0], d.ci[1]],
        rank: ea?.rank ?? null,
        otherRank: eb?.rank ?? null,
        rankCI: ciA,
        otherRankCI: ciB,
        movedBeyondNoise: ciA !== null && ciB !== null && (ciA[1] < ciB[0] || ciB[1] < ciA[0]),
      };
    });
  return {
    other: path.resolve(other.dir),
    otherStudy: other.study,
    condition,
    confidence: a.settings.confidence,
    added: a.models.filter((m) => !b.models.includes(m)),
    removed: b.models.filter((m) => !a.models.includes(m)),
    models,
  };
}
