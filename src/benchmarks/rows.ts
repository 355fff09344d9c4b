import type { Item } from '../core/types.js';
import { UserError } from '../core/errors.js';

/** Where each item loaded from a local file came from (`file:line`), for errors about it later (planning a condition). */
const itemSources = new WeakMap<Item, string>();

export function setItemSource(item: Item, file: string, line: number): void {
  itemSources.set(item, `${file}:${line}`);
}

/** `file:line` of an item read from a local file, else `item <id>`. */
export function itemPlace(item: Item): string {
  return itemSources.get(item) ?? `item ${item.id}`;
}

/** A row left out under `onBadRow: skip`. */
export interface SkippedRow {
  file: string;
  /** 1-based physical line where the row starts. */
  line: number;
  reason: string;
}

/** What each format loader returns before sampling. */
export interface FormatLoad {
  items: Item[];
  fewshotPool: Map<string, Item[]>;
  files: string[];
  description: string;
  /** Set when the files come from a cache entry seeded from a local folder rather than downloaded. */
  seededFrom?: { dataset: string; folder: string };
}

/** Applies the `onBadRow` policy: throw at file:line, or record the row and move on. */
export class BadRows {
  readonly skipped: SkippedRow[] = [];
  constructor(readonly mode: 'error' | 'skip') {}

  report(file: string, line: number, reason: string): void {
    if (this.mode === 'error') throw new UserError(reason, `${file}:${line}`);
    this.skipped.push({ file, line, reason });
  }
}

/** Letter for a 0-based choice index (A, B, ...), used in messages and letter answers. */
export function letterOf(index: number): string {
  return String.fromCharCode(65 + index);
}

/** A value for a message: strings quoted, others as JSON, shortened so a huge cell cannot flood the terminal. */
export function show(value: unknown): string {
  if (value === undefined) return '(missing)';
  const shorten = (t: string) => (t.length > 60 ? `${t.slice(0, 57)}...` : t);
  if (typeof value === 'string') return JSON.stringify(shorten(value));
  return shorten(JSON.stringify(value) ?? String(value));
}

/** Why question/choices/answer cannot form an item, or null when they can. */
export function itemProblem(question: string, choices: string[], answer: number): string | null {
  if (question.trim() === '') return 'empty question';
  if (choices.length < 2) return `fewer than 2 choices (found ${choices.length})`;
  const empty = choices.findIndex((c) => c.trim() === '');
  if (empty >= 0) return `empty choice ${letterOf(empty)} (#${empty + 1})`;
  if (!Number.isInteger(answer) || answer < 0 || answer >= choices.length) {
    return `answer ${answer} out of range for ${choices.length} choices`;
  }
  return null;
}

/** Add an item to its subject's list ('' when it has none). */
export function addToPool(pool: Map<string, Item[]>, item: Item): void {
  const key = item.subject ?? '';
  const list = pool.get(key);
  if (list) list.push(item);
  else pool.set(key, [item]);
}
