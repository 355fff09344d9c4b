import type { Item } from '../core/types.js';
import { seedFrom } from '../core/rng.js';
import type { LimitSpec } from './spec-parts.js';

/**
 * Seeded sampling that does not depend on file order: every item gets a pseudo-random rank
 * from (seed, id) and the lowest ranks are kept. So the same seed and limit always pick the
 * same items, and a bigger limit picks a superset of a smaller one. `perSubject` applies
 * first, then `total`; the kept items stay in their original order.
 */
export function sampleItems(items: Item[], limit: LimitSpec | undefined): Item[] {
  if (!limit || (limit.perSubject === undefined && limit.total === undefined)) return items;
  const rank = new Map<Item, number>();
  for (const item of items) rank.set(item, seedFrom('benchmark-sample', limit.seed, item.id));
  const byRank = (a: Item, b: Item) => rank.get(a)! - rank.get(b)! || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

  let kept = items;
  if (limit.perSubject !== undefined) {
    const groups = new Map<string, Item[]>();
    for (const item of kept) {
      const key = item.subject ?? '';
      const group = groups.get(key);
      if (group) group.push(item);
      else groups.set(key, [item]);
    }
    const chosen = new Set<Item>();
    for (const group of groups.values())
      for (const item of group.sort(byRank).slice(0, limit.perSubject)) chosen.add(item);
    kept = kept.filter((item) => chosen.has(item));
  }
  if (limit.total !== undefined && kept.length > limit.total) {
    const chosen = new Set(kept.slice().sort(byRank).slice(0, limit.total));
    kept = kept.filter((item) => chosen.has(item));
  }
  return kept;
}
