/**
 * Finding the conditions that form a CircularEval set: n conditions that show every item under
 * the n cyclic rotations of one order of its choices, and differ in nothing else (same scoring,
 * normalization, symbols, template, shots). Detected from the recorded `order` of each result,
 * not from condition names, so any perturbation chain that produces rotations qualifies.
 */
import type { ConditionInfo } from '../core/results.js';

/** Rotation offset of an order relative to its canonical form (the rotation starting at 0). */
function rotationOffset(order: readonly number[]): number {
  return order.indexOf(0);
}

/** Key of the cyclic class of an order: the rotation that starts at choice 0. */
function cyclicKey(order: readonly number[]): string {
  const k = rotationOffset(order);
  return [...order.slice(k), ...order.slice(0, k)].join(',');
}

function sameSetting(c: ConditionInfo): string {
  const f = c.factors;
  return JSON.stringify([c.scoring, c.normalization, f.symbols, f.template, f.scoring, f.shots]);
}

/**
 * Groups of condition indices (in the input order) that are complete sets of cyclic rotations
 * on every one of the n items. orderOf(c, i) gives the shown order of item i under condition c.
 */
export function detectCircularGroups(
  conditions: readonly ConditionInfo[],
  orderOf: (condition: number, item: number) => readonly number[],
  n: number,
): number[][] {
  if (n === 0) return [];
  const buckets = new Map<string, number[]>();
  conditions.forEach((c, k) => buckets.set(sameSetting(c), [...(buckets.get(sameSetting(c)) ?? []), k]));
  const groups: number[][] = [];
  for (const members of buckets.values()) {
    // Candidate sets from the first item: conditions in one cyclic class, one per offset.
    const byClass = new Map<string, Map<number, number>>();
    for (const c of members) {
      const order = orderOf(c, 0);
      if (order.length < 2 || rotationOffset(order) < 0) continue;
      const key = `${order.length}:${cyclicKey(order)}`;
      const offsets = byClass.get(key) ?? new Map<number, number>();
      if (!offsets.has(rotationOffset(order))) offsets.set(rotationOffset(order), c);
      byClass.set(key, offsets);
    }
    for (const [key, offsets] of byClass) {
      const size = Number(key.split(':')[0]);
      if (offsets.size !== size) continue;
      const candidate = [...offsets.values()].sort((a, b) => a - b);
      if (isCircularOnAllItems(candidate, orderOf, n)) groups.push(candidate);
    }
  }
  return groups.sort((a, b) => a[0] - b[0]);
}

function isCircularOnAllItems(
  group: readonly number[],
  orderOf: (c: number, i: number) => readonly number[],
  n: number,
): boolean {
  for (let i = 0; i < n; i++) {
    const orders = group.map((c) => orderOf(c, i));
    if (orders.some((o) => o.length !== group.length || rotationOffset(o) < 0)) return false;
    const key = cyclicKey(orders[0]);
    if (orders.some((o) => cyclicKey(o) !== key)) return false;
    if (new Set(orders.map(rotationOffset)).size !== group.length) return false;
  }
  return true;
}
