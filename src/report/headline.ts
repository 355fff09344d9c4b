/**
 * The report's answer in two to four sentences, from analysis.json alone: how much the leaderboard
 * moves, where its leader changes, how well the conditions agree, who leads once perturbations
 * count and the largest Goodhart gap. Names are kept apart from the prose so each output can
 * isolate them (bidirectional text) and escape them its own way.
 */
import type { Analysis } from '../analysis/index.js';
import { escapeHtml } from './escape.js';
import { fixed, isNum, pct, pctRange, plural, signedPct } from './format.js';

/** A sentence: prose, and names from the data (models, conditions) that are isolated when shown. */
export type Part = string | { name: string };
export type Sentence = Part[];

const names = (list: readonly string[], max = 3): Part[] => {
  const shown = list.slice(0, max);
  const parts: Part[] = [];
  shown.forEach((n, i) => {
    if (i > 0) parts.push(i === shown.length - 1 && list.length <= max ? ' and ' : ', ');
    parts.push({ name: n });
  });
  if (list.length > max) parts.push(` and ${list.length - max} more`);
  return parts;
};

const leaders = (a: Analysis, condition: string): string[] =>
  a.leaderboards
    .find((l) => l.condition === condition)
    ?.entries.filter((e) => e.rank === 1)
    .map((e) => e.model) ?? [];

/** How many models change rank, and under which conditions the baseline's leader is not first. */
function movementSentence(a: Analysis): Sentence {
  const base = leaders(a, a.settings.baseline);
  const changed = a.conditions
    .map((c) => c.name)
    .filter((c) => c !== a.settings.baseline && leaders(a, c).join('\u0000') !== base.join('\u0000'));
  // analysis.json files written before noise floors existed have only the raw movement.
  const beyond = (a.rankShifts as { modelsMovedBeyondNoise?: number }).modelsMovedBeyondNoise;
  const moved: Sentence = [
    typeof beyond === 'number'
      ? `${beyond} of ${plural(a.models.length, 'model')} swap order with another model beyond noise under the robust set's conditions ` +
        `(${a.rankShifts.modelsMoved} change rank at all under the ${a.conditions.length - 1} other conditions)`
      : `${a.rankShifts.modelsMoved} of ${plural(a.models.length, 'model')} change rank under at least one of the ${a.conditions.length - 1} other conditions`,
  ];
  if (changed.length === 0) return [...moved, '; the leader, ', ...names(base), ', stays first under every condition.'];
  return [...moved, `; the baseline's leader, `, ...names(base), `, is not first under `, ...names(changed), '.'];
}

/** The spread of Kendall τ between each condition's ranking and the baseline's. */
function agreementSentence(a: Analysis): Sentence | null {
  // The raw range of τ; to be set against τ's noise floor once the analysis provides it.
  const taus = a.rankAgreement.vsBaseline.filter((r) => isNum(r.kendallTauB));
  if (taus.length === 0) return null;
  const lo = taus.reduce((x, y) => (y.kendallTauB! < x.kendallTauB! ? y : x));
  const hi = taus.reduce((x, y) => (y.kendallTauB! > x.kendallTauB! ? y : x));
  if (lo === hi) return [`Kendall τ with the baseline's ranking is ${fixed(lo.kendallTauB)} (`, { name: lo.b }, ').'];
  return [
    `Kendall τ with the baseline's ranking ranges from ${fixed(lo.kendallTauB)} (`,
    { name: lo.b },
    `) to ${fixed(hi.kendallTauB)} (`,
    { name: hi.b },
    ').',
  ];
}

function robustSentence(a: Analysis): Sentence | null {
  const r = a.robust;
  if (!r || r.entries.length === 0) return null;
  const top = r.entries[0];
  const tied = r.tiedGroups[top.group - 1]?.filter((m) => m !== top.model) ?? [];
  const out: Sentence = [
    `Over ${plural(r.conditions.length, 'condition')}, `,
    { name: top.model },
    ` leads the robust leaderboard at ${pct(top.mean)}% [${pctRange(top.ci)}]`,
  ];
  return tied.length
    ? [...out, ', statistically tied with ', ...names(tied), '.']
    : [...out, '; the paired tests separate it from every other model.'];
}

function gapSentence(a: Analysis): Sentence | null {
  if (a.goodhartGap.length === 0) return null;
  const g = a.goodhartGap.reduce((x, y) => (y.gap > x.gap ? y : x));
  const flagged = a.goodhartGap.filter((x) => x.highOnlyUnderBaseline).length;
  return [
    'The largest Goodhart gap is ',
    { name: g.model },
    `'s ${signedPct(g.gap)} points [${pctRange(g.ci)}] (rank ${g.baselineRank} at the baseline, ${g.robustRank} robust); ` +
      (flagged
        ? `${plural(flagged, 'model')} ${flagged === 1 ? 'is' : 'are'} high only under the baseline.`
        : 'no model is significantly high only under the baseline.'),
  ];
}

/** A run with one condition: who leads, how many the tests cannot separate, how spread the field is. */
function singleConditionSentences(a: Analysis): Sentence[] {
  const lb = a.leaderboards.find((l) => l.condition === a.settings.baseline) ?? a.leaderboards[0];
  if (!lb || lb.entries.length === 0) return [];
  const top = lb.entries[0];
  const last = lb.entries[lb.entries.length - 1];
  const tied = lb.tiedGroups[top.group - 1]?.filter((m) => m !== top.model) ?? [];
  return [
    [
      { name: top.model },
      ` leads ${plural(a.models.length, 'model')} on ${a.items.n.toLocaleString('en')} items at ${pct(top.accuracy)}% [${pctRange(top.ci)}]`,
      ...(tied.length
        ? [', statistically tied with ', ...names(tied), '.']
        : ['; no other model is within its interval.']),
    ],
    [
      `The paired tests separate the models into ${plural(lb.tiedGroups.length, 'tied group')}; accuracy runs from ${pct(last.accuracy)}% to ${pct(top.accuracy)}%. ` +
        'This run has one condition, so it cannot say how the order moves under perturbations.',
    ],
  ];
}

export function headline(a: Analysis): Sentence[] {
  if (a.conditions.length < 2) return singleConditionSentences(a);
  return [movementSentence(a), agreementSentence(a), robustSentence(a), gapSentence(a)].filter(
    (s): s is Sentence => s !== null,
  );
}

export function headlineHtml(sentences: Sentence[]): string {
  return sentences
    .map((s) => s.map((p) => (typeof p === 'string' ? escapeHtml(p) : `<bdi>${escapeHtml(p.name)}</bdi>`)).join(''))
    .join(' ');
}

/** Plain text with each name between Unicode isolates (FSI … PDI), for Markdown and tests. */
export function headlineText(sentences: Sentence[]): string {
  return sentences.map((s) => s.map((p) => (typeof p === 'string' ? p : `\u2068${p.name}\u2069`)).join('')).join(' ');
}
