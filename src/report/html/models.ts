/**
 * One card per model: accuracy under every condition, recall by gold position (the bias RStd
 * summarises), the PriDe prior over positions, its Goodhart gap and how often its answer changes.
 */
import type { Analysis, CircularReport } from '../../analysis/index.js';
import { barChart } from '../charts/bars.js';
import { intervalChart } from '../charts/intervals.js';
import { niceDomain, percentTick } from '../charts/svg.js';
import type { FlipSummary } from '../browser.js';
import { escapeHtml } from '../escape.js';
import { fixed, pct, pctRange, plural, signedPct } from '../format.js';
import { htmlTable } from './table.js';

const letter = (i: number) => (i < 26 ? String.fromCharCode(65 + i) : String(i + 1));

function accuracyChart(a: Analysis, model: string, chance: number | null): string {
  const cells = a.cells.filter((c) => c.model === model);
  const robust = a.robust?.entries.find((e) => e.model === model);
  const domain = niceDomain([...cells.flatMap((c) => [c.ci[0], c.ci[1]]), ...(chance === null ? [] : [chance])]);
  return intervalChart(
    cells.map((c) => ({
      label: c.condition,
      value: c.accuracy,
      ci: c.ci,
      marked: c.condition === a.settings.baseline,
      tooltip: `${model} under ${c.condition}: ${pct(c.accuracy)}% [${pctRange(c.ci)}], ${c.unscored} unscored, ${c.ties} ties`,
    })),
    {
      label: `${model}: accuracy under each condition (square = baseline)`,
      kind: 'model-accuracy',
      domain,
      format: percentTick,
      axisLabel: 'accuracy',
      refLines: [
        ...(robust ? [{ value: robust.mean, label: 'robust' }] : []),
        ...(chance === null ? [] : [{ value: chance, label: 'chance' }]),
      ],
    },
  );
}

function recallChart(a: Analysis, model: string): string {
  const cell = a.bias.rstd.find((r) => r.model === model && r.condition === a.settings.baseline);
  if (!cell) return '';
  const acc = a.cells.find((c) => c.model === model && c.condition === a.settings.baseline)?.accuracy;
  return `<figure>${barChart({
    label: `${model}: accuracy by gold position under ${a.settings.baseline}`,
    kind: 'recall',
    categories: cell.recallByPosition.map((_, i) => letter(i)),
    values: cell.recallByPosition,
    details: cell.itemsByPosition.map((n) => `${n} items`),
    max: 1,
    format: percentTick,
    axisLabel: 'gold answer at position',
    ref: typeof acc === 'number' ? { value: acc, label: 'overall' } : undefined,
  })}<figcaption>Recall by gold position (${escapeHtml(a.settings.baseline)}); RStd ${fixed(100 * (cell.rstd ?? NaN), 1)} points.</figcaption></figure>`;
}

function priorChart(reports: CircularReport[], model: string): string {
  const report = reports.find((r) => r.pride);
  const pride = report?.pride?.perModel.find((p) => p.model === model);
  if (!report?.pride || !pride)
    return '<p class="note">PriDe prior: needs a <code>circular</code> condition under symbol scoring; this run has none.</p>';
  if (!pride.prior) return '<p class="note">PriDe prior: no calibration item had complete scores.</p>';
  const n = pride.prior.length;
  return `<figure>${barChart({
    label: `${model}: PriDe prior over answer positions`,
    kind: 'prior',
    categories: pride.prior.map((_, i) => letter(i)),
    values: pride.prior,
    max: niceDomain(pride.prior, 0, 1, 0.1)[1],
    format: (v) => v.toFixed(2),
    axisLabel: 'answer position',
    ref: { value: 1 / n, label: 'uniform' },
  })}<figcaption>PriDe prior from ${plural(pride.priorItems, 'item')} under ${report.conditions.length} rotations; debiased accuracy on ${plural(pride.n, 'held-out item')} of
${escapeHtml(report.pride.target)}: ${pct(pride.debiasedAccuracy)}% (was ${pct(pride.originalAccuracy)}%).</figcaption></figure>`;
}

/** Beyond this many conditions a card leaves accuracy by condition to the condition × model heatmap (the report stays small). */
const MAX_CARD_CONDITIONS = 12;
/** Up to this many models, the cards are open at first. */
const OPEN_CARDS = 6;

function modelCard(a: Analysis, model: string, flips: FlipSummary, chance: number | null): string {
  const gap = a.goodhartGap.find((g) => g.model === model);
  const stats: [string, string][] = [
    ['baseline', `${pct(a.cells.find((c) => c.model === model && c.condition === a.settings.baseline)?.accuracy)}%`],
    ['robust', `${pct(a.robust?.entries.find((e) => e.model === model)?.mean)}%`],
    ['Goodhart gap', gap ? `${signedPct(gap.gap)} points [${pctRange(gap.ci)}]` : '–'],
    ['rank', gap ? `${gap.baselineRank} → ${gap.robustRank} robust` : '–'],
    ['answer changes', `${flips.changed[model] ?? 0} of ${flips.items} items`],
  ];
  // Many models: every card closed, its figures one click away.
  return `<details class="model-card" data-model="${escapeHtml(model)}"${a.models.length <= OPEN_CARDS ? ' open' : ''}>
<summary><h3><bdi>${escapeHtml(model)}</bdi>${gap?.highOnlyUnderBaseline ? ' <span class="flag">high only under the baseline</span>' : ''}</h3>
<dl class="stats">${stats.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl></summary>
<div class="card-charts"><div class="figure">${
    a.conditions.length <= MAX_CARD_CONDITIONS
      ? accuracyChart(a, model, chance)
      : '<p class="note">Accuracy under each condition: see <a href="#conditions">every model under every condition</a>.</p>'
  }</div>
<div class="figure small">${recallChart(a, model)}${priorChart(a.bias.circular, model)}</div></div></details>`;
}

function rstdTable(a: Analysis): string {
  const conditions = a.conditions.map((c) => c.name);
  return htmlTable({
    cls: 'compact',
    caption:
      'RStd (points): std over answer positions of the accuracy on items whose gold is there; 0 = no position bias',
    columns: [{ text: 'model' }, ...conditions.map((c) => ({ text: c, numeric: true }))],
    rows: a.models.map((m) => [
      { text: m, cls: 'name' },
      ...conditions.map((c) => {
        const r = a.bias.rstd.find((x) => x.model === m && x.condition === c)?.rstd;
        return { text: fixed(typeof r === 'number' ? 100 * r : null, 1), sort: r };
      }),
    ]),
  });
}

export function modelSection(a: Analysis, flips: FlipSummary, chance: number | null): string {
  return `<section id="models"><h2>Models</h2>
${a.models.map((m) => modelCard(a, m, flips, chance)).join('\n')}
<h3>Position bias by condition</h3>${rstdTable(a)}</section>`;
}
