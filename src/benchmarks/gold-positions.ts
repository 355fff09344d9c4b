import type { Item } from '../core/types.js';

/**
 * Where a benchmark keeps its gold answers. TruthfulQA lists the correct answer first in every
 * item: shown as given under symbol scoring, "always A" would score 100%. A benchmark is skewed
 * when more than half its items (with 2 choices, more than three quarters, since a half is chance)
 * have the gold at one position.
 */
export interface GoldPositionCheck {
  /** Items with the gold at each original position (0 = first choice). */
  counts: number[];
  /** The most common gold position and the share of items holding it. */
  top: number;
  share: number;
  skewed: boolean;
  /** Whether the baseline's choices were shuffled because of the skew (symbol and hybrid scoring only). */
  baselineShuffled: boolean;
}

export function checkGoldPositions(items: readonly Item[]): Omit<GoldPositionCheck, 'baselineShuffled'> {
  const counts: number[] = [];
  const choiceCounts = new Map<number, number>();
  for (const item of items) {
    while (counts.length <= item.answer) counts.push(0);
    counts[item.answer]++;
    choiceCounts.set(item.choices.length, (choiceCounts.get(item.choices.length) ?? 0) + 1);
  }
  const top = counts.indexOf(Math.max(...counts));
  const share = items.length ? counts[top] / items.length : 0;
  const usualChoices = [...choiceCounts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
  const threshold = usualChoices === 2 ? 0.75 : 0.5;
  return { counts, top, share, skewed: items.length > 0 && share > threshold };
}

/** One line for the run's log. */
export function describeGoldPositions(check: GoldPositionCheck, baseline: string): string {
  const where = `${(100 * check.share).toFixed(1)}% of the items have their gold answer at position ${check.top + 1}`;
  const what = check.baselineShuffled
    ? `the baseline "${baseline}" shows its choices shuffled (set goldPositionShuffle: false to keep the given order)`
    : `the baseline "${baseline}" keeps the given order (its scoring or its own order perturbation makes it safe, or goldPositionShuffle is false)`;
  return `warning: ${where}, so a model that always picks that position scores as much; ${what}`;
}
