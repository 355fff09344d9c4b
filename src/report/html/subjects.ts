/**
 * Per subject: how well each condition's ranking of the models agrees with the baseline's,
 * subjects with the most disagreement first, and each subject's ranks under every condition.
 */
import { escapeHtml } from '../escape.js';
import { fixed, pct } from '../format.js';
import type { SubjectRanking } from '../subjects.js';
import { htmlTable } from './table.js';

/** Subjects whose rank grids are open at first; the others are one click away. */
const OPEN = 3;

function rankGrid(s: SubjectRanking, models: string[], conditions: string[], baseline: string): string {
  const b = conditions.indexOf(baseline);
  return htmlTable({
    cls: 'compact',
    columns: [{ text: 'model' }, ...conditions.map((c) => ({ text: c === baseline ? `${c} ★` : c, numeric: true }))],
    rows: models.map((m, mi) => [{ text: m, cls: 'name' }, ...conditions.map((c, ci) => {
      const rank = s.ranks[ci][mi];
      const shift = rank - s.ranks[b][mi];
      return {
        text: String(rank), sort: rank, title: `${m} under ${c}: ${pct(s.accuracy[ci][mi])}% on ${s.items} items`,
        cls: shift < 0 ? 'up' : shift > 0 ? 'down' : '',
      };
    })]),
  });
}

export function subjectSection(subjects: SubjectRanking[], models: string[], conditions: string[], baseline: string): string {
  if (subjects.length === 0) return '';
  const b = conditions.indexOf(baseline);
  const order = (s: SubjectRanking) => models.map((m, i) => ({ m, r: s.ranks[b][i] })).sort((x, y) => x.r - y.r).map((x) => `${x.r}. ${x.m}`).join(', ');
  const table = htmlTable({
    id: 'subject-table',
    columns: [{ text: 'subject' }, { text: 'items', numeric: true }, { text: 'mean τ vs baseline', numeric: true },
      { text: 'lowest τ', numeric: true }, { text: 'under' }, { text: 'max rank range', numeric: true }, { text: 'baseline order' }],
    rows: subjects.map((s) => [
      { text: s.subject, cls: 'name' }, { text: String(s.items), sort: s.items }, { text: fixed(s.meanTau), sort: s.meanTau },
      { text: fixed(s.minTau), sort: s.minTau }, s.minTauCondition ?? '–', { text: String(s.maxRankRange), sort: s.maxRankRange },
      { text: order(s), cls: 'details' },
    ]),
  });
  const grids = subjects.map((s, k) => `<details class="subject"${k < OPEN ? ' open' : ''}><summary>${escapeHtml(s.subject)} ` +
    `<span class="muted">(${s.items} items, mean τ ${escapeHtml(fixed(s.meanTau))})</span></summary>${rankGrid(s, models, conditions, baseline)}</details>`);
  return `<section id="subjects"><h2>Subjects: where the rankings disagree</h2>
<p class="note">Leaderboards recomputed within each subject, on the items every model has under every condition. Kendall τ-b compares each
condition's ranking with the baseline's (undefined, "–", when all models tie); subjects with the least agreement come first. In the grids
(★ = baseline), a rank better than at the baseline is marked ▲, worse ▼.</p>
${table}${grids.join('\n')}</section>`;
}
