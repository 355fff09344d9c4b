import fs from 'node:fs';
import path from 'node:path';
import { parseDocument, visit, LineCounter } from 'yaml';
import type { z } from 'zod';
import { UserError } from '../core/errors.js';
import type { ConditionInfo } from '../core/results.js';
import { expandCircular, factorsOf, normalizeEntry, type PerturbationStep } from '../perturbations/registry.js';
import type { Method, Normalization } from '../scoring/methods.js';
import { studySchema, type StudySpec } from './schema.js';

export interface Condition {
  name: string;
  method: Method;
  normalization: Normalization;
  chain: PerturbationStep[];
  seed: number;
  info: ConditionInfo;
}

export interface Study {
  spec: StudySpec;
  file: string;
  baseDir: string;
  conditions: Condition[];
}

/** Parse and validate a study file; every problem names the file, the line and the key path. */
export function loadStudy(file: string): Study {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read the study file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const { line, col } = lines.linePos(err.pos[0]);
    throw new UserError(`YAML syntax error: ${err.message.split('\n')[0]}`, `${file}:${line}:${col}`);
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (e) {
    // Only aliases fail here: one without its anchor, or so many that they would blow up memory.
    throw new UserError(`YAML alias error: ${(e as Error).message}`, `${file}:${aliasLine(doc, lines)}`);
  }
  const parsed = studySchema.safeParse(raw);
  if (!parsed.success) throw new UserError(formatIssues(parsed.error, doc, lines), file);
  return resolveStudy(parsed.data, file);
}

type YamlDoc = ReturnType<typeof parseDocument>;

/** Line of the first alias whose anchor is missing, else of the first alias. */
function aliasLine(doc: YamlDoc, lines: LineCounter): number {
  let first: number | undefined;
  let unresolved: number | undefined;
  visit(doc, {
    Alias(_, node) {
      const line = node.range ? lines.linePos(node.range[0]).line : undefined;
      first ??= line;
      if (node.resolve(doc) === undefined) {
        unresolved = line;
        return visit.BREAK;
      }
    },
  });
  return unresolved ?? first ?? 1;
}

/** Line of the node at a key path (or of its nearest ancestor that has one). */
function lineOf(doc: YamlDoc, lines: LineCounter, keyPath: readonly PropertyKey[]): number | undefined {
  for (let n = keyPath.length; n >= 0; n--) {
    const node = doc.getIn(keyPath.slice(0, n) as (string | number)[], true) as { range?: [number, number] } | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** Line of a key inside the mapping at `parent`. */
function lineOfKey(doc: YamlDoc, lines: LineCounter, parent: readonly PropertyKey[], key: string): number | undefined {
  const map = (parent.length ? doc.getIn(parent as (string | number)[], true) : doc.contents) as { items?: { key?: { value?: unknown; range?: [number, number] } }[] } | null;
  const pair = map?.items?.find((p) => p.key?.value === key);
  return pair?.key?.range ? lines.linePos(pair.key.range[0]).line : lineOf(doc, lines, parent);
}

function formatIssues(error: z.ZodError, doc: YamlDoc, lines: LineCounter): string {
  const at = (keyPath: readonly PropertyKey[], line: number | undefined) =>
    `${keyPath.length ? keyPath.map(String).join('.') : '(top level)'}${line ? ` (line ${line})` : ''}`;
  return error.issues
    .slice(0, 8)
    .flatMap((issue) => {
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((k) => `${at([...issue.path, k], lineOfKey(doc, lines, issue.path, k))}: unknown key`);
      }
      return [`${at(issue.path, lineOf(doc, lines, issue.path))}: ${issue.message}`];
    })
    .join('\n');
}

/** Choices are labelled A-Z at most, and a rotation by more than the number of choices repeats an earlier one. */
const MAX_ROTATIONS = 26;

export function resolveStudy(spec: StudySpec, file: string): Study {
  const conditions: Condition[] = [];
  spec.conditions.forEach((c, ci) => {
    const at = `${file}: conditions.${ci}.perturbations`;
    const steps = c.perturbations.map((entry) => normalizeEntry(entry));
    const circular = steps.flatMap((s, k) => (s.name === 'circular' ? [k] : []));
    if (circular.length > 1) throw new UserError('a chain can hold "circular" only once', `${at}.${circular[1]}`);
    for (const k of circular) {
      const { n } = steps[k].args as { n: number };
      if (n > MAX_ROTATIONS) {
        throw new UserError(`circular makes one condition per rotation; n must be at most ${MAX_ROTATIONS} (got ${n})`, `${at}.${k}.circular.n`);
      }
    }
    const method = c.scoring;
    const normalization: Normalization = c.normalization ?? (method === 'symbol' ? 'none' : 'char');
    if (method === 'symbol' && normalization !== 'none') {
      throw new UserError(`symbol scoring scores one symbol, so its normalization must be "none" (got "${normalization}")`, `${file}: conditions.${ci}.normalization`);
    }
    if (method === 'cloze' && steps.some((s) => s.name === 'choices-only')) {
      throw new UserError('choices-only shows no question, so it needs symbol or hybrid scoring', `${file}: conditions.${ci}.perturbations`);
    }
    for (const { suffix, chain } of expandCircular(steps)) {
      const name = suffix ? `${c.name}@${suffix}` : c.name;
      conditions.push({
        name,
        method,
        normalization,
        chain,
        seed: c.seed ?? spec.seed,
        info: {
          name, scoring: method, normalization, perturbations: chain, factors: factorsOf(chain, method, normalization),
          ...(c.role ? { role: c.role } : {}),
        },
      });
    }
  });
  const seen = new Set<string>();
  for (const c of conditions) {
    if (seen.has(c.name)) throw new UserError(`two conditions are named "${c.name}"`, `${file}: conditions`);
    seen.add(c.name);
  }
  if (!seen.has(spec.baseline)) {
    throw new UserError(`baseline "${spec.baseline}" is not a condition; conditions: ${[...seen].join(', ')}`, `${file}: baseline`);
  }
  spec.conditions.forEach((c, ci) => {
    if (c.role === undefined) return;
    const isBaseline = c.name === spec.baseline;
    if (isBaseline !== (c.role === 'baseline')) {
      throw new UserError(
        isBaseline ? `the baseline's role is "baseline", not "${c.role}"` : `role "baseline" belongs to the baseline ("${spec.baseline}") only`,
        `${file}: conditions.${ci}.role`,
      );
    }
  });
  const names = new Set<string>();
  spec.models.forEach((m, i) => {
    if (names.has(m.name)) throw new UserError(`two models are named "${m.name}"`, `${file}: models.${i}.name`);
    names.add(m.name);
  });
  return { spec, file, baseDir: path.dirname(path.resolve(file)), conditions };
}
