/**
 * Number formatting shared by the HTML and Markdown reports. Statistics that are undefined for
 * the data at hand are NaN in memory and null once read back from analysis.json; both print "–".
 */

export type Num = number | null | undefined;

export const isNum = (x: Num): x is number => typeof x === 'number' && Number.isFinite(x);

/** A percentage with one decimal, with a real minus sign and never "-0.0". */
export const pct = (x: Num): string =>
  isNum(x)
    ? (100 * x)
        .toFixed(1)
        .replace(/^-(0\.0)$/, '$1')
        .replace('-', '−')
    : '–';

/** A signed percentage-point difference. */
export function signedPct(x: Num): string {
  const s = pct(x);
  return isNum(x) && x > 0 && s !== '0.0' ? `+${s}` : s;
}

/** "lo to hi" in percent (a dash would read as a minus sign), or "–". */
export const pctRange = (ci: readonly Num[] | null | undefined): string =>
  ci && isNum(ci[0]) && isNum(ci[1]) ? `${pct(ci[0])} to ${pct(ci[1])}` : '–';

/** A rank interval "2–4", or one number when it is a single rank. */
export function rankRange(ci: readonly Num[] | null | undefined): string {
  if (!ci || !isNum(ci[0]) || !isNum(ci[1])) return '–';
  return ci[0] === ci[1] ? String(ci[0]) : `${ci[0]}–${ci[1]}`;
}

export const fixed = (x: Num, digits = 2): string => (isNum(x) ? x.toFixed(digits).replace(/^-/, '−') : '–');

/** A p-value: small ones as "<0.001". */
export const pValue = (p: Num): string => (!isNum(p) ? '–' : p < 0.001 ? '<0.001' : p.toFixed(3));

export const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** Describe a condition's scoring in a few words: "symbol", "cloze/pmi". */
export const scoringLabel = (c: { scoring: string; normalization: string }): string =>
  c.normalization === 'none' ? c.scoring : `${c.scoring}/${c.normalization}`;
