/**
 * The top of the report: the study's name, a banner when any model is simulated rather than a
 * real model, and the answer in a few sentences. What was run (benchmark, models with their
 * identity, conditions, seed, tool version) follows the results, collapsed.
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
  return c.perturbations
    .map((p) => {
      const args =
        p.args && typeof p.args === 'object' && Object.keys(p.args).length ? ` ${JSON.stringify(p.args)}` : '';
      return `${p.name}${args}`;
    })
    .join(' → ');
}

export function aboutSection(input: ReportInput): string {
  const { summary, analysis } = input;
  const facts: [string, string][] = [
    ['Benchmark', summary.benchmark.description],
    [
      'Items analysed',
      `${analysis.items.n}${analysis.items.incomplete ? ` (${analysis.items.incomplete} incomplete items left out)` : ''}` +
        `${analysis.items.subjects ? ` in ${analysis.items.subjects} subjects` : ''}`,
    ],
    ['Models', String(summary.models.length)],
    ['Conditions', String(summary.conditions.length)],
    ['Baseline', summary.baseline],
    ['Seed', String(summary.seed)],
    [
      'Intervals',
      `${Math.round(100 * analysis.settings.confidence)}%, ${analysis.settings.bootstrap} paired bootstrap resamples`,
    ],
    // An imported run made no requests: nothing to say.
    ...(summary.requests.total > 0
      ? [
          [
            'Requests',
            `${summary.requests.total} total, ${summary.requests.unique} unique, ${summary.requests.failed} failed`,
          ] as [string, string],
        ]
      : []),
    ['Tool', `${summary.tool.name} ${summary.tool.version}`],
  ];
  const models = htmlTable({
    caption: 'Models',
    id: 'models-table',
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
    id: 'conditions-table',
    columns: [{ text: 'condition' }, { text: 'scoring' }, { text: 'perturbations' }, { text: 'in robust score' }],
    rows: summary.conditions.map((c) => [
      {
        text: c.name + (c.name === summary.baseline ? ' ★' : ''),
        cls: c.name === summary.baseline ? 'name marked' : 'name',
      },
      scoringLabel(c),
      { text: perturbationText(c), cls: 'mono' },
      analysis.settings.perturbations.includes(c.name) ? 'yes' : 'no',
    ]),
  });
  return `<section id="about"><h2>About this run</h2>
<details class="about"><summary>Benchmark, ${escapeHtml(plural(summary.models.length, 'model'))} with their identities, ${escapeHtml(plural(summary.conditions.length, 'condition'))}, seed and tool</summary>
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>
${models}
<h3>Conditions <span class="muted">(★ = baseline)</span></h3>${conditions}</details></section>`;
}

export function headerSection(input: ReportInput, headline: string): string {
  const { summary } = input;
  const simulated = summary.models.filter(isSimulated);
  const description = (summary.spec as { description?: unknown } | null)?.description;
  const who =
    simulated.length === summary.models.length && simulated.length > 3
      ? `All ${simulated.length} models are`
      : `${simulated.map((m) => `<bdi>${escapeHtml(m.name)}</bdi>`).join(', ')} ${simulated.length === 1 ? 'is' : 'are'}`;
  const banner = simulated.length
    ? `<div class="banner" role="alert"><strong>Simulated models.</strong> ${who} simulated, not real language models: ` +
      'these results demonstrate the method and say nothing about any real model.</div>'
    : '';
  return `<header class="report-header" id="top">
<p class="kicker">goodhart report</p>
<h1>${escapeHtml(summary.study)}</h1>
${typeof description === 'string' ? `<p class="lede">${escapeHtml(description)}</p>` : ''}
${banner}
<p class="headline" id="headline">${headline}</p>
</header>`;
}
