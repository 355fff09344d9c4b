/** The random-fill section of report.html: strict accuracy beside MMLU-Pro's convention, per condition with unscored answers. */
import type { Conventions } from '../../analysis/conventions.js';
import { escapeHtml } from '../escape.js';
import { pct } from '../format.js';
import { defineReportSection } from '../section.js';
import { htmlTable } from './table.js';

const HEADER = ['model', 'unscored', 'strict %', 'random fill (expected) %', 'random fill (seeded) %'];

const rows = (fill: Conventions['randomFill'][number]): string[][] =>
  fill.perModel.map((m) => [
    m.model,
    String(m.unscored),
    pct(m.strict),
    pct(m.randomFillExpected),
    pct(m.randomFillSeeded),
  ]);

const swapped = (fill: Conventions['randomFill'][number]): string =>
  fill.swappedPairs.length
    ? `Ordered differently: ${fill.swappedPairs.map((p) => `${p.a} / ${p.b}`).join('; ')}.`
    : 'No pair of models changes order.';

const INTRO =
  'Accuracy here is strict: an answer that could not be read is not correct. MMLU-Pro publishes with a random choice in its place instead; both are shown.';

export const conventionsSection = defineReportSection<Conventions>({
  name: 'random-fill',
  label: 'Random fill',
  statistic: 'conventions',
  html: (c) =>
    !c.randomFill.length
      ? ''
      : `<section id="random-fill"><h2>Unscored answers: strict and random fill</h2><p>${escapeHtml(INTRO)}</p>${c.randomFill
          .map(
            (fill) =>
              htmlTable({
                caption: `${fill.condition}`,
                csv: `random-fill-${fill.condition}`,
                columns: HEADER.map((text, k) => ({ text, numeric: k > 0 })),
                rows: rows(fill),
              }) + `<p>${escapeHtml(swapped(fill))}</p>`,
          )
          .join('')}</section>`,
});
