import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';

/**
 * lm-evaluation-harness `--log_samples` files: one JSON object per document with the requests it
 * made (`arguments`) and the raw answers (`resps`). Recent versions write
 * `arguments: {"gen_args_0": {"arg_0": context, "arg_1": continuation}, ...}` and every response
 * value as a string; older ones lists `[[context, continuation], ...]` and numbers. For
 * `acc_mutual_info` the task adds one unconditional request (empty context) per choice after the
 * conditional ones.
 */

export interface SampleDoc {
  docId: number;
  docHash?: string;
  /** 1-based line (JSONL) or position (JSON array) in the file. */
  line: number;
  /** The conditional continuations, one per choice (with lm-eval's target delimiter, usually a space). */
  continuations: string[];
  contexts: string[];
  /** log P(continuation | context) per choice. */
  loglikelihoods: number[];
  /** log P(continuation | "") per choice, when the unconditional requests are present. */
  unconditional?: number[];
  /** Index of the correct choice. */
  gold: number;
  /** lm-eval's own per-document metrics (acc, acc_norm, acc_bytes, acc_mutual_info), when logged. */
  reported: Record<string, number>;
}

export interface SamplesFile {
  file: string;
  task: string;
  docs: SampleDoc[];
  /** Documents left out, with the reason (e.g. several correct answers). */
  skipped: { line: number; reason: string }[];
}

export const REPORTED_METRICS = ['acc', 'acc_norm', 'acc_bytes', 'acc_mutual_info'] as const;

/** `samples_<task>_<timestamp>.jsonl` (the timestamp is optional in older versions). */
export function taskFromFileName(file: string): string {
  const base = path.basename(file).replace(/\.jsonl?$/i, '');
  const m = /^samples_(.+?)(?:_(\d{4}-\d{2}-\d{2}T[\d.:-]+))?$/.exec(base);
  return m ? m[1] : base;
}

/** Python writes floats as repr (and -inf, nan); lm-eval's sanitizer turns them into strings. */
function float(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return null;
  const t = value.trim().toLowerCase();
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === 'inf' || t === 'infinity') return Infinity;
  if (t === 'nan') return NaN;
  return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/.test(t) ? Number(t) : null;
}

/** `arguments` as [context, continuation] pairs, in request order. */
function requestPairs(args: unknown): [unknown, unknown][] | string {
  if (Array.isArray(args)) return args.map((a) => (Array.isArray(a) ? [a[0], a[1]] : [undefined, undefined]));
  if (args && typeof args === 'object') {
    const entries = Object.entries(args as Record<string, unknown>)
      .map(([k, v]) => [Number(/^gen_args_(\d+)$/.exec(k)?.[1] ?? NaN), v] as const)
      .sort((a, b) => a[0] - b[0]);
    if (entries.some(([k]) => Number.isNaN(k))) return 'arguments has keys other than gen_args_<n>';
    return entries.map(([, v]) => {
      const o = (v ?? {}) as Record<string, unknown>;
      return [o.arg_0, o.arg_1];
    });
  }
  return 'arguments is missing';
}

/** The log-likelihood of one request from `resps` (`[[ll, greedy]]`) or `filtered_resps` (`[ll, greedy]`). */
function loglikelihood(resp: unknown): number | null {
  let r = resp;
  while (Array.isArray(r) && Array.isArray(r[0])) r = r[0];
  return Array.isArray(r) ? float(r[0]) : float(r);
}

function goldOf(record: Record<string, unknown>, continuations: string[]): number | string {
  const target = record.target;
  const fromText = (t: string): number | string => {
    const s = t.trim();
    if (/^\d+$/.test(s)) return Number(s);
    if (s.startsWith('[')) return `several correct answers (target ${s}) are not supported`;
    const k = continuations.findIndex((c) => c.trim() === s);
    return k >= 0 ? k : `target ${JSON.stringify(s.slice(0, 40))} is neither an index nor a choice`;
  };
  if (typeof target === 'number' && Number.isInteger(target)) return target;
  if (typeof target === 'string' && target.trim() !== '') return fromText(target);
  if (Array.isArray(target)) return 'several correct answers are not supported';
  const doc = (record.doc ?? {}) as Record<string, unknown>;
  for (const key of ['gold', 'label', 'answer']) {
    const v = doc[key];
    if (typeof v === 'number' && Number.isInteger(v)) return v;
  }
  return 'no target';
}

function parseRecord(record: Record<string, unknown>, line: number, file: string): SampleDoc | string {
  const docId = typeof record.doc_id === 'number' ? record.doc_id : Number(record.doc_id);
  if (!Number.isInteger(docId)) return 'doc_id is missing';
  const pairs = requestPairs(record.arguments);
  if (typeof pairs === 'string') return pairs;
  if (pairs.some(([, cont]) => cont !== null && typeof cont === 'object')) {
    throw new UserError(
      'these are generation requests (generate_until), not multiple-choice log-likelihoods; only multiple-choice tasks can be imported',
      `${file}:${line}`,
    );
  }
  if (pairs.some(([ctx, cont]) => typeof ctx !== 'string' || typeof cont !== 'string')) {
    throw new UserError(
      'a request is not [context, continuation] (loglikelihood_rolling?); only multiple-choice tasks can be imported',
      `${file}:${line}`,
    );
  }
  const resps = (Array.isArray(record.resps) ? record.resps : record.filtered_resps) as unknown[] | undefined;
  if (!Array.isArray(resps) || resps.length !== pairs.length)
    return `expected ${pairs.length} responses, found ${Array.isArray(resps) ? resps.length : 'none'}`;
  const lls = resps.map(loglikelihood);
  if (lls.some((v) => v === null)) return 'a response is not a number';
  const contexts = pairs.map(([c]) => c as string);
  const conts = pairs.map(([, c]) => c as string);
  // acc_mutual_info: the last half repeats the continuations with an empty context.
  const half = pairs.length / 2;
  const paired =
    pairs.length % 2 === 0 &&
    contexts.slice(half).every((c) => c === '') &&
    contexts.slice(0, half).every((c) => c !== '') &&
    conts.slice(half).every((c, k) => c === conts[k]);
  const n = paired ? half : pairs.length;
  const continuations = conts.slice(0, n);
  const gold = goldOf(record, continuations);
  if (typeof gold === 'string') return gold;
  if (gold < 0 || gold >= n) return `target ${gold} out of range for ${n} choices`;
  const reported: Record<string, number> = {};
  for (const metric of REPORTED_METRICS) {
    const v = float(record[metric]);
    if (v !== null) reported[metric] = v;
  }
  return {
    docId,
    ...(typeof record.doc_hash === 'string' ? { docHash: record.doc_hash } : {}),
    line,
    continuations,
    contexts: contexts.slice(0, n),
    loglikelihoods: (lls as number[]).slice(0, n),
    ...(paired ? { unconditional: (lls as number[]).slice(n) } : {}),
    gold,
    reported,
  };
}

export function readSamplesFile(file: string): SamplesFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
  const records: { value: unknown; line: number }[] = [];
  if (text.trimStart().startsWith('[')) {
    let list: unknown;
    try {
      list = JSON.parse(text);
    } catch (e) {
      throw new UserError(`invalid JSON: ${(e as Error).message}`, file);
    }
    (list as unknown[]).forEach((value, k) => records.push({ value, line: k + 1 }));
  } else {
    text.split('\n').forEach((raw, k) => {
      if (!raw.trim()) return;
      try {
        records.push({ value: JSON.parse(raw), line: k + 1 });
      } catch (e) {
        throw new UserError(`invalid JSON: ${(e as Error).message}`, `${file}:${k + 1}`);
      }
    });
  }
  if (records.length === 0) throw new UserError('no samples in this file', file);
  const docs: SampleDoc[] = [];
  const skipped: SamplesFile['skipped'] = [];
  const seen = new Set<number>();
  for (const { value, line } of records) {
    if (!value || typeof value !== 'object' || Array.isArray(value))
      throw new UserError('expected a JSON object per sample', `${file}:${line}`);
    const parsed = parseRecord(value as Record<string, unknown>, line, file);
    if (typeof parsed === 'string') skipped.push({ line, reason: parsed });
    else if (seen.has(parsed.docId))
      throw new UserError(
        `doc_id ${parsed.docId} appears twice (several filters or repeats in one file?)`,
        `${file}:${line}`,
      );
    else {
      seen.add(parsed.docId);
      docs.push(parsed);
    }
  }
  return { file, task: taskFromFileName(file), docs, skipped };
}
