/**
 * Memorization probe (Min-K% Prob, Shi et al. 2024): the mean of the lowest k% token log-probs of
 * an item's question read after a neutral prefix. Text a model has seen verbatim has few very
 * unlikely tokens. The same question with names, numbers and word order changed by seeded rules is
 * a control the model cannot have seen in that form; the probe reports how the two distributions
 * differ (paired shift with a CI, and an AUC), never a verdict.
 */
import { rngFor, randInt, type Rng } from '../core/rng.js';
import { normalInterval, type Interval } from '../analysis/accuracy.js';

/** Mean of the lowest ceil(k·n) token log-probs. */
export function minKScore(tokenLogprobs: readonly number[], k: number): number {
  if (tokenLogprobs.length === 0) return NaN;
  const sorted = [...tokenLogprobs].sort((a, b) => a - b);
  const take = Math.max(1, Math.ceil(k * sorted.length));
  let sum = 0;
  for (let i = 0; i < take; i++) sum += sorted[i];
  return sum / take;
}

const NAMES = ['Alice', 'Boris', 'Chen', 'Dalia', 'Emeka', 'Farah', 'Goran', 'Hana', 'Ivan', 'Jaya', 'Kofi', 'Lena'];

function otherNumber(digits: string, rng: Rng): string {
  let out = '';
  for (let i = 0; i < digits.length; i++)
    out += String(i === 0 && digits.length > 1 ? 1 + randInt(rng, 9) : randInt(rng, 10));
  return out === digits ? String((Number(digits) + 1) % 10 ** digits.length).padStart(digits.length, '0') : out;
}

/**
 * The control version of a question: every number replaced by another of the same length, every
 * capitalized word inside a sentence replaced by a name, and two adjacent words swapped. Seeded by
 * the item, so the control is the same in every run.
 */
export function controlText(text: string, seed: number, itemId: string): string {
  const rng = rngFor(seed, itemId, 'min-k-control');
  let out = text.replace(/\d+/g, (d) => otherNumber(d, rng));
  out = out.replace(/(?<=[a-z,;:]\s)[A-Z][a-z]+/g, () => NAMES[randInt(rng, NAMES.length)]);
  const words = out.split(' ');
  if (words.length >= 4) {
    const i = 1 + randInt(rng, words.length - 2);
    [words[i - 1], words[i]] = [words[i], words[i - 1]];
    out = words.join(' ');
  }
  return out;
}

export interface MinKComparison {
  model: string;
  k: number;
  n: number;
  meanBenchmark: number;
  meanControl: number;
  /** Mean over items of (benchmark − control): positive means the benchmark text is more familiar. */
  shift: number;
  shiftCI: Interval;
  /** P(score of a benchmark item > score of a control item); 0.5 when the model cannot tell them apart. */
  auc: number;
}

/** Mann–Whitney AUC with ties counted as one half. */
export function auc(positives: readonly number[], negatives: readonly number[]): number {
  const all = [...positives.map((v) => ({ v, pos: true })), ...negatives.map((v) => ({ v, pos: false }))].sort(
    (a, b) => a.v - b.v,
  );
  let rankSum = 0;
  for (let i = 0; i < all.length;) {
    let j = i;
    while (j < all.length && all[j].v === all[i].v) j++;
    const avgRank = (i + 1 + j) / 2;
    for (let t = i; t < j; t++) if (all[t].pos) rankSum += avgRank;
    i = j;
  }
  const np = positives.length;
  const nn = negatives.length;
  return (rankSum - (np * (np + 1)) / 2) / (np * nn);
}

export function compareMinK(
  model: string,
  k: number,
  benchmark: readonly number[],
  control: readonly number[],
  alpha = 0.05,
): MinKComparison {
  const n = Math.min(benchmark.length, control.length);
  const d = Array.from({ length: n }, (_, i) => benchmark[i] - control[i]);
  const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const shift = mean(d);
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - shift) ** 2, 0) / Math.max(1, n - 1));
  return {
    model,
    k,
    n,
    meanBenchmark: mean(benchmark),
    meanControl: mean(control),
    shift,
    shiftCI: normalInterval(shift, sd / Math.sqrt(n), alpha),
    auc: auc(benchmark, control),
  };
}
