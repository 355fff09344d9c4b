import fs from 'node:fs';
import path from 'node:path';
import { parseDocument, LineCounter } from 'yaml';
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
  const raw = doc.toJS();
  const parsed = studySchema.safeParse(raw);
  if (!parsed.success) throw new UserError(formatIssues(parsed.error, doc, lines), file);
  return resolveStudy(parsed.data, file);
}

function formatIssues(error: z.ZodError, doc: ReturnType<typeof parseDocument>, lines: LineCounter): string {
  return error.issues
    .slice(0, 8)
    .map((issue) => {
      const keyPath = issue.path.map(String);
      const extra = issue.code === 'unrecognized_keys' ? issue.keys : [];
      const where = keyPath.length ? keyPath.join('.') : '(top level)';
      let node = doc.getIn(issue.path as (string | number)[], true) as { range?: [number, number] } | undefined;
      if (!node?.range && issue.path.length) node = doc.getIn(issue.path.slice(0, -1) as (string | number)[], true) as typeof node;
      const line = node?.range ? ` (line ${lines.linePos(node.range[0]).line})` : '';
      const keys = extra.length ? ` (${extra.map((k) => [...keyPath, k].join('.')).join(', ')})` : '';
      return `${where}${line}: ${issue.message}${keys}`;
    })
    .join('\n');
}

export function resolveStudy(spec: StudySpec, file: string): Study {
  const conditions: Condition[] = [];
  spec.conditions.forEach((c, ci) => {
    const steps = c.perturbations.map((entry) => normalizeEntry(entry));
    const method = c.scoring;
    const normalization: Normalization = c.normalization ?? (method === 'symbol' ? 'none' : 'char');
    if (method === 'symbol' && normalization !== 'none') {
      throw new UserError(`symbol scoring scores one symbol, so its normalization must be "none" (got "${normalization}")`, `${file}: conditions.${ci}.normalization`);
    }
    for (const { suffix, chain } of expandCircular(steps)) {
      const name = suffix ? `${c.name}@${suffix}` : c.name;
      conditions.push({
        name,
        method,
        normalization,
        chain,
        seed: c.seed ?? spec.seed,
        info: { name, scoring: method, normalization, perturbations: chain, factors: factorsOf(chain, method, normalization) },
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
  const names = new Set<string>();
  spec.models.forEach((m, i) => {
    if (names.has(m.name)) throw new UserError(`two models are named "${m.name}"`, `${file}: models.${i}.name`);
    names.add(m.name);
  });
  return { spec, file, baseDir: path.dirname(path.resolve(file)), conditions };
}
