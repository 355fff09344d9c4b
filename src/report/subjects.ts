/**
 * Per subject, the leaderboard under every condition, computed from the items: where do the
 * conditions disagree most about the order of the models? Only items with a result for every
 * model under every condition count, so every ranking within a subject is on the same items.
 */
import { competitionRanks, kendallTauB } from '../analysis/rankCorrelation.js';
import type { ItemResult } from '../core/results.js';

export interface SubjectRanking {
  subject: string;
  items: number;
  /** accuracy[c][m], strict policy (unscored is not correct). */
  accuracy: number[][];
  /** ranks[c][m], competition ranks (1 = best). */
  ranks: number[][];
  /** Kendall τ-b of each condition's ranking with the baseline's; null when undefined (all tied). */
  tauVsBaseline: (number | null)[];
  meanTau: number | null;
  minTau: number | null;
  minTauCondition: string | null;
  /** Largest worst − best rank of one model over the conditions. */
  maxRankRange: number;
}

const NO_SUBJECT = '(no subject)';

export function subjectRankings(
  results: readonly ItemResult[],
  models: readonly string[],
  conditions: readonly string[],
  baseline: string,
): SubjectRanking[] {
  const M = models.length;
  const C = conditions.length;
  const mIndex = new Map(models.map((m, i) => [m, i]));
  const cIndex = new Map(conditions.map((c, i) => [c, i]));
  const perItem = new Map<string, { subject: string; correct: Int8Array; seen: number }>();
  for (const r of results) {
    const m = mIndex.get(r.model);
    const c = cIndex.get(r.condition);
    if (m === undefined || c === undefined) continue;
    let e = perItem.get(r.itemId);
    if (!e)
      perItem.set(
        r.itemId,
        (e = { subject: r.subject ?? NO_SUBJECT, correct: new Int8Array(M * C).fill(-1), seen: 0 }),
      );
    if (e.correct[c * M + m] === -1) e.seen++;
    e.correct[c * M + m] = r.correct === true ? 1 : 0;
  }
  const bySubject = new Map<string, Int8Array[]>();
  for (const e of perItem.values()) {
    if (e.seen !== M * C) continue;
    bySubject.set(e.subject, [...(bySubject.get(e.subject) ?? []), e.correct]);
  }
  const b = conditions.indexOf(baseline);
  const out: SubjectRanking[] = [];
  for (const [subject, rows] of bySubject) {
    const accuracy = conditions.map((_, c) =>
      models.map((_, m) => rows.reduce((s, r) => s + r[c * M + m], 0) / rows.length),
    );
    const ranks = accuracy.map((acc) => competitionRanks(acc));
    const tauVsBaseline = accuracy.map((acc) => {
      const t = kendallTauB(accuracy[b], acc);
      return Number.isFinite(t) ? t : null;
    });
    const others = tauVsBaseline
      .map((t, c) => ({ t, c }))
      .filter((x): x is { t: number; c: number } => x.c !== b && x.t !== null);
    const min = others.reduce<{ t: number; c: number } | null>((lo, x) => (lo === null || x.t < lo.t ? x : lo), null);
    out.push({
      subject,
      items: rows.length,
      accuracy,
      ranks,
      tauVsBaseline,
      meanTau: others.length ? others.reduce((s, x) => s + x.t, 0) / others.length : null,
      minTau: min ? min.t : null,
      minTauCondition: min ? conditions[min.c] : null,
      maxRankRange: Math.max(
        0,
        ...models.map((_, m) => Math.max(...ranks.map((r) => r[m])) - Math.min(...ranks.map((r) => r[m]))),
      ),
    });
  }
  // Most disagreement first: lowest mean τ with the baseline, then the widest rank range.
  return out.sort(
    (x, y) =>
      (x.meanTau ?? Infinity) - (y.meanTau ?? Infinity) ||
      y.maxRankRange - x.maxRankRange ||
      x.subject.localeCompare(y.subject),
  );
}
