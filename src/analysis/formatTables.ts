/**
 * The key tables of an analysis as plain text: baseline leaderboard with intervals and tied
 * groups, robust leaderboard with the Goodhart gap, rank shifts, and agreement with the baseline.
 */
import type { Interval } from './accuracy.js';
import type { Analysis } from './analysisTypes.js';

const pct = (x: number): string => (Number.isFinite(x) ? (100 * x).toFixed(1) : '–');
const pctInterval = (ci: Interval | null): string => (ci ? `[${pct(ci[0])}, ${pct(ci[1])}]` : '–');
const rankInterval = (ci: Interval | null): string => (ci ? `${ci[0]}–${ci[1]}` : '–');
const num = (x: number | null, digits = 3): string => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(digits));
const signedPct = (x: number): string => {
  const s = pct(x).replace(/^-(0\.0)$/, '$1'); // no "-0.0"
  return x > 0 && s !== '0.0' ? `+${s}` : s;
};

/** Left-aligned text columns, numbers right-aligned, two spaces apart. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const numeric = header.map((_, k) => rows.length > 0 && rows.every((r) => /^[-+–\d.[\], %]*$/.test(r[k])));
  const line = (cells: string[]): string =>
    cells.map((c, k) => (numeric[k] ? c.padStart(widths[k]) : c.padEnd(widths[k]))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function groupsText(groups: string[][]): string {
  return groups.map((g, k) => `  group ${k + 1}: ${g.join(', ')}`).join('\n');
}

export function formatAnalysisTables(a: Analysis): string {
  const conf = `${Math.round(100 * a.settings.confidence)}%`;
  const out: string[] = [];
  out.push(
    `${a.models.length} models × ${a.conditions.length} conditions × ${a.items.n} items` +
      (a.items.incomplete > 0 ? ` (${a.items.incomplete} incomplete items left out)` : '') +
      `; baseline "${a.settings.baseline}"; seed ${a.settings.seed}; ${a.settings.bootstrap} bootstrap resamples`,
  );

  const base = a.leaderboards.find((l) => l.condition === a.settings.baseline);
  if (base) {
    const cellOf = (model: string) => a.cells.find((c) => c.model === model && c.condition === base.condition);
    out.push('', `Baseline leaderboard (${base.condition}); accuracy %, ${conf} ${a.settings.cellInterval} interval`);
    out.push(textTable(
      ['rank', 'model', 'acc %', `${conf} CI`, 'rank CI', 'rank UB', 'group', 'unscored'],
      base.entries.map((e) => [
        String(e.rank), e.model, pct(e.accuracy), pctInterval(e.ci), rankInterval(e.rankCI),
        String(e.rankUpperBound), String(e.group), String(cellOf(e.model)?.unscored ?? 0),
      ]),
    ));
    out.push('Tied groups (not separable by Holm-adjusted McNemar tests):', groupsText(base.tiedGroups));
  }

  if (a.robust) {
    const gapOf = new Map(a.goodhartGap.map((g) => [g.model, g]));
    out.push('', `Robust leaderboard: mean over ${a.robust.conditions.length} perturbation conditions; SE clustered by item`);
    out.push(textTable(
      ['rank', 'model', 'robust %', `${conf} CI`, 'worst %', 'worst condition', 'rank CI', 'rank UB', 'group'],
      a.robust.entries.map((e) => [
        String(e.rank), e.model, pct(e.mean), pctInterval(e.ci), pct(e.worst), e.worstCondition,
        rankInterval(e.rankCI), String(e.rankUpperBound), String(e.group),
      ]),
    ));
    out.push('Tied groups (not separable by Holm-adjusted paired z-tests):', groupsText(a.robust.tiedGroups));
    out.push('', 'Goodhart gap = baseline − robust accuracy (paired per item)');
    out.push(textTable(
      ['model', 'baseline %', 'robust %', 'gap %', `${conf} CI`, 'rank base→robust', 'flag'],
      a.robust.entries.map((e) => {
        const g = gapOf.get(e.model)!;
        return [
          g.model, pct(g.baselineAccuracy), pct(g.robustAccuracy), signedPct(g.gap), pctInterval(g.ci),
          `${g.baselineRank} → ${g.robustRank}`, g.highOnlyUnderBaseline ? 'HIGH ONLY UNDER BASELINE' : '',
        ];
      }),
    ));
  }

  out.push('', `Rank shifts from the baseline (${a.rankShifts.modelsMoved} of ${a.models.length} models move under some condition)`);
  out.push(textTable(
    ['model', 'baseline rank', 'best', 'worst', 'range', 'max |shift|', 'where'],
    [...a.rankShifts.perModel].sort((x, y) => x.baselineRank - y.baselineRank).map((s) => [
      s.model, String(s.baselineRank), String(s.bestRank), String(s.worstRank), String(s.rankRange),
      String(s.maxAbsShift), s.maxShiftCondition ?? '',
    ]),
  ));

  out.push('', 'Agreement with the baseline leaderboard');
  out.push(textTable(
    ['condition', 'Kendall τ-b', 'τ_k', 'Spearman ρ', 'models moved'],
    a.rankAgreement.vsBaseline.map((r) => [r.b, num(r.kendallTauB), num(r.tauK), num(r.spearmanRho), String(r.modelsMoved)]),
  ));

  out.push('', 'Share of within-model variance in accuracy by factor (main effect, factor × model, total)');
  out.push(textTable(
    ['factor', 'levels', 'main', '× model', 'total'],
    a.factorVariance.factors.map((f) => [f.factor, String(f.levels.length), num(f.share), num(f.interactionShare), num(f.totalShare)]),
  ));
  return out.join('\n');
}
