import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Bunzip from 'seek-bzip';
import type { Item } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { loadGauntlet } from './gauntlet.js';
import { loadMmlu } from './mmlu.js';
import { int, text } from './row-values.js';
import { BadRows, FormatLoad, itemProblem, show } from './rows.js';
import { isFolder, listFolder } from './text-file.js';

/**
 * Benchmarks' own local formats, read by their recipes (the copies in ../shared are in these):
 * the MMLU CSV folder, the gauntlet JSONL files (ARC, CommonsenseQA, OpenBookQA), HellaSwag's
 * 6-line text format (bz2 or plain) and TruthfulQA's mc_task.json. Each reader returns null when
 * `target` is not in its format, so the Hub's layout is tried next.
 */

export interface LocalRequest {
  split: string;
  fewshotSplit?: string;
  subjects?: string[];
  bad: BadRows;
}

export type LocalReader = (target: string, req: LocalRequest) => Promise<FormatLoad | null>;

function onlySplit(file: string, holds: string, asked: string): void {
  if (asked !== holds) throw new UserError(`this local copy holds only the ${holds} split (asked for ${JSON.stringify(asked)})`, file);
}

/** `file` itself when it matches, or the file named `name` inside the folder `target`. */
async function fileIn(target: string, name: RegExp): Promise<string | null> {
  if (await isFolder(target)) {
    const found = (await listFolder(target)).filter((f) => name.test(f));
    return found.length === 1 ? path.join(target, found[0]) : null;
  }
  return name.test(path.basename(target)) && existsSync(target) ? target : null;
}

const HENDRYCKS_SPLITS: Record<string, 'test' | 'val' | 'dev'> = { test: 'test', validation: 'val', val: 'val', dev: 'dev' };

/** The original MMLU release: `{dev,val,test}/<subject>_<split>.csv`, possibly under `data/`. */
async function isHendrycksFolder(target: string): Promise<boolean> {
  for (const base of [target, path.join(target, 'data')]) {
    for (const split of ['test', 'val', 'dev']) {
      const dir = path.join(base, split);
      if ((await isFolder(dir)) && (await listFolder(dir)).some((f) => f.endsWith(`_${split}.csv`))) return true;
    }
  }
  return false;
}

const mmlu: LocalReader = async (target, req) => {
  if (!(await isFolder(target)) || !(await isHendrycksFolder(target))) return null;
  const split = HENDRYCKS_SPLITS[req.split];
  const fewshotSplit = HENDRYCKS_SPLITS[req.fewshotSplit ?? 'dev'];
  if (!split || !fewshotSplit) {
    throw new UserError(`the MMLU CSV folder has the splits test, validation (val) and dev; asked for ${JSON.stringify(split ? req.fewshotSplit : req.split)}`, target);
  }
  const loaded = await loadMmlu({ format: 'mmlu', path: target, split, fewshotSplit, subjects: req.subjects, onBadRow: req.bad.mode }, target, req.bad);
  return req.fewshotSplit === undefined ? { ...loaded, fewshotPool: new Map() } : loaded;
};

/** A gauntlet JSONL (`{query, choices, gold}`): its first line tells. */
async function isGauntletFile(file: string): Promise<boolean> {
  const first = (await readFile(file, 'utf8')).split('\n', 1)[0];
  try {
    const row = JSON.parse(first) as Record<string, unknown>;
    return 'query' in row && 'gold' in row;
  } catch {
    return false;
  }
}

/**
 * The gauntlet copies prefix ARC and CommonsenseQA questions with "Question: " (their prompt);
 * without it the items are the dataset's own questions, as the Hub's rows give them.
 */
function gauntlet(fileName: string, split: string): LocalReader {
  return async (target, req) => {
    const file = await fileIn(target, new RegExp(`^${fileName}\\.jsonl$`, 'i'));
    const given = file ?? (/\.jsonl$/i.test(target) && existsSync(target) && !(await isFolder(target)) && (await isGauntletFile(target)) ? target : null);
    if (!given) return null;
    onlySplit(given, split, req.split);
    const loaded = await loadGauntlet({ format: 'gauntlet', path: given, onBadRow: req.bad.mode }, given, req.bad);
    const items = loaded.items.map(({ subject: _subject, ...item }) => ({ ...item, question: item.question.replace(/^Question:\s*/, ''), split }));
    return { ...loaded, items, description: `${loaded.description}, ${split} split` };
  };
}

/** llama.cpp's HellaSwag text: per item the context, the gold label (0-3), then 4 endings. */
const hellaswag: LocalReader = async (target, req) => {
  const file = await fileIn(target, /hellaswag.*\.txt(\.bz2)?$|\.txt\.bz2$/i);
  if (!file) return null;
  onlySplit(file, 'validation', req.split);
  const bytes = await readFile(file);
  let content: string;
  try {
    content = (file.toLowerCase().endsWith('.bz2') ? Bunzip.decode(bytes) : bytes).toString('utf8');
  } catch (err) {
    throw new UserError(`cannot decompress bzip2: ${(err as Error).message}`, file);
  }
  const lines = content.split('\n').map((l) => l.replace(/\r$/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  if (lines.length % 6 !== 0) throw new UserError(`expected 6 lines per item (context, label, 4 endings); found ${lines.length} lines`, file);
  const items: Item[] = [];
  for (let k = 0; k * 6 < lines.length; k++) {
    const at = k * 6;
    const gold = int(lines[at + 1]);
    if (gold === null) {
      req.bad.report(file, at + 2, `label ${show(lines[at + 1])} is not an integer`);
      continue;
    }
    const choices = lines.slice(at + 2, at + 6);
    const problem = itemProblem(lines[at], choices, gold);
    if (problem) {
      req.bad.report(file, at + 1, problem);
      continue;
    }
    items.push({ id: `validation/${k}`, question: lines[at], choices, answer: gold, split: 'validation' });
  }
  return { items, fewshotPool: new Map(), files: [file], description: `HellaSwag text ${path.basename(file)}, validation split` };
};

/** TruthfulQA's mc_task.json: `[{question, mc1_targets: {<answer text>: 0|1, ...}, ...}]`, correct answer first. */
const truthfulqaMc1: LocalReader = async (target, req) => {
  const file = await fileIn(target, /^mc_task\.json$/i);
  if (!file) return null;
  onlySplit(file, 'validation', req.split);
  let entries: unknown;
  try {
    entries = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new UserError(`invalid JSON: ${(err as Error).message}`, file);
  }
  if (!Array.isArray(entries)) throw new UserError('expected a JSON array of questions', file);
  const items: Item[] = [];
  entries.forEach((entry: Record<string, unknown>, k) => {
    const row = k + 1;
    const question = text(entry?.question);
    const targets = entry?.mc1_targets;
    if (question === null || !targets || typeof targets !== 'object' || Array.isArray(targets)) return req.bad.report(file, row, 'expected {question, mc1_targets: {text: 0|1}}');
    const choices = Object.keys(targets);
    // JSON objects keep key order, except that integer-like keys move first: such an entry has lost its order.
    if (choices.some((c) => /^\d+$/.test(c))) return req.bad.report(file, row, 'an answer text is an integer, so its order in the JSON object is lost');
    const correct = choices.flatMap((c, i) => ((targets as Record<string, unknown>)[c] === 1 ? [i] : []));
    if (correct.length !== 1) return req.bad.report(file, row, `mc1_targets has ${correct.length} correct answers, expected exactly 1`);
    const problem = itemProblem(question, choices, correct[0]);
    if (problem) return req.bad.report(file, row, problem);
    items.push({ id: `validation/${k}`, question, choices, answer: correct[0], split: 'validation' });
  });
  return { items, fewshotPool: new Map(), files: [file], description: `TruthfulQA ${path.basename(file)} (MC1), validation split` };
};

export const localReaders = {
  mmlu,
  arc_challenge: gauntlet('arc_challenge', 'test'),
  arc_easy: gauntlet('arc_easy', 'test'),
  commonsense_qa: gauntlet('commonsense_qa', 'validation'),
  openbookqa: gauntlet('openbook_qa', 'test'),
  hellaswag,
  truthfulqa_mc1: truthfulqaMc1,
};
