/**
 * The top of the report: what was run (study, benchmark, models with their identity, conditions,
 * seed, tool version) and a banner when any model is simulated rather than a real model.
 */
import type { ConditionInfo } from '../../core/results.js';
import type { ModelIdentity } from '../../core/types.js';
import { escapeHtml } from '../escape.js';
import { plural, scoringLabel } from '../format.js';
import { isSimulated, type ReportInput } from '../input.js';
import { htmlTable } from './table.js';

/** Identity details as "key: value" pairs, leaving out what the identity already says (a content hash). */
function detailsText(m: ModelIdentity): string {
  return Object.entries(m.details ?? {})
    .filter(([, v]) => v !== undefined && v !== null && typeof v !== 'object' && !m.id.includes(String(v)))
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join('; ');
}

const shortId = (id: string): string => id.replace(/([0-9a-f]{12})[0-9a-f]{20,}/i, '$1…');

function perturbationText(c: ConditionInfo): string {
  if (c.perturbations.length === 0) return 'none';
  return c.perturbations.map((p) => {
    const args = p.args && typeof p.args === 'object' && Object.keys(p.args).length ? ` ${JSON.stringify(p.args)}` : '';
    return `${p.name}${args}`;
  }).join(' → ');
}

export function headerSection(input: ReportInput): string {
  const { summary, analysis } = input;
  const simulated = summary.models.filter(isSimulated);
  const description = (summary.spec as { description?: unknown } | null)?.description;
  const facts: [string, string][] = [
    ['Benchmark', summary.benchmark.description],
    ['Items analysed', `${analysis.items.n}${analysis.items.incomplete ? ` (${analysis.items.incomplete} incomplete items left out)` : ''}` +
      `${analysis.items.subjects ? ` in ${analysis.items.subjects} subjects` : ''}`],
    ['Models', String(summary.models.length)],
    ['Conditions', String(summary.conditions.length)],
    ['Baseline', summary.baseline],
    ['Seed', String(summary.seed)],
    ['Intervals', `${Math.round(100 * analysis.settings.confidence)}%, ${analysis.settings.bootstrap} paired bootstrap resamples`],
    ['Requests', `${summary.requests.total} total, ${summary.requests.unique} unique, ${summary.requests.failed} failed`],
    ['Tool', `${summary.tool.name} ${summary.tool.version}`],
  ];
  const banner = simulated.length
    ? `<div class="banner" role="alert"><strong>Simulated models.</strong> ${escapeHtml(simulated.map((m) => m.name).join(', '))} ` +
      `${simulated.length === 1 ? 'is' : 'are'} simulated, not real language models: these results demonstrate the method and say nothing about any real model.</div>`
    : '';
  const models = htmlTable({
    caption: 'Models',
    columns: [{ text: 'model' }, { text: 'backend' }, { text: 'identity' }, { text: 'details' }],
    rows: summary.models.map((m) => [
      { text: m.name, cls: isSimulated(m) ? 'name simulated' : 'name' },
      m.backend,
      { text: shortId(m.id), title: m.id, cls: 'mono' },
      { text: detailsText(m), cls: 'details' },
    ]),
  });
  const conditions = htmlTable({
    cls: 'compact',
    columns: [{ text: 'condition' }, { text: 'scoring' }, { text: 'perturbations' }, { text: 'in robust score' }],
    rows: summary.conditions.map((c) => [
      { text: c.name + (c.name === summary.baseline ? ' ★' : ''), cls: c.name === summary.baseline ? 'name marked' : 'name' },
      scoringLabel(c),
      { text: perturbationText(c), cls: 'mono' },
      analysis.settings.perturbations.includes(c.name) ? 'yes' : 'no',
    ]),
  });
  return `<header class="report-header" id="top">
<p class="kicker">goodhart report</p>
<h1>${escapeHtml(summary.study)}</h1>
${typeof description === 'string' ? `<p class="lede">${escapeHtml(description)}</p>` : ''}
${banner}
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>
${models}
<details class="conditions"><summary>${escapeHtml(`${plural(summary.conditions.length, 'condition')}: ` +
    summary.conditions.map((c) => (c.name === summary.baseline ? `${c.name} ★` : c.name)).join(', '))}
<span class="muted">(★ = baseline; open for scoring and perturbations)</span></summary>${conditions}</details>
</header>`;
}
