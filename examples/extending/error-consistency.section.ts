import { defineReportSection, escapeHtml, escapeMarkdownCell, htmlTable, markdownTable } from '../../src/registry.js';
import type { ErrorConsistency } from './error-consistency.statistic.js';

/** One row per pair of models, most alike first. */
const mostAlikeFirst = (result: ErrorConsistency) =>
  [...result.pairs].sort((p, q) => (q.kappa ?? -2) - (p.kappa ?? -2));
const kappa = (k: number | null) => (k === null ? '–' : k.toFixed(2));

export const errorConsistencySection = defineReportSection<ErrorConsistency>({
  name: 'error-consistency',
  label: 'Error consistency',
  statistic: 'errorConsistency',
  html: (result) => {
    if (!result.pairs.length) return '';
    const rows = mostAlikeFirst(result).map((p) => [p.a, p.b, { text: kappa(p.kappa), sort: p.kappa }]);
    return `<section id="error-consistency"><h2>Error consistency under ${escapeHtml(result.condition)}</h2>${htmlTable(
      {
        columns: [{ text: 'model' }, { text: 'model' }, { text: 'kappa', numeric: true }],
        rows,
        csv: 'error-consistency',
      },
    )}</section>`;
  },
  markdown: (result) =>
    !result.pairs.length
      ? ''
      : [
          `## Error consistency under ${escapeMarkdownCell(result.condition)}`,
          '',
          markdownTable(
            ['model', 'model', 'kappa'],
            mostAlikeFirst(result).map((p) => [p.a, p.b, kappa(p.kappa)]),
            [false, false, true],
          ),
        ].join('\n'),
});
