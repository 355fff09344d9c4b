/**
 * A report section that draws one statistic of analysis.json (declared with defineStatistic). The
 * sections registered here follow the built-in ones in report.html and report.md; a section that
 * returns '' is left out. report/sections.ts imports the built-in ones.
 */
import type { Analysis } from '../analysis/analysisTypes.js';
import { Registry } from '../core/registry.js';

export interface ReportSectionDefinition<T = unknown> {
  /** The section's id (its anchor in report.html). */
  name: string;
  /** Its label in the navigation bar. */
  label: string;
  /** The key of analysis.json it draws. */
  statistic: string;
  /** A `<section id="{name}">`, or '' when the result has nothing to show. */
  html(result: T, analysis: Analysis): string;
  /** Markdown from its `## heading` on, or ''. */
  markdown?(result: T, analysis: Analysis): string;
}

export const reportSectionRegistry = new Registry<ReportSectionDefinition>('report section');

/** Registers a section and returns it. */
export function defineReportSection<T>(definition: ReportSectionDefinition<T>): ReportSectionDefinition<T> {
  return reportSectionRegistry.add(definition as ReportSectionDefinition) as ReportSectionDefinition<T>;
}

/** [id, label, html] of each registered section whose statistic the analysis holds. */
export function statisticSectionsHtml(analysis: Analysis): [string, string, string][] {
  return reportSectionRegistry.all().flatMap((s) => {
    const result = (analysis as unknown as Record<string, unknown>)[s.statistic];
    return result === undefined ? [] : [[s.name, s.label, s.html(result, analysis)] as [string, string, string]];
  });
}

/** The Markdown of each registered section whose statistic the analysis holds. */
export function statisticSectionsMarkdown(analysis: Analysis): string[] {
  return reportSectionRegistry.all().flatMap((s) => {
    const result = (analysis as unknown as Record<string, unknown>)[s.statistic];
    const text = result === undefined || !s.markdown ? '' : s.markdown(result, analysis);
    return text ? [text] : [];
  });
}
