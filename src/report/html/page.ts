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
import { escapeHtml, jsonForScript } from '../escape.js';
import type { ReportInput } from '../input.js';
import type { SubjectRanking } from '../subjects.js';
import { headerSection } from './header.js';
import { itemSection } from './items.js';
import { chanceLevel, leaderboardSection } from './leaderboards.js';
import { modelSection } from './models.js';
import { probeSection } from './probes.js';
import { shiftSection } from './shifts.js';
import { subjectSection } from './subjects.js';

const asset = (name: string): string => fs.readFileSync(path.join(repoRoot, 'src', 'report', 'assets', name), 'utf8');

export interface PageParts {
  input: ReportInput;
  browser: BrowserData;
  subjects: SubjectRanking[];
  flips: FlipSummary;
}

const definitionList = (entries: Record<string, string>): string => `<dl class="methods">${Object.entries(entries)
  .map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>`;

/** Methods, each statistic's null in one sentence, and what this run cannot give. */
function methodsSection(a: ReportInput['analysis']): string {
  const nulls = a.nulls ? `<h3>What each statistic is tested against</h3>${definitionList(a.nulls)}` : '';
  const notApplicable = a.notApplicable?.length
    ? `<h3>Not applicable to this run</h3>${definitionList(Object.fromEntries(a.notApplicable.map((n) => [n.statistic, n.reason])))}`
    : '';
  return `<section id="methods"><h2>Methods</h2>${definitionList(a.methods)}${nulls}${notApplicable}</section>`;
}

const NAV: [string, string][] = [
  ['leaderboards', 'Leaderboards'], ['probes', 'Goodhart panel'], ['shifts', 'Rank shifts'], ['models', 'Models'], ['subjects', 'Subjects'], ['items', 'Items'], ['methods', 'Methods'],
];

export function renderPage({ input, browser, subjects, flips }: PageParts): string {
  const { analysis: a, summary } = input;
  const script = asset('client.js');
  const style = asset('style.css');
  const scriptHash = createHash('sha256').update(script, 'utf8').digest('base64');
  const csp = `default-src 'none'; script-src 'sha256-${scriptHash}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'`;
  const chance = chanceLevel(input.items.map((r) => r.order.length));
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
<nav class="top-nav" aria-label="Sections">${NAV.map(([id, label]) => `<a href="#${id}">${label}</a>`).join('')}</nav>
<main>
${headerSection(input)}
${leaderboardSection(a, chance)}
${input.probes ? probeSection(input.probes, a.models) : ''}
${shiftSection(a)}
${modelSection(a, flips, chance)}
${subjectSection(subjects, a.models, a.conditions.map((c) => c.name), a.settings.baseline)}
${itemSection(browser.note, browser.prompts.some((p) => p.some((x) => x !== null)), input.prompts.problem)}
${methodsSection(a)}
</main>
<footer>${escapeHtml(`${summary.tool.name} ${summary.tool.version} · study ${summary.study} · seed ${summary.seed}`)}</footer>
<script type="application/json" id="report-data">${jsonForScript(browser)}</script>
<script>${script}</script>
</body>
</html>
`;
}
