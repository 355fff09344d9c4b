/**
 * Per-item results laid out as dense typed arrays, one slot per model × condition × item, so
 * that every statistic downstream is a loop over contiguous memory.
 *
 * Only complete items are kept: an item missing for any model under any condition (a failed
 * request) is left out everywhere, so every comparison — between models, between conditions,
 * baseline vs robust — is paired on exactly the same items. The count left out is reported.
 */
import { UserError } from '../core/errors.js';
import type { ItemResult } from '../core/results.js';

export interface ResultMatrix {
  models: string[];
  conditions: string[];
  itemIds: string[];
  /** Number of complete items. */
  n: number;
  /** Distinct subjects; items without one share the subject "". Empty when no item has one. */
  subjects: string[];
  /** Subject index per item (into `subjects`), or null when no item has a subject. */
  subjectOfItem: Int32Array | null;
  /** 1 when correct (strict policy: unscored is 0), at [(m * C + c) * n + i]. */
  correct: Uint8Array;
  /** 1 when unscored (correct === null), same layout. */
  unscored: Uint8Array;
  /** 1 when the argmax was tied, same layout. */
  tie: Uint8Array;
  /** Shown position of the gold answer, same layout. */
  goldPosition: Int16Array;
  /** Index of the ItemResult in the input array, item-major: [i * M * C + m * C + c]. */
  resultIndex: Int32Array;
  /** Items seen for some model × condition but not all (left out). */
  incompleteItems: number;
}

/** Offset of cell (m, c) in the cell-major arrays (correct, unscored, tie, goldPosition). */
export function cellOffset(mx: ResultMatrix, m: number, c: number): number {
  return (m * mx.conditions.length + c) * mx.n;
}

/** 0/1 outcomes of one model under one condition (a view, no copy). */
export function cellOutcomes(mx: ResultMatrix, m: number, c: number): Uint8Array {
  const o = cellOffset(mx, m, c);
  return mx.correct.subarray(o, o + mx.n);
}

export function cellUnscored(mx: ResultMatrix, m: number, c: number): Uint8Array {
  const o = cellOffset(mx, m, c);
  return mx.unscored.subarray(o, o + mx.n);
}

/** The input ItemResult of model m, condition c, item i. */
export function resultAt(
  mx: ResultMatrix,
  results: readonly ItemResult[],
  m: number,
  c: number,
  i: number,
): ItemResult {
  const C = mx.conditions.length;
  return results[mx.resultIndex[(i * mx.models.length + m) * C + c]];
}

/** Build the matrix for the given models and conditions (results for others are ignored). */
export function buildResultMatrix(
  results: readonly ItemResult[],
  models: readonly string[],
  conditions: readonly string[],
): ResultMatrix {
  const M = models.length;
  const C = conditions.length;
  const MC = M * C;
  const modelIndex = new Map(models.map((m, i) => [m, i]));
  const conditionIndex = new Map(conditions.map((c, i) => [c, i]));

  // One pass over the results; the item-major slot table grows as new items appear.
  const itemIndex = new Map<string, number>();
  const itemIds: string[] = [];
  let capacity = Math.max(1, Math.ceil(results.length / Math.max(1, MC)));
  let slot = new Int32Array(capacity * MC).fill(-1);
  // Results usually come grouped by model and condition: remember the last lookup.
  let lastModel: string | null = null;
  let lastCondition: string | null = null;
  let m = -1;
  let c = -1;
  for (let k = 0; k < results.length; k++) {
    const r = results[k];
    if (r.model !== lastModel) {
      lastModel = r.model;
      m = modelIndex.get(r.model) ?? -1;
    }
    if (r.condition !== lastCondition) {
      lastCondition = r.condition;
      c = conditionIndex.get(r.condition) ?? -1;
    }
    if (m < 0 || c < 0) continue;
    let i = itemIndex.get(r.itemId);
    if (i === undefined) {
      i = itemIds.length;
      itemIndex.set(r.itemId, i);
      itemIds.push(r.itemId);
      if (i >= capacity) {
        capacity *= 2;
        const grown = new Int32Array(capacity * MC).fill(-1);
        grown.set(slot);
        slot = grown;
      }
    }
    const at = i * MC + m * C + c;
    if (slot[at] !== -1)
      throw new UserError(`duplicate result for model ${r.model}, condition ${r.condition}, item ${r.itemId}`);
    slot[at] = k;
  }

  const N = itemIds.length;
  const keep: number[] = [];
  for (let i = 0; i < N; i++) {
    let complete = true;
    for (let s = i * MC; s < (i + 1) * MC && complete; s++) complete = slot[s] !== -1;
    if (complete) keep.push(i);
  }
  const n = keep.length;
  // When every item is complete (the usual case) the slot table already is the index.
  let resultIndex = slot.subarray(0, N * MC);
  if (n < N) {
    resultIndex = new Int32Array(n * MC);
    keep.forEach((i, k) => resultIndex.set(slot.subarray(i * MC, (i + 1) * MC), k * MC));
  }

  const correct = new Uint8Array(MC * n);
  const unscored = new Uint8Array(MC * n);
  const tie = new Uint8Array(MC * n);
  const goldPosition = new Int16Array(MC * n);
  const subjectName: string[] = new Array<string>(n).fill('');
  // Cell-major, which is also the usual order of the results: the object reads stay local.
  for (let cell = 0; cell < MC; cell++) {
    for (let k = 0; k < n; k++) {
      const r = results[resultIndex[k * MC + cell]];
      const at = cell * n + k;
      correct[at] = r.correct === true ? 1 : 0;
      unscored[at] = r.correct === null ? 1 : 0;
      tie[at] = r.tie ? 1 : 0;
      goldPosition[at] = r.goldPosition;
      if (r.subject && !subjectName[k]) subjectName[k] = r.subject;
    }
  }

  // Subjects describe the item, not the run: any result that carries one names it.
  const subjects: string[] = [];
  const subjectIndex = new Map<string, number>();
  const subjectOfItem = new Int32Array(n);
  subjectName.forEach((s, k) => {
    if (!subjectIndex.has(s)) {
      subjectIndex.set(s, subjects.length);
      subjects.push(s);
    }
    subjectOfItem[k] = subjectIndex.get(s) as number;
  });
  const anySubject = subjectName.some((s) => s !== '');

  return {
    models: [...models],
    conditions: [...conditions],
    itemIds: keep.map((i) => itemIds[i]),
    n,
    subjects: anySubject ? subjects : [],
    subjectOfItem: anySubject ? subjectOfItem : null,
    correct,
    unscored,
    tie,
    goldPosition,
    resultIndex,
    incompleteItems: N - n,
  };
}
