import { defineReportSection, escapeHtml, htmlTable } from '../../src/registry.js';
import type { ErrorConsistency } from './error-consistency.statistic.js';

/** report.html: one row per pair of models, most alike first. */
export const errorConsistencySection = defineReportSection<ErrorConsistency>({
  name: 'error-consistency',
  label: 'Error consistency',
  statistic: 'errorConsistency',
  html: (result) => {
    if (!result.pairs.length) return '';
    const rows = [...result.pairs]
      .sort((p, q) => (q.kappa ?? -2) - (p.kappa ?? -2))
      .map((p) => [p.a, p.b, { text: p.kappa === null ? '–' : p.kappa.toFixed(2), sort: p.kappa }]);
    return `<section id="error-consistency"><h2>Error consistency under ${escapeHtml(result.condition)}</h2>${htmlTable({
      columns: [{ text: 'model' }, { text: 'model' }, { text: 'kappa', numeric: true }],
      rows,
      csv: 'error-consistency',
    })}</section>`;
  },
});
