import { letterOf, show } from './rows.js';

/**
 * Reading values out of dataset rows, whatever the file format made of them: Parquet gives numbers
 * and nested objects, JSONL the same as JSON, CSV only text.
 */

/** A field, reaching into nested objects with dots (`choices.text`); an exact key with a dot wins. */
export function field(row: unknown, name: string): unknown {
  if (!row || typeof row !== 'object') return undefined;
  const obj = row as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(obj, name)) return obj[name];
  const dot = name.indexOf('.');
  if (dot < 0) return undefined;
  return field(field(obj, name.slice(0, dot)), name.slice(dot + 1));
}

/** Text as it is; a finite number as its decimal text; anything else null. */
export function text(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** A list of texts; a string holding a JSON array (a CSV cell) is read as that array. */
export function texts(value: unknown): string[] | null {
  let list = value;
  if (typeof list === 'string' && list.trimStart().startsWith('[')) {
    try {
      list = JSON.parse(list);
    } catch {
      return null;
    }
  }
  if (!Array.isArray(list)) return null;
  const out = list.map(text);
  return out.every((t): t is string => t !== null) ? out : null;
}

/** An integer, or integer text (CSV); anything else null. */
export function int(value: unknown): number | null {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  return null;
}

export type Answer = number | string;

/** The index of the choice equal to `answer`: exactly, else ignoring surrounding spaces; ambiguity is an error. */
export function answerByText(answer: string, choices: string[]): Answer {
  let matches = choices.flatMap((c, k) => (c === answer ? [k] : []));
  if (matches.length === 0) matches = choices.flatMap((c, k) => (c.trim() === answer.trim() ? [k] : []));
  if (matches.length === 0) return `answer ${show(answer)} matches none of the choices`;
  if (matches.length > 1) return `answer ${show(answer)} matches several choices (${matches.map(letterOf).join(', ')})`;
  return matches[0];
}

export function answerByLetter(value: unknown, count: number): Answer {
  const letter = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (!/^[A-Z]$/.test(letter)) return `answer ${show(value)} is not a letter`;
  const index = letter.charCodeAt(0) - 65;
  return index < count ? index : `answer ${show(letter)} is not one of A-${letterOf(count - 1)}`;
}

/**
 * `{text: [...], label: [...]}` choices with an answer key naming one label (ARC, CommonsenseQA,
 * OpenBookQA). A few ARC items use 1-5 as labels or keys; like lm-eval, 1-5 and A-E stand for each other.
 */
export function labelledChoices(choices: unknown, key: unknown): { choices: string[]; answer: number } | string {
  const list = texts(field(choices, 'text'));
  const labels = texts(field(choices, 'label'));
  if (!list || !labels || list.length !== labels.length)
    return 'choices must be {text: [...], label: [...]} of equal length';
  const k = text(key)?.trim();
  if (!k) return 'the answer key is empty (a split without answers?)';
  let answer = labels.indexOf(k);
  if (answer < 0) {
    const other = /^[1-9]$/.test(k)
      ? String.fromCharCode(64 + Number(k))
      : /^[A-I]$/.test(k)
        ? String(k.charCodeAt(0) - 64)
        : undefined;
    answer = other === undefined ? -1 : labels.indexOf(other);
  }
  if (answer < 0) return `answer key ${show(k)} is not one of the labels ${labels.join(', ')}`;
  return { choices: list, answer };
}
