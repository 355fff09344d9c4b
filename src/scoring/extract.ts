/**
 * Reading the answer out of a generated text. A rule is a cascade of regular expressions tried in
 * order; the first that matches names the label. Labels are the shown symbols (so a condition
 * that shows "1." … "4." reads digits), matched as whole words.
 */
import { UserError } from '../core/errors.js';

/**
 * `mmlu-pro`: MMLU-Pro's cascade (TIGER-AI-Lab/MMLU-Pro, evaluate_from_local.py extract_answer →
 * extract_again → extract_final): `answer is \(?([A-J])\)?`, then `.*[aA]nswer:\s*([A-J])`, then
 * the last standalone letter `\b[A-J]\b(?!.*\b[A-J]\b)` (DOTALL).
 * `leading-letter`: the text starts with a label ("B", " (B)", "B. Paris").
 * Custom: regular expressions (JavaScript syntax) in which `{label}` stands for any label; group 1
 * (or the whole match when there is no group) is the label.
 */
export type ExtractionRule =
  'mmlu-pro' | 'leading-letter' | { patterns: (string | { regex: string; flags?: string })[] };

/** Python's `\w` on str patterns: Unicode letters and digits, and "_". */
const WORD = '[\\p{L}\\p{N}_]';
/** Python's `\b` before and after a label made of word characters: no word character beside it. */
const START = `(?<!${WORD})`;
const END = `(?!${WORD})`;
/** Python's `\s` (str patterns): Unicode whitespace and \x1c-\x1f, but not the BOM JavaScript counts. */
const SPACE = '(?:(?!\\ufeff)[\\s\\x1c-\\x1f])';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Any one label, longest first so that "IV" is not read as "I". */
function labelAlternation(labels: readonly string[]): string {
  return `(?:${[...labels]
    .sort((a, b) => b.length - a.length)
    .map(escape)
    .join('|')})`;
}

interface Compiled {
  regex: RegExp;
  /** Group holding the label (0: the whole match). */
  group: number;
  /** Python's `.*X` search: of the matches of X, the last one on the first line that has one. */
  lastOnFirstLine?: boolean;
}

/** MMLU-Pro's three patterns with the label class in place of [A-J] (`.` without DOTALL matches all but \n in Python). */
function mmluPro(l: string): Compiled[] {
  return [
    { regex: new RegExp(`answer is \\(?(${l})\\)?`, 'u'), group: 1 },
    // `.*[aA]nswer:\s*X` read without its leading `.*`, which costs a scan of the line per start position.
    { regex: new RegExp(`[aA]nswer:${SPACE}*(${l})`, 'gu'), group: 1, lastOnFirstLine: true },
    { regex: new RegExp(`${START}${l}${END}(?![^]*${START}${l}${END})`, 'u'), group: 0 },
  ];
}

const leadingLetter = (l: string): Compiled[] => [
  { regex: new RegExp(`^${SPACE}*\\(?(${l})(?:\\)|${END})`, 'u'), group: 1 },
];

function custom(rule: Exclude<ExtractionRule, string>, l: string, where: string): Compiled[] {
  return rule.patterns.map((p, i) => {
    const { regex, flags = '' } = typeof p === 'string' ? { regex: p } : p;
    let compiled: RegExp;
    try {
      compiled = new RegExp(
        regex.replaceAll('{label}', `(${l})`),
        flags.includes('u') || flags.includes('v') ? flags : `${flags}u`,
      );
    } catch (e) {
      throw new UserError(
        `extraction pattern is not a valid regular expression: ${(e as Error).message}`,
        `${where}.patterns.${i}`,
      );
    }
    // Capturing groups counted by matching the pattern or nothing against the empty string.
    const groups = new RegExp(`${compiled.source}|`, compiled.flags).exec('')!.length - 1;
    return { regex: compiled, group: groups > 0 ? 1 : 0 };
  });
}

export interface Extractor {
  /** The label the text gives as its answer, or null when no pattern matches. */
  (text: string): string | null;
}

/** An extractor for this rule over these labels (`where` names the setting in errors). */
export function makeExtractor(rule: ExtractionRule, labels: readonly string[], where = 'extraction'): Extractor {
  if (labels.length === 0) throw new Error('an extractor needs at least one label');
  const l = labelAlternation(labels);
  const cascade =
    rule === 'mmlu-pro' ? mmluPro(l) : rule === 'leading-letter' ? leadingLetter(l) : custom(rule, l, where);
  return (text) => {
    for (const { regex, group, lastOnFirstLine } of cascade) {
      const m = lastOnFirstLine ? lastMatchOnFirstLine(regex, text) : regex.exec(text);
      if (m && m[group] !== undefined) return m[group];
    }
    return null;
  };
}

/** With a global regex: the last match that starts on the line of the first match. */
function lastMatchOnFirstLine(regex: RegExp, text: string): RegExpExecArray | null {
  regex.lastIndex = 0;
  const first = regex.exec(text);
  if (!first) return null;
  const lineEnd = text.indexOf('\n', first.index);
  let last = first;
  for (let m = regex.exec(text); m && (lineEnd < 0 || m.index < lineEnd); m = regex.exec(text)) last = m;
  return last;
}
