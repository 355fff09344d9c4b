/**
 * The leading leaderboard (robust when the run has perturbations), full width with intervals and
 * tied groups as bands; then the baseline's leaderboard and the Goodhart gap: how much of each
 * model's baseline score the perturbations take away.
 */
import type { Analysis, Leaderboard, RobustLeaderboard } from '../../analysis/index.js';
import { intervalChart, type IntervalRow } from '../charts/intervals.js';
import { niceDomain, percentTick } from '../charts/svg.js';
import { escapeHtml } from '../escape.js';
import { pct, pctRange, plural, pValue, rankRange, signedPct } from '../format.js';
import { htmlTable } from './table.js';

const conf = (a: Analysis) => `${Math.round(100 * a.settings.confidence)}%`;

/** The probability of a right answer by guessing, when every item has the same number of choices. */
export function chanceLevel(choiceCounts: readonly number[]): number | null {
  const k = new Set(choiceCounts);
  const n = k.size === 1 ? [...k][0] : 0;
  return n > 0 ? 1 / n : null;
}

function groupsList(groups: string[][]): string {
  return `<ol class="groups">${groups.map((g) => `<li>${g.map((m) => `<bdi>${escapeHtml(m)}</bdi>`).join(', ')}</li>`).join('')}</ol>`;
}

function baselinePanel(a: Analysis, lb: Leaderboard, domain: [number, number], chance: number | null): string {
  const rows: IntervalRow[] = lb.entries.map((e) => ({
    label: e.model,
    prefix: String(e.rank),
    value: e.accuracy,
    ci: e.ci,
    group: e.group,
    note: `G${e.group}`,
    tooltip: `${e.model}: ${pct(e.accuracy)}% [${pctRange(e.ci)}], rank ${e.rank} (rank CI ${rankRange(e.rankCI)}), tied group ${e.group}`,
  }));
  return intervalChart(rows, {
    label: `Baseline leaderboard (${lb.condition}): accuracy with ${conf(a)} intervals`,
    kind: 'leaderboard-baseline',
    domain,
    format: percentTick,
    axisLabel: 'accuracy',
    refLines: chance === null ? [] : [{ value: chance, label: 'chance' }],
    width: a.robust ? 560 : 900,
  });
}

/** Which conditions the robust score averages, and which it leaves out with their roles. */
export function robustSetText(a: Analysis): string {
  const used = a.robust?.conditions ?? [];
  const source = a.settings.robustSet?.source === 'option' ? 'given to --robust' : 'the perturbation conditions';
  const left = a.conditions
    .filter((c) => !c.isBaseline && !c.inRobustScore)
    .map((c) => (c.role ? `${c.name} (${c.role})` : c.name));
  return `Robust set (${source}): ${used.join(', ')}.${left.length ? ` Left out: ${left.join(', ')}.` : ''}`;
}

function robustChart(a: Analysis, r: RobustLeaderboard, domain: [number, number], chance: number | null): string {
  const rows: IntervalRow[] = r.entries.map((e) => ({
    label: e.model,
    prefix: String(e.rank),
    value: e.mean,
    ci: e.ci,
    group: e.group,
    note: `G${e.group}`,
    tooltip: `${e.model}: robust ${pct(e.mean)}% [${pctRange(e.ci)}], worst ${pct(e.worst)}% under ${e.worstCondition}, rank ${e.rank}`,
  }));
  return intervalChart(rows, {
    label: `Robust leaderboard: mean accuracy over ${r.conditions.length} conditions with ${conf(a)} intervals clustered by item`,
    kind: 'leaderboard-robust',
    domain,
    format: percentTick,
    axisLabel: `mean accuracy over ${r.conditions.length} conditions`,
    refLines: chance === null ? [] : [{ value: chance, label: 'chance' }],
    width: 900,
  });
}

const SECONDARY = 'secondary';

/** The columns every ranked table starts with: rank, model, the score, its interval, rank interval, upper bound, group. */
function rankedColumns(a: Analysis, score: string) {
  return [
    { text: 'rank', numeric: true },
    { text: 'model' },
    { text: score, numeric: true },
    { text: `${conf(a)} CI`, numeric: true },
    {
      text: 'rank CI',
      numeric: true,
      title: 'percentile interval over paired item-bootstrap resamples',
      cls: SECONDARY,
    },
    { text: 'UB', numeric: true, title: 'rank upper bound: 1 + models significantly better', cls: SECONDARY },
    { text: 'group', numeric: true, title: 'tied group' },
  ];
}

/** The cells under rankedColumns for one entry whose score is `score`. */
function rankedCells(e: Leaderboard['entries'][number] | RobustLeaderboard['entries'][number], score: number) {
  return [
    { text: String(e.rank), sort: e.rank },
    { text: e.model, cls: 'name' },
    { text: pct(score), sort: score },
    { text: pctRange(e.ci), sort: e.ci[0] },
    { text: rankRange(e.rankCI), sort: e.rankCI?.[0], cls: SECONDARY },
    { text: String(e.rankUpperBound), sort: e.rankUpperBound, cls: SECONDARY },
    { text: `G${e.group}`, sort: e.group },
  ];
}

/** The leading leaderboard as a table in rank order: the robust one with the baseline beside it, or the baseline alone. */
function leaderboardTable(a: Analysis, lb: Leaderboard): string {
  const r = a.robust;
  const gaps = new Map(a.goodhartGap.map((g) => [g.model, g]));
  const base = new Map(lb.entries.map((e) => [e.model, e]));
  const band = (group: number) => (group % 2 === 1 ? 'band-odd' : 'band-even');
  if (!r) {
    return htmlTable({
      id: 'leaderboard-table',
      cls: 'compact leaderboard',
      csv: 'leaderboard',
      columns: rankedColumns(a, 'acc %'),
      rows: lb.entries.map((e) => rankedCells(e, e.accuracy)),
      rowClass: (k) => band(lb.entries[k].group),
    });
  }
  return htmlTable({
    id: 'leaderboard-table',
    cls: 'compact leaderboard',
    csv: 'robust-leaderboard',
    groups: [
      { text: 'robust', span: 8 },
      { text: `baseline: ${lb.condition}`, span: 4 },
    ],
    columns: [
      ...rankedColumns(a, 'robust %'),
      {
        text: 'worst %',
        numeric: true,
        title: 'lowest accuracy over the conditions (hover a cell for which)',
        cls: SECONDARY,
      },
      { text: 'base rank', numeric: true, title: 'baseline rank', cls: SECONDARY },
      { text: 'base %', numeric: true, title: 'baseline accuracy', cls: SECONDARY },
      { text: `base ${conf(a)} CI`, numeric: true, cls: SECONDARY },
      { text: 'gap', numeric: true, title: 'Goodhart gap: baseline minus robust accuracy, percentage points' },
    ],
    rows: r.entries.map((e) => {
      const b = base.get(e.model);
      const g = gaps.get(e.model);
      return [
        ...rankedCells(e, e.mean),
        { text: pct(e.worst), sort: e.worst, title: `under ${e.worstCondition}`, cls: SECONDARY },
        { text: b ? String(b.rank) : '–', sort: b?.rank, cls: `group-start ${SECONDARY}` },
        { text: pct(b?.accuracy), sort: b?.accuracy, cls: SECONDARY },
        { text: pctRange(b?.ci), sort: b?.ci[0], cls: SECONDARY },
        {
          text: g ? signedPct(g.gap) : '–',
          sort: g?.gap,
          cls: g?.highOnlyUnderBaseline ? 'flag' : undefined,
          title: g?.highOnlyUnderBaseline ? 'high only under the baseline' : undefined,
        },
      ];
    }),
    rowClass: (k) => band(r.entries[k].group),
  });
}

const gapOrder = (a: Analysis) => [...a.goodhartGap].sort((x, y) => y.gap - x.gap || x.model.localeCompare(y.model));

function gapPanel(a: Analysis): string {
  if (a.goodhartGap.length === 0) return '';
  const values = a.goodhartGap.flatMap((g) => [g.ci[0], g.ci[1], g.gap, 0]);
  const lim = Math.max(0.05, ...values.filter(Number.isFinite).map(Math.abs));
  const step = lim > 0.3 ? 0.1 : 0.05;
  const domain = niceDomain([-lim, lim], -1, 1, step);
  // Largest gap first: the models the baseline flatters most lead.
  const sorted = gapOrder(a);
  const rows: IntervalRow[] = sorted.map((g) => ({
    label: g.model,
    value: g.gap,
    ci: g.ci,
    marked: g.highOnlyUnderBaseline,
    note: g.highOnlyUnderBaseline ? 'flagged' : undefined,
    tooltip: `${g.model}: gap ${signedPct(g.gap)} points [${pctRange(g.ci)}], Holm p ${pValue(g.holmP)}, rank ${g.baselineRank} → ${g.robustRank}`,
  }));
  const chart = intervalChart(rows, {
    label: 'Goodhart gap: baseline accuracy minus robust accuracy, paired per item',
    kind: 'gap',
    domain,
    width: 520,
    format: (v) => `${v > 0 ? '+' : ''}${Math.round(v * 1000) / 10}`,
    axisLabel: 'percentage points (positive = better at the baseline)',
    refLines: [{ value: 0, label: 'no gap' }],
  });
  return `<div class="panel"><h3>Goodhart gap, largest first</h3>
<p class="note">Baseline accuracy minus robust accuracy, paired per item. A model is flagged when its gap is significantly above zero (Holm-adjusted) and it ranks lower on the robust leaderboard.</p>
${chart}</div>`;
}

function gapTable(a: Analysis): string {
  const sorted = gapOrder(a);
  return sorted.length === 0
    ? ''
    : htmlTable({
        csv: 'goodhart-gap',
        columns: [
          { text: 'model' },
          { text: 'baseline %', numeric: true },
          { text: 'robust %', numeric: true },
          { text: 'gap (points)', numeric: true },
          { text: `${conf(a)} CI`, numeric: true },
          { text: 'Holm p', numeric: true },
          { text: 'rank: baseline → robust' },
          { text: 'flag' },
        ],
        rows: sorted.map((g) => [
          { text: g.model, cls: 'name' },
          { text: pct(g.baselineAccuracy), sort: g.baselineAccuracy },
          { text: pct(g.robustAccuracy), sort: g.robustAccuracy },
          { text: signedPct(g.gap), sort: g.gap },
          { text: pctRange(g.ci), sort: g.ci[0] },
          { text: pValue(g.holmP), sort: g.holmP },
          { text: `${g.baselineRank} → ${g.robustRank}`, sort: g.rankDifference },
          {
            text: g.highOnlyUnderBaseline ? 'high only under the baseline' : '',
            cls: g.highOnlyUnderBaseline ? 'flag' : '',
          },
        ]),
      });
}

const domainOf = (a: Analysis, base: Leaderboard, chance: number | null): [number, number] =>
  niceDomain([
    ...base.entries.flatMap((e) => [e.ci[0], e.ci[1]]),
    ...(a.robust?.entries.flatMap((e) => [e.ci[0], e.ci[1]]) ?? []),
    ...(chance === null ? [] : [chance]),
  ]);

const baselineOf = (a: Analysis): Leaderboard =>
  a.leaderboards.find((l) => l.condition === a.settings.baseline) ?? a.leaderboards[0];

/** The leading leaderboard, full width: robust when the run has perturbations, else the baseline's. */
export function leaderboardSection(a: Analysis, chance: number | null): string {
  const base = baselineOf(a);
  // Chance is drawn when it falls among the estimates; it does not widen this chart's scale.
  const domain = domainOf(a, base, null);
  const title = a.robust
    ? `Robust leaderboard: mean accuracy over ${plural(a.robust.conditions.length, 'condition')}`
    : `Leaderboard: ${base.condition}`;
  const tests = a.robust ? 'paired z-tests on per-item means' : 'paired McNemar tests';
  return `<section id="leaderboard" class="lead"><h2>${escapeHtml(title)}</h2>
<p class="note">Accuracy on the same ${a.items.n.toLocaleString('en')} items for every model, with ${conf(a)} intervals. Shaded bands and G numbers mark tied groups:
models the ${tests} (Holm-adjusted) cannot separate; groups may overlap.${a.robust ? ` ${escapeHtml(robustSetText(a))}` : ''}</p>
<p class="narrow-cue">${a.robust ? "Rank intervals, upper bounds, worst cases and the baseline's rank, accuracy and interval" : 'Rank intervals and upper bounds'} are hidden at this width:
widen the window or download the CSV for every column.</p>
${leaderboardTable(a, base)}
${a.robust ? robustChart(a, a.robust, domain, chance) : baselinePanel(a, base, domain, chance)}
${groupsNote(a.robust ? a.robust.tiedGroups : base.tiedGroups)}</section>`;
}

function groupsNote(groups: string[][]): string {
  return `<details class="groups-list"><summary>Tied groups (${groups.length})</summary>${groupsList(groups)}</details>`;
}

/** With perturbations: the baseline's own leaderboard beside the Goodhart gap, then the gap table. */
export function baselineSection(a: Analysis, chance: number | null): string {
  if (!a.robust) return '';
  const base = baselineOf(a);
  return `<section id="baseline"><h2>Baseline leaderboard and Goodhart gap</h2>
<div class="side-by-side"><div class="panel"><h3>Baseline: ${escapeHtml(base.condition)}</h3>${baselinePanel(a, base, domainOf(a, base, chance), chance)}
${groupsNote(base.tiedGroups)}</div>${gapPanel(a)}</div>
${gapTable(a)}</section>`;
}
