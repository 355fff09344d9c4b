/**
 * The baseline and robust leaderboards side by side (estimates with intervals, tied groups as
 * bands) and the Goodhart gap: how much of each model's baseline score the perturbations take away.
 */
import type { Analysis, Leaderboard } from '../../analysis/index.js';
import { intervalChart, type IntervalRow } from '../charts/intervals.js';
import { niceDomain, percentTick } from '../charts/svg.js';
import { escapeHtml } from '../escape.js';
import { pct, pctRange, pValue, rankRange, signedPct } from '../format.js';
import { htmlTable, type Column } from './table.js';

const conf = (a: Analysis) => `${Math.round(100 * a.settings.confidence)}%`;

/** The probability of a right answer by guessing, when every item has the same number of choices. */
export function chanceLevel(choiceCounts: readonly number[]): number | null {
  const k = new Set(choiceCounts);
  const n = k.size === 1 ? [...k][0] : 0;
  return n > 0 ? 1 / n : null;
}

function groupsList(groups: string[][]): string {
  return `<ol class="groups">${groups.map((g) => `<li>${escapeHtml(g.join(', '))}</li>`).join('')}</ol>`;
}

function baselinePanel(a: Analysis, lb: Leaderboard, domain: [number, number], chance: number | null): string {
  const rows: IntervalRow[] = lb.entries.map((e) => ({
    label: e.model, prefix: String(e.rank), value: e.accuracy, ci: e.ci, group: e.group, note: `G${e.group}`,
    tooltip: `${e.model}: ${pct(e.accuracy)}% [${pctRange(e.ci)}], rank ${e.rank} (rank CI ${rankRange(e.rankCI)}), tied group ${e.group}`,
  }));
  const chart = intervalChart(rows, {
    label: `Baseline leaderboard (${lb.condition}): accuracy with ${conf(a)} intervals`, kind: 'leaderboard-baseline', domain,
    format: percentTick, axisLabel: 'accuracy', refLines: chance === null ? [] : [{ value: chance, label: 'chance' }],
  });
  return `<div class="panel"><h3>Baseline: ${escapeHtml(lb.condition)}</h3>${chart}
<p class="note">Tied groups (paired McNemar tests, Holm-adjusted):</p>${groupsList(lb.tiedGroups)}</div>`;
}

/** Which conditions the robust score averages, and which it leaves out with their roles. */
export function robustSetText(a: Analysis): string {
  const used = a.robust?.conditions ?? [];
  const source = a.settings.robustSet?.source === 'option' ? 'given to --robust' : 'the perturbation conditions';
  const left = a.conditions.filter((c) => !c.isBaseline && !c.inRobustScore).map((c) => (c.role ? `${c.name} (${c.role})` : c.name));
  return `Robust set (${source}): ${used.join(', ')}.${left.length ? ` Left out: ${left.join(', ')}.` : ''}`;
}

function robustPanel(a: Analysis, domain: [number, number], chance: number | null): string {
  const r = a.robust;
  if (!r) return '<div class="panel"><h3>Robust</h3><p class="note">No perturbation condition besides the baseline: no robust leaderboard.</p></div>';
  const rows: IntervalRow[] = r.entries.map((e) => ({
    label: e.model, prefix: String(e.rank), value: e.mean, ci: e.ci, group: e.group, note: `G${e.group}`,
    tooltip: `${e.model}: robust ${pct(e.mean)}% [${pctRange(e.ci)}], worst ${pct(e.worst)}% under ${e.worstCondition}, rank ${e.rank}`,
  }));
  const chart = intervalChart(rows, {
    label: `Robust leaderboard: mean accuracy over ${r.conditions.length} conditions with ${conf(a)} intervals clustered by item`,
    kind: 'leaderboard-robust', domain, format: percentTick, axisLabel: `mean accuracy over ${r.conditions.length} conditions`,
    refLines: chance === null ? [] : [{ value: chance, label: 'chance' }],
  });
  return `<div class="panel"><h3>Robust: mean over ${r.conditions.length} conditions</h3>${chart}
<p class="note">${escapeHtml(robustSetText(a))}</p>
<p class="note">Tied groups (paired z-tests on per-item means, Holm-adjusted; no two models in a group are separable, groups may overlap):</p>${groupsList(r.tiedGroups)}</div>`;
}

/** Both leaderboards in one table, one row per model, in baseline order. */
function leaderboardTable(a: Analysis, lb: Leaderboard): string {
  const robust = new Map((a.robust?.entries ?? []).map((e) => [e.model, e]));
  const rankCols = (what: string): Column[] => [
    { text: 'rank', numeric: true }, { text: `${what} %`, numeric: true }, { text: `${conf(a)} CI`, numeric: true },
    { text: 'rank CI', numeric: true, title: 'percentile interval over paired item-bootstrap resamples' },
    { text: 'UB', numeric: true, title: 'rank upper bound: 1 + models significantly better' }, { text: 'group', numeric: true },
  ];
  const robustCols = a.robust ? [...rankCols('robust'), { text: 'worst %', numeric: true, title: 'lowest accuracy over the conditions (hover a cell for which)' }] : [];
  return htmlTable({
    id: 'leaderboard-table',
    cls: 'compact',
    groups: [{ text: '', span: 1 }, { text: 'baseline', span: 6 }, ...(a.robust ? [{ text: 'robust', span: 7 }] : [])],
    columns: [{ text: 'model' }, ...rankCols('acc'), ...robustCols],
    rows: lb.entries.map((e) => {
      const r = robust.get(e.model);
      return [
        { text: e.model, cls: 'name' }, { text: String(e.rank), sort: e.rank }, { text: pct(e.accuracy), sort: e.accuracy },
        { text: pctRange(e.ci), sort: e.ci[0] }, { text: rankRange(e.rankCI), sort: e.rankCI?.[0] },
        { text: String(e.rankUpperBound), sort: e.rankUpperBound }, { text: String(e.group), sort: e.group },
        ...(r ? [
          { text: String(r.rank), sort: r.rank, cls: 'group-start' }, { text: pct(r.mean), sort: r.mean }, { text: pctRange(r.ci), sort: r.ci[0] },
          { text: rankRange(r.rankCI), sort: r.rankCI?.[0] }, { text: String(r.rankUpperBound), sort: r.rankUpperBound },
          { text: String(r.group), sort: r.group }, { text: pct(r.worst), sort: r.worst, title: `under ${r.worstCondition}` },
        ] : []),
      ];
    }),
  });
}

function gapPanel(a: Analysis): string {
  if (a.goodhartGap.length === 0) return '';
  const values = a.goodhartGap.flatMap((g) => [g.ci[0], g.ci[1], g.gap, 0]);
  const lim = Math.max(0.05, ...values.filter(Number.isFinite).map(Math.abs));
  const step = lim > 0.3 ? 0.1 : 0.05;
  const domain = niceDomain([-lim, lim], -1, 1, step);
  const rows: IntervalRow[] = a.goodhartGap.map((g) => ({
    label: g.model, value: g.gap, ci: g.ci, marked: g.highOnlyUnderBaseline, note: g.highOnlyUnderBaseline ? 'flagged' : undefined,
    tooltip: `${g.model}: gap ${signedPct(g.gap)} points [${pctRange(g.ci)}], Holm p ${pValue(g.holmP)}, rank ${g.baselineRank} → ${g.robustRank}`,
  }));
  const chart = intervalChart(rows, {
    label: 'Goodhart gap: baseline accuracy minus robust accuracy, paired per item', kind: 'gap', domain, width: 520,
    format: (v) => `${v > 0 ? '+' : ''}${Math.round(v * 1000) / 10}`, axisLabel: 'percentage points (positive = better at the baseline)',
    refLines: [{ value: 0, label: 'no gap' }],
  });
  const table = htmlTable({
    columns: [{ text: 'model' }, { text: 'baseline %', numeric: true }, { text: 'robust %', numeric: true }, { text: 'gap (points)', numeric: true },
      { text: `${conf(a)} CI`, numeric: true }, { text: 'Holm p', numeric: true }, { text: 'rank: baseline → robust' }, { text: 'flag' }],
    rows: a.goodhartGap.map((g) => [
      { text: g.model, cls: 'name' }, { text: pct(g.baselineAccuracy), sort: g.baselineAccuracy }, { text: pct(g.robustAccuracy), sort: g.robustAccuracy },
      { text: signedPct(g.gap), sort: g.gap }, { text: pctRange(g.ci), sort: g.ci[0] }, { text: pValue(g.holmP), sort: g.holmP },
      { text: `${g.baselineRank} → ${g.robustRank}`, sort: g.rankDifference },
      { text: g.highOnlyUnderBaseline ? 'high only under the baseline' : '', cls: g.highOnlyUnderBaseline ? 'flag' : '' },
    ]),
  });
  return `<h3>Goodhart gap</h3>
<p class="note">Baseline accuracy minus robust accuracy, paired per item. A model is flagged when its gap is significantly above zero (Holm-adjusted) and it ranks lower on the robust leaderboard.</p>
${chart}${table}`;
}

export function leaderboardSection(a: Analysis, chance: number | null): string {
  const base = a.leaderboards.find((l) => l.condition === a.settings.baseline)!;
  const domain = niceDomain([
    ...base.entries.flatMap((e) => [e.ci[0], e.ci[1]]),
    ...(a.robust?.entries.flatMap((e) => [e.ci[0], e.ci[1]]) ?? []),
    ...(chance === null ? [] : [chance]),
  ]);
  return `<section id="leaderboards"><h2>Leaderboards</h2>
<p class="note">Accuracy on the same ${a.items.n} items for every model, with ${conf(a)} intervals; bands mark tied groups, models the paired tests cannot separate.</p>
<div class="side-by-side">${baselinePanel(a, base, domain, chance)}${robustPanel(a, domain, chance)}</div>
${leaderboardTable(a, base)}
${gapPanel(a)}</section>`;
}
