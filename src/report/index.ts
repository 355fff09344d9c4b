/**
 * `goodhart report`: from a run folder, a self-contained report.html (charts, sortable tables,
 * item browser) and report.md (the key tables, for a README or a pull request).
 */
import path from 'node:path';
import { writeFileAtomic } from '../output/run-dir.js';
import { browserData, flipSummary } from './browser.js';
import { compareRuns, readRunData, type RunComparison } from './compare.js';
import { renderPage } from './html/page.js';
import { readReportInput, type ReportInput, type ReportOptions } from './input.js';
import { renderMarkdown } from './markdown.js';
import { subjectRankings } from './subjects.js';

export type { ReportInput, ReportOptions } from './input.js';

export function renderReport(
  input: ReportInput,
  comparison: RunComparison | null = null,
): { html: string; markdown: string } {
  const { analysis: a, summary } = input;
  const conditions = a.conditions.map((c) => c.name);
  const flips = flipSummary(input.items, a.models);
  const browser = browserData(
    input.items,
    a.models,
    summary.conditions,
    summary.baseline,
    input.prompts,
    input.maxItems,
  );
  const subjects = subjectRankings(input.items, a.models, conditions, a.settings.baseline);
  return {
    html: renderPage({ input, browser, subjects, flips, comparison }),
    markdown: renderMarkdown(input, subjects),
  };
}

/** Write report.html and report.md into the run folder; returns their paths and what is missing from them. */
export async function writeReport(
  dir: string,
  opts: ReportOptions = {},
): Promise<{ html: string; markdown: string; warnings: string[] }> {
  const input = await readReportInput(dir, opts);
  const comparison = opts.compare
    ? compareRuns(
        { dir, study: input.summary.study, items: input.items, analysis: input.analysis },
        readRunData(opts.compare),
      )
    : null;
  const { html, markdown } = renderReport(input, comparison);
  const files = { html: path.join(dir, 'report.html'), markdown: path.join(dir, 'report.md') };
  // Whole or not at all: a viewer reloading the page never sees half a report.
  writeFileAtomic(files.html, html);
  writeFileAtomic(files.markdown, markdown);
  return { ...files, warnings: input.prompts.problem ? [input.prompts.problem] : [] };
}
