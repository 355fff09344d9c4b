/**
 * The whole report as one self-contained HTML file: styles, data and script inline, nothing
 * fetched. A Content-Security-Policy allows only the report's own script (by hash) and no network,
 * so even text that slipped through escaping could not run or load anything.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../core/paths.js';
import type { BrowserData, FlipSummary } from '../browser.js';
import { escapeHtml } from '../escape.js';
import { isNum } from '../format.js';
import { headline, headlineHtml } from '../headline.js';
import type { ReportInput } from '../input.js';
import { packBrowserData } from '../payload.js';
import type { SubjectRanking } from '../subjects.js';
import { compareSection } from './compare.js';
import { designSection } from './design.js';
import type { RunComparison } from '../compare.js';
import { aboutSection, headerSection } from './header.js';
import { itemSection } from './items.js';
import { baselineSection, chanceLevel, leaderboardSection } from './leaderboards.js';
import { modelSection } from './models.js';
import { probeSection } from './probes.js';
import { statisticSectionsHtml } from '../section.js';
import '../sections.js';
import { shiftSection } from './shifts.js';
import { subjectSection } from './subjects.js';
import { allFailSection, conditionHeatmapSection, subjectHeatmap } from './views.js';

const asset = (name: string): string => fs.readFileSync(path.join(repoRoot, 'src', 'report', 'assets', name), 'utf8');

export interface PageParts {
  input: ReportInput;
  browser: BrowserData;
  subjects: SubjectRanking[];
  flips: FlipSummary;
  comparison?: RunComparison | null;
}

const definitionList = (entries: Record<string, string>): string =>
  `<dl class="methods">${Object.entries(entries)
    .map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`)
    .join('')}</dl>`;

/** Methods, each statistic's null in one sentence, and what this run cannot give. */
function methodsSection(a: ReportInput['analysis']): string {
  const nulls = a.nulls ? `<h3>What each statistic is tested against</h3>${definitionList(a.nulls)}` : '';
  const notApplicable = a.notApplicable?.length
    ? `<h3>Not applicable to this run</h3>${definitionList(Object.fromEntries(a.notApplicable.map((n) => [n.statistic, n.reason])))}`
    : '';
  return `<section id="methods"><h2>Methods</h2>${definitionList(a.methods)}${nulls}${notApplicable}</section>`;
}

const hasProbes = (p: ReportInput['probes']): p is NonNullable<ReportInput['probes']> =>
  p !== null &&
  (p.choicesOnly !== null || p.answerOrderMemory.some((m) => isNum(m.expected)) || (p.minK?.length ?? 0) > 0);

/** The sections in reading order, each with its id and navigation label; empty ones are left out. */
function sections(
  { input, browser, subjects, flips, comparison }: PageParts,
  chance: number | null,
): [string, string, string][] {
  const { analysis: a } = input;
  const multi = a.conditions.length > 1;
  const conditions = a.conditions.map((c) => c.name);
  return (
    [
      ['leaderboard', 'Leaderboard', leaderboardSection(a, chance)],
      ['compare', 'Comparison', comparison ? compareSection(comparison) : ''],
      ['conditions', 'Conditions', conditionHeatmapSection(a)],
      ['baseline', 'Gap', baselineSection(a, chance)],
      ['shifts', 'Rank shifts', multi ? shiftSection(a) : ''],
      ['probes', 'Goodhart panel', hasProbes(input.probes) ? probeSection(input.probes, a.models) : ''],
      [
        'subjects',
        'Subjects',
        subjectSection(subjects, a.models, conditions, a.settings.baseline, subjectHeatmap(a, input.items)),
      ],
      ['all-wrong', 'All wrong', allFailSection(a, input.items, input.prompts)],
      ['design', 'Design', designSection(input.design)],
      ...statisticSectionsHtml(a),
      ['models', 'Models', multi ? modelSection(a, flips, chance) : ''],
      [
        'items',
        'Items',
        itemSection(
          browser.note,
          browser.prompts.some((p) => p.some((x) => x !== null)),
          input.prompts.problem,
        ),
      ],
      ['methods', 'Methods', methodsSection(a)],
      ['about', 'About', aboutSection(input)],
    ] as [string, string, string][]
  ).filter(([, , html]) => html !== '');
}

export function renderPage(parts: PageParts): string {
  const { input, browser } = parts;
  const { analysis: a, summary } = input;
  const script = asset('client.js');
  const style = asset('style.css');
  const scriptHash = createHash('sha256').update(script, 'utf8').digest('base64');
  const csp = `default-src 'none'; script-src 'sha256-${scriptHash}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
  const chance = chanceLevel(input.items.map((r) => r.order.length));
  const body = sections(parts, chance);
  const data = packBrowserData(browser);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(`${summary.tool.name} ${summary.tool.version}`)}">
<title>${escapeHtml(`${summary.study} — goodhart report`)}</title>
<style>${style}</style>
</head>
<body>
<nav class="top-nav" aria-label="Sections">${body.map(([id, label]) => `<a href="#${id}">${label}</a>`).join('')}</nav>
<main>
${headerSection(input, headlineHtml(headline(a)))}
${body.map(([, , html]) => html).join('\n')}
</main>
<footer>${escapeHtml(`${summary.tool.name} ${summary.tool.version} · study ${summary.study} · seed ${summary.seed}`)}</footer>
<script type="application/gzip" id="report-data">${data.json}</script>
<script type="application/gzip" id="report-scores">${data.scores}</script>
<script>${script}</script>
</body>
</html>
`;
}
