import path from 'node:path';
import { importOutputs, type ImportOutputsOptions } from '../api/imports.js';
import { UserError } from '../core/errors.js';
import { GRID_FACTORS } from '../core/factors.js';
import type { ConditionFactors } from '../core/results.js';
import { ROLES, type Role, type ValueKind } from '../import/outputs.js';

export interface ImportOutputsCommandOptions {
  out: string;
  format?: string;
  columns?: string[];
  ignore?: string[];
  values?: string;
  condition?: string;
  conditionPerFile?: boolean;
  baseline?: string;
  answers?: string;
  missing?: string;
  scoring?: string;
  factor?: string;
  name?: string;
  choices?: string;
}

function choiceCount(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 2 || n > 26)
    throw new UserError(`--choices must be a whole number from 2 to 26, got "${value}"`);
  return n;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new UserError(`${flag} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

/** `item=question_id,gold=answer` (repeatable); a comma splits only before another `role=`. */
export function parseColumns(specs: readonly string[]): Partial<Record<Role, string>> {
  const out: Partial<Record<Role, string>> = {};
  const boundary = new RegExp(`,(?=\\s*(?:${ROLES.join('|')})=)`);
  for (const part of specs.flatMap((s) => s.split(boundary))) {
    const eq = part.indexOf('=');
    const role = part.slice(0, eq).trim();
    const column = part.slice(eq + 1).trim();
    if (eq < 0 || !column) throw new UserError(`--columns takes role=column pairs, got "${part}"`);
    if (!(ROLES as readonly string[]).includes(role))
      throw new UserError(`--columns: unknown role "${role}"; roles: ${ROLES.join(', ')}`);
    out[role as Role] = column;
  }
  return out;
}

/** `goodhart import outputs`: per-question outputs made elsewhere → a run folder for analyze and report. */
export async function importOutputsCommand(files: string[], opts: ImportOutputsCommandOptions): Promise<number> {
  const options: ImportOutputsOptions = {
    out: opts.out,
    files,
    format: oneOf(opts.format, ['csv', 'jsonl'] as const, '--format'),
    columns: parseColumns(opts.columns ?? []),
    ignore: (opts.ignore ?? [])
      .flatMap((s) => s.split(','))
      .map((s) => s.trim())
      .filter(Boolean),
    values: oneOf<ValueKind>(opts.values, ['correct', 'pred', 'scores'], '--values'),
    condition: opts.condition,
    conditionPerFile: opts.conditionPerFile,
    baseline: opts.baseline,
    answers: opts.answers,
    missing: oneOf(opts.missing, ['error', 'skip'] as const, '--missing'),
    scoring: oneOf(opts.scoring, ['symbol', 'hybrid', 'cloze'] as const, '--scoring'),
    factor: oneOf<keyof ConditionFactors>(opts.factor, GRID_FACTORS, '--factor'),
    name: opts.name,
    choices: choiceCount(opts.choices),
  };
  const { summary, items, warnings, layout, out } = importOutputs(options);
  for (const line of layout) process.stderr.write(`read ${line}\n`);
  for (const w of warnings) process.stderr.write(`goodhart: ${w} (left out where it is missing)\n`);
  process.stdout.write(
    `imported ${items.length} results: ${summary.models.length} models x ${summary.conditions.length} conditions x ${summary.benchmark.items} items; baseline "${summary.baseline}"\n` +
      `wrote ${path.join(out, 'items.jsonl')} and ${path.join(out, 'summary.json')}\n` +
      `next: goodhart analyze ${opts.out}\n`,
  );
  return 0;
}
