/**
 * How much the leaderboard moves: each model's rank under every condition (bump chart and table),
 * Kendall τ between every pair of conditions (heatmap), and which grid factor moves accuracy most.
 */
import type { Analysis } from '../../analysis/index.js';
import { bumpChart } from '../charts/bump.js';
import { tauHeatmap } from '../charts/heatmap.js';
import { escapeHtml } from '../escape.js';
import { fixed, pct, signedPct } from '../format.js';
import { htmlTable } from './table.js';

function shiftTable(a: Analysis): string {
  return htmlTable({
    columns: [
      { text: 'model' },
      { text: 'baseline rank', numeric: true },
      { text: 'best', numeric: true },
      { text: 'worst', numeric: true },
      { text: 'range', numeric: true },
      { text: 'max |shift|', numeric: true },
      { text: 'largest shift under' },
    ],
    rows: a.rankShifts.perModel.map((s) => [
      { text: s.model, cls: 'name' },
      { text: String(s.baselineRank), sort: s.baselineRank },
      { text: String(s.bestRank), sort: s.bestRank },
      { text: String(s.worstRank), sort: s.worstRank },
      { text: String(s.rankRange), sort: s.rankRange },
      { text: String(s.maxAbsShift), sort: s.maxAbsShift },
      s.maxShiftCondition ?? '–',
    ]),
  });
}

function agreementTable(a: Analysis): string {
  return htmlTable({
    caption: 'Agreement with the baseline',
    columns: [
      { text: 'condition' },
      { text: 'Kendall τ-b', numeric: true },
      { text: 'τ_k', numeric: true },
      { text: 'Spearman ρ', numeric: true },
      { text: 'models moved', numeric: true },
    ],
    rows: a.rankAgreement.vsBaseline.map((r) => [
      { text: r.b, cls: 'name' },
      { text: fixed(r.kendallTauB), sort: r.kendallTauB },
      { text: fixed(r.tauK), sort: r.tauK },
      { text: fixed(r.spearmanRho), sort: r.spearmanRho },
      { text: String(r.modelsMoved), sort: r.modelsMoved },
    ]),
  });
}

function factorTable(a: Analysis): string {
  const f = a.factorVariance;
  const share = (x: number | null) => ({ text: x === null ? '–' : `${pct(x)}%`, sort: x });
  return htmlTable({
    caption: `Share of the variation across conditions (within models) explained by each grid factor; models explain ${f.modelShare === null ? '–' : `${pct(f.modelShare)}%`} of the total`,
    columns: [
      { text: 'factor' },
      { text: 'levels' },
      { text: 'main share', numeric: true },
      { text: 'factor × model', numeric: true },
      { text: 'total', numeric: true },
    ],
    rows: f.factors.map((x) => [
      { text: x.factor, cls: 'name' },
      { text: x.levels.map((l) => `${l.level} (${signedPct(l.effect)})`).join(', '), cls: 'details' },
      share(x.share),
      share(x.interactionShare),
      share(x.totalShare),
    ]),
  });
}

export function shiftSection(a: Analysis): string {
  const ranks = Object.fromEntries(a.rankShifts.perModel.map((s) => [s.model, s.ranks]));
  const moved = a.rankShifts.modelsMoved;
  return `<section id="shifts"><h2>How much the leaderboard moves</h2>
<p class="note">${moved} of ${a.models.length} models change rank under at least one condition. Ranks are competition ranks (ties share the best rank).</p>
<div class="figure scroll">${bumpChart({ models: a.models, conditions: a.conditions.map((c) => c.name), baseline: a.settings.baseline, ranks })}</div>
${shiftTable(a)}
<h3>Rank agreement between conditions</h3>
<div class="figure scroll">${tauHeatmap(
    a.conditions.map((c) => c.name),
    a.rankAgreement.pairs.map((p) => ({ a: p.a, b: p.b, tau: p.kendallTauB })),
    a.settings.baseline,
  )}</div>
${agreementTable(a)}
<h3>Which factor moves accuracy</h3>${factorTable(a)}
<p class="note">${escapeHtml(a.methods.factorVariance ?? '')}</p></section>`;
}
