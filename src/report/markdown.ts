/**
 * report.md: the key tables of a run as GitHub-flavoured Markdown, for a README or a pull
 * request. Every cell is escaped, so names and benchmark text cannot break a table.
 */
import { escapeMarkdownCell } from './escape.js';
import { statisticSectionsMarkdown } from './section.js';
import './sections.js';
import { headline, headlineText } from './headline.js';
import { robustSetText } from './html/leaderboards.js';
import { fixed, pct, pctRange, pValue, rankRange, scoringLabel, signedPct } from './format.js';
import { isSimulated, type ReportInput } from './input.js';
import type { SubjectRanking } from './subjects.js';

/** A Markdown table; `numeric` columns are right-aligned. */
export function markdownTable(header: string[], rows: string[][], numeric: boolean[] = []): string {
  const line = (cells: string[]) => `| ${cells.map(escapeMarkdownCell).join(' | ')} |`;
  const rule = `|${header.map((_, k) => (numeric[k] ? ' ---: ' : ' --- ')).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

const TOP_SUBJECTS = 5;

export function renderMarkdown(input: ReportInput, subjects: SubjectRanking[]): string {
  const { summary, analysis: a } = input;
  const conf = `${Math.round(100 * a.settings.confidence)}% CI`;
  const out: string[] = [`# goodhart report: ${escapeMarkdownCell(summary.study)}`, ''];
  const simulated = summary.models.filter(isSimulated);
  if (simulated.length) {
    out.push(
      `> **Simulated models:** ${escapeMarkdownCell(simulated.map((m) => m.name).join(', '))} — not real language models; these numbers say nothing about any real model.`,
      '',
    );
  }
  out.push(`**${escapeMarkdownCell(headlineText(headline(a)))}**`, '');
  out.push(
    `${escapeMarkdownCell(summary.benchmark.description)}. ${a.items.n} items analysed` +
      `${a.items.incomplete ? ` (${a.items.incomplete} incomplete left out)` : ''}, ${a.models.length} models × ${a.conditions.length} conditions, ` +
      `baseline \`${summary.baseline.replace(/`/g, '')}\`, seed ${summary.seed}, ${escapeMarkdownCell(`${summary.tool.name} ${summary.tool.version}`)}. ` +
      `Intervals are ${conf}s; ${a.settings.bootstrap} paired bootstrap resamples over items.`,
    '',
    markdownTable(
      ['model', 'backend', 'identity'],
      summary.models.map((m) => [m.name, m.backend, m.id]),
    ),
  );

  const base = a.leaderboards.find((l) => l.condition === a.settings.baseline);
  if (base) {
    out.push(
      '',
      `## Baseline leaderboard (${escapeMarkdownCell(base.condition)})`,
      '',
      markdownTable(
        ['rank', 'model', 'accuracy %', conf, 'rank CI', 'tied group'],
        base.entries.map((e) => [
          String(e.rank),
          e.model,
          pct(e.accuracy),
          pctRange(e.ci),
          rankRange(e.rankCI),
          String(e.group),
        ]),
        [true, false, true, true, true, true],
      ),
    );
  }
  if (a.robust) {
    out.push(
      '',
      `## Robust leaderboard (mean over ${a.robust.conditions.length} conditions)`,
      '',
      escapeMarkdownCell(robustSetText(a)),
      '',
      markdownTable(
        ['rank', 'model', 'robust %', conf, 'worst %', 'worst under', 'rank CI', 'tied group'],
        a.robust.entries.map((e) => [
          String(e.rank),
          e.model,
          pct(e.mean),
          pctRange(e.ci),
          pct(e.worst),
          e.worstCondition,
          rankRange(e.rankCI),
          String(e.group),
        ]),
        [true, false, true, true, true, false, true, true],
      ),
    );
  }
  if (a.goodhartGap.length) {
    out.push(
      '',
      '## Goodhart gap (baseline − robust, paired per item)',
      '',
      markdownTable(
        ['model', 'baseline %', 'robust %', 'gap (points)', conf, 'Holm p', 'rank: baseline → robust', 'flag'],
        a.goodhartGap.map((g) => [
          g.model,
          pct(g.baselineAccuracy),
          pct(g.robustAccuracy),
          signedPct(g.gap),
          pctRange(g.ci),
          pValue(g.holmP),
          `${g.baselineRank} → ${g.robustRank}`,
          g.highOnlyUnderBaseline ? 'high only under the baseline' : '',
        ]),
        [false, true, true, true, true, true, false, false],
      ),
    );
  }

  const conditions = a.conditions.map((c) => c.name);
  out.push(
    '',
    '## Accuracy by condition (%, ★ = baseline)',
    '',
    markdownTable(
      ['condition', 'scoring', ...a.models],
      a.conditions.map((c) => [
        c.isBaseline ? `${c.name} ★` : c.name,
        scoringLabel(c),
        ...a.models.map((m) => pct(a.cells.find((x) => x.model === m && x.condition === c.name)?.accuracy)),
      ]),
      [false, false, ...a.models.map(() => true)],
    ),
  );
  out.push(
    '',
    `## Rank under each condition (${a.rankShifts.modelsMoved} of ${a.models.length} models move)`,
    '',
    markdownTable(
      ['model', ...conditions, 'range'],
      a.rankShifts.perModel.map((s) => [
        s.model,
        ...conditions.map((c) => String(s.ranks[c] ?? '–')),
        String(s.rankRange),
      ]),
      [false, ...conditions.map(() => true), true],
    ),
  );
  out.push(
    '',
    '## Agreement with the baseline',
    '',
    markdownTable(
      ['condition', 'Kendall τ-b', 'τ_k', 'Spearman ρ', 'models moved'],
      a.rankAgreement.vsBaseline.map((r) => [
        r.b,
        fixed(r.kendallTauB),
        fixed(r.tauK),
        fixed(r.spearmanRho),
        String(r.modelsMoved),
      ]),
      [false, true, true, true, true],
    ),
  );
  if (subjects.length) {
    const shown = subjects.slice(0, TOP_SUBJECTS);
    out.push(
      '',
      `## Subjects where the rankings disagree most${subjects.length > shown.length ? ` (${shown.length} of ${subjects.length})` : ''}`,
      '',
      markdownTable(
        ['subject', 'items', 'mean τ vs baseline', 'lowest τ', 'under', 'max rank range'],
        shown.map((s) => [
          s.subject,
          String(s.items),
          fixed(s.meanTau),
          fixed(s.minTau),
          s.minTauCondition ?? '–',
          String(s.maxRankRange),
        ]),
        [false, true, true, true, false, true],
      ),
    );
  }
  for (const section of statisticSectionsMarkdown(a)) out.push('', section);
  if (a.nulls) {
    out.push(
      '',
      '## What each statistic is tested against',
      '',
      ...Object.entries(a.nulls).map(([k, v]) => `- **${k}**: ${escapeMarkdownCell(v)}`),
    );
    out.push('', 'Formulas: docs/statistics.md in the goodhart repository.');
  }
  if (a.notApplicable?.length) {
    out.push(
      '',
      '## Not applicable to this run',
      '',
      ...a.notApplicable.map((n) => `- ${escapeMarkdownCell(n.statistic)}: ${escapeMarkdownCell(n.reason)}`),
    );
  }
  out.push('', 'Full report with charts and the item browser: `report.html`.', '');
  return out.join('\n');
}
