import type { z } from 'zod';
import { closestKey } from '../core/spelling.js';

/*
 * Study-file issues, root cause first: an unknown key (with the known key it most likely
 * misspells) is reported before the missing keys it causes, then missing keys, then the rest.
 */

type Def = {
  type: string;
  innerType?: Schema;
  in?: Schema;
  getter?: () => Schema;
  shape?: Record<string, Schema>;
  element?: Schema;
  options?: Schema[];
  valueType?: Schema;
};
type Schema = { _zod: { def: Def } };

function unwrap(s: Schema): Schema {
  for (let i = 0; i < 20; i++) {
    const def = s._zod.def;
    const next = def.innerType ?? def.in ?? (def.type === 'lazy' ? def.getter?.() : undefined);
    if (!next) return s;
    s = next;
  }
  return s;
}

/** The keys a mapping at `keyPath` may hold, as far as the schema says (every option of a union). */
export function knownKeys(schema: z.ZodType, keyPath: readonly PropertyKey[]): Set<string> {
  const found = new Set<string>();
  const walk = (s: Schema, rest: readonly PropertyKey[]) => {
    s = unwrap(s);
    const def = s._zod.def;
    if (def.type === 'union') return def.options?.forEach((o) => walk(o, rest));
    if (rest.length === 0) {
      if (def.type === 'object') for (const k of Object.keys(def.shape ?? {})) found.add(k);
      return;
    }
    const [head, ...tail] = rest;
    if (def.type === 'object' && def.shape?.[String(head)]) walk(def.shape[String(head)], tail);
    else if (def.type === 'array' && def.element) walk(def.element, tail);
    else if (def.type === 'record' && def.valueType) walk(def.valueType, tail);
  };
  walk(schema as unknown as Schema, keyPath);
  return found;
}

export interface Located {
  /** Line of the node at a key path (or its nearest ancestor). */
  lineOf(keyPath: readonly PropertyKey[]): number | undefined;
  /** Line of `key` inside the mapping at `parent`. */
  lineOfKey(parent: readonly PropertyKey[], key: string): number | undefined;
  /** The parsed value at a key path. */
  valueAt(keyPath: readonly PropertyKey[]): unknown;
}

const show = (keyPath: readonly PropertyKey[]) => (keyPath.length ? keyPath.map(String).join('.') : '(top level)');

export function formatIssues(schema: z.ZodType, error: z.ZodError, doc: Located): string {
  const unknown: string[] = [];
  const missing: string[] = [];
  const other: string[] = [];
  /** Missing keys an unknown key likely misspells: "parent path\0key" -> the misspelling and its line. */
  const misspelt = new Map<string, string>();
  for (const issue of error.issues) {
    if (issue.code !== 'unrecognized_keys') continue;
    const known = knownKeys(schema, issue.path);
    for (const k of issue.keys) {
      const line = doc.lineOfKey(issue.path, k);
      const guess = closestKey(k, known);
      unknown.push(
        `${show([...issue.path, k])}${line ? ` (line ${line})` : ''}: unknown key${guess ? `; did you mean "${guess}"?` : known.size ? `; known keys: ${[...known].join(', ')}` : ''}`,
      );
      if (guess) misspelt.set(`${show(issue.path)}\0${guess}`, `"${k}"${line ? ` (line ${line})` : ''}`);
    }
  }
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') continue;
    const parent = issue.path.slice(0, -1);
    const key = issue.path[issue.path.length - 1];
    const container = doc.valueAt(parent);
    if (
      issue.code === 'invalid_type' &&
      key !== undefined &&
      container &&
      typeof container === 'object' &&
      !Array.isArray(container) &&
      doc.valueAt(issue.path) === undefined
    ) {
      const cause = misspelt.get(`${show(parent)}\0${String(key)}`);
      const line = parent.length ? doc.lineOf(parent) : undefined;
      const where = parent.length ? `in ${show(parent)}${line ? ` (line ${line})` : ''}` : 'at the top level';
      missing.push(
        `${show(issue.path)}: missing (required ${where})${cause ? `; ${cause} is probably this key misspelt` : ''}`,
      );
      continue;
    }
    const line = doc.lineOf(issue.path);
    other.push(`${show(issue.path)}${line ? ` (line ${line})` : ''}: ${issue.message}`);
  }
  return [...unknown, ...missing, ...other].slice(0, 8).join('\n');
}
