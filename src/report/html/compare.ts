/** The comparison with another run, when the report was asked for one. */
import type { RunComparison } from '../compare.js';
import { escapeHtml } from '../escape.js';
import { pct, pctRange, plural, rankRange, signedPct } from '../format.js';
import { htmlTable } from './table.js';

const list = (names: string[]) => (names.length ? names.map((n) => `<bdi>${escapeHtml(n)}</bdi>`).join(', ') : 'none');

export function compareSection(c: RunComparison): string {
  const moved = c.models.filter((m) => m.movedBeyondNoise);
  const conf = `${Math.round(100 * c.confidence)}%`;
  const table = htmlTable({
    id: 'compare-table',
    cls: 'compact',
    csv: 'comparison',
    groups: [
      { text: '', span: 2 },
      { text: 'accuracy on shared items', span: 4 },
      { text: `rank under ${c.condition}`, span: 3 },
    ],
    columns: [
      { text: 'model' },
      { text: 'items', numeric: true },
      { text: 'this run %', numeric: true },
      { text: 'other run %', numeric: true },
      { text: 'change (points)', numeric: true },
      { text: `${conf} CI`, numeric: true },
      { text: 'this run', numeric: true },
      { text: 'other run', numeric: true },
      { text: 'beyond noise' },
    ],
    rows: [...c.models]
      .sort((x, y) => (x.rank ?? Infinity) - (y.rank ?? Infinity))
      .map((m) => [
        { text: m.model, cls: 'name' },
        { text: String(m.items), sort: m.items },
        { text: pct(m.accuracy), sort: m.accuracy },
        { text: pct(m.otherAccuracy), sort: m.otherAccuracy },
        { text: signedPct(m.difference), sort: m.difference },
        { text: pctRange(m.ci), sort: m.ci[0] },
        { text: `${m.rank ?? '–'} (${rankRange(m.rankCI)})`, sort: m.rank },
        { text: `${m.otherRank ?? '–'} (${rankRange(m.otherRankCI)})`, sort: m.otherRank },
        { text: m.movedBeyondNoise ? 'moved' : '', cls: m.movedBeyondNoise ? 'flag' : '' },
      ]),
  });
  return `<section id="compare"><h2>Compared with ${escapeHtml(c.otherStudy)}</h2>
<p class="note">The other run: <code>${escapeHtml(c.other)}</code>. Models added here: ${list(c.added)}. Models only in the other run: ${list(c.removed)}.
Accuracy changes are paired per item on the items both runs scored under <bdi>${escapeHtml(c.condition)}</bdi>, with ${conf} intervals;
a rank moved beyond noise when its rank intervals (in brackets) in the two runs do not overlap:
${moved.length ? `${plural(moved.length, 'model')} (${list(moved.map((m) => m.model))})` : 'no model'}.</p>
${table}</section>`;
}
