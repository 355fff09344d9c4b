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
/** Rank grids drawn at all (the subjects with the least agreement); the τ table covers every subject. */
const GRIDS = 4;

function rankGrid(s: SubjectRanking, models: string[], conditions: string[], baseline: string): string {
  const b = conditions.indexOf(baseline);
  return htmlTable({
    cls: 'compact',
    columns: [{ text: 'model' }, ...conditions.map((c) => ({ text: c === baseline ? `${c} ★` : c, numeric: true }))],
    rows: models.map((m, mi) => [
      { text: m, cls: 'name' },
      ...conditions.map((_, ci) => {
        const rank = s.ranks[ci][mi];
        const shift = rank - s.ranks[b][mi];
        return {
          text: String(rank),
          sort: rank,
          title: `${pct(s.accuracy[ci][mi])}%`,
          cls: shift < 0 ? 'up' : shift > 0 ? 'down' : '',
        };
      }),
    ]),
  });
}

/** Per subject: accuracy of every model (the heatmap), and with several conditions, where their rankings disagree. */
export function subjectSection(
  subjects: SubjectRanking[],
  models: string[],
  conditions: string[],
  baseline: string,
  heatmap: string,
): string {
  if (conditions.length < 2 || subjects.length === 0)
    return heatmap ? `<section id="subjects"><h2>Subjects</h2>${heatmap}</section>` : '';
  const table = htmlTable({
    id: 'subject-table',
    columns: [
      { text: 'subject' },
      { text: 'items', numeric: true },
      { text: 'mean τ vs baseline', numeric: true },
      { text: 'lowest τ', numeric: true },
      { text: 'under' },
      { text: 'max rank range', numeric: true },
    ],
    rows: subjects.map((s) => [
      { text: s.subject, cls: 'name' },
      { text: String(s.items), sort: s.items },
      { text: fixed(s.meanTau), sort: s.meanTau },
      { text: fixed(s.minTau), sort: s.minTau },
      { text: s.minTauCondition ?? '–', cls: 'details' },
      { text: String(s.maxRankRange), sort: s.maxRankRange },
    ]),
  });
  const grids = subjects
    .slice(0, GRIDS)
    .map(
      (s, k) =>
        `<details class="subject"${k < OPEN ? ' open' : ''}><summary><bdi>${escapeHtml(s.subject)}</bdi> ` +
        `<span class="muted">(${s.items} items, mean τ ${escapeHtml(fixed(s.meanTau))})</span></summary>${rankGrid(s, models, conditions, baseline)}</details>`,
    );
  return `<section id="subjects"><h2>Subjects: where the rankings disagree</h2>
${heatmap}<h3>Agreement with the baseline, per subject</h3>
<p class="note">Leaderboards recomputed within each subject, on the items every model has under every condition. Kendall τ-b compares each
condition's ranking with the baseline's (undefined, "–", when all models tie); subjects with the least agreement come first. In the grids
(★ = baseline), a rank better than at the baseline is marked ▲, worse ▼${subjects.length > GRIDS ? `; grids for the ${GRIDS} subjects with the least agreement` : ''}.</p>
${table}${grids.join('\n')}</section>`;
}
