import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Bunzip from 'seek-bzip';
import type { Item } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { loadGauntlet } from './gauntlet.js';
import { loadMmlu } from './mmlu.js';
import { ownField, parseJsonl } from '../formats/jsonl.js';
import { int, text, texts } from './row-values.js';
import { itemProblem, show } from './rows.js';
import type { LocalReader } from './recipe.js';
import { isFolder, listFolder, readTextFile } from '../formats/text-file.js';

/**
 * Benchmarks' own local formats, read by their recipes (the copies in ../shared are in these):
 * the MMLU CSV folder, the gauntlet JSONL files (ARC, CommonsenseQA, OpenBookQA), HellaSwag's
 * 6-line text format (bz2 or plain) and TruthfulQA's mc_task.json. Each reader returns null when
 * `target` is not in its format, so the Hub's layout is tried next.
 */

function onlySplit(file: string, holds: string, asked: string): void {
  if (asked !== holds)
    throw new UserError(`this local copy holds only the ${holds} split (asked for ${JSON.stringify(asked)})`, file);
}

/** `file` itself when it matches, or the file named `name` inside the folder `target`. */
async function fileIn(target: string, name: RegExp): Promise<string | null> {
  if (await isFolder(target)) {
    const found = (await listFolder(target)).filter((f) => name.test(f));
    return found.length === 1 ? path.join(target, found[0]) : null;
  }
  return name.test(path.basename(target)) && existsSync(target) ? target : null;
}

const HENDRYCKS_SPLITS: Record<string, 'test' | 'val' | 'dev'> = {
  test: 'test',
  validation: 'val',
  val: 'val',
  dev: 'dev',
};

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
    throw new UserError(
      `the MMLU CSV folder has the splits test, validation (val) and dev; asked for ${JSON.stringify(split ? req.fewshotSplit : req.split)}`,
      target,
    );
  }
  const loaded = await loadMmlu(
    { format: 'mmlu', path: target, split, fewshotSplit, subjects: req.subjects, onBadRow: req.bad.mode },
    target,
    req.bad,
  );
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

/** The gauntlet file named `fileName` in the folder `target`, or `target` itself when it is a gauntlet file. */
async function gauntletFile(target: string, fileName: string): Promise<string | null> {
  const file = await fileIn(target, new RegExp(`^${fileName}\\.jsonl$`, 'i'));
  return (
    file ??
    (/\.jsonl$/i.test(target) && existsSync(target) && !(await isFolder(target)) && (await isGauntletFile(target))
      ? target
      : null)
  );
}

/**
 * The gauntlet copies prefix ARC and CommonsenseQA questions with "Question: " (their prompt);
 * without it the items are the dataset's own questions, as the Hub's rows give them.
 */
function gauntlet(
  fileName: string,
  split: string,
  unwrap: (query: string) => string = (q) => q.replace(/^Question:\s*/, ''),
): LocalReader {
  return async (target, req) => {
    const given = await gauntletFile(target, fileName);
    if (!given) return null;
    onlySplit(given, split, req.split);
    const loaded = await loadGauntlet({ format: 'gauntlet', path: given, onBadRow: req.bad.mode }, given, req.bad);
    const items = loaded.items.map(({ subject: _subject, ...item }) => ({
      ...item,
      question: unwrap(item.question),
      split,
    }));
    return { ...loaded, items, description: `${loaded.description}, ${split} split` };
  };
}

/**
 * lm-eval capitalizes ctx_b, the fragment that opens the sentence the endings complete; llama.cpp's
 * text file joins ctx_a and ctx_b as they are. The fragment after the context's last sentence end
 * is ctx_b: when it starts in lower case (3,236 of the 10,042 validation items; none of them holds
 * another capital, so Python's capitalize only raises its first letter) it is raised.
 */
export function capitalizeLastFragment(line: string): string {
  const m = /[.!?] ([^.!?]*)$/.exec(line);
  if (!m || !/^\p{Ll}/u.test(m[1])) return line;
  const at = line.length - m[1].length;
  return line.slice(0, at) + m[1].charAt(0).toUpperCase() + m[1].slice(1).toLowerCase();
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
  if (lines.length % 6 !== 0)
    throw new UserError(`expected 6 lines per item (context, label, 4 endings); found ${lines.length} lines`, file);
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
    items.push({
      id: `validation/${k}`,
      question: capitalizeLastFragment(lines[at]),
      choices,
      answer: gold,
      split: 'validation',
      meta: { activity_label: lines[at].split(': ', 1)[0], llamaCppContext: lines[at] },
    });
  }
  return {
    items,
    fewshotPool: new Map(),
    files: [file],
    description: `HellaSwag text ${path.basename(file)}, validation split (ctx_b capitalized as lm-eval does)`,
  };
};

/**
 * TruthfulQA's mc_task.json: `[{question, mc1_targets: {<answer text>: 0|1, ...}, mc2_targets: {...}}]`,
 * correct answers first.
 */
function truthfulqa(targetsKey: 'mc1_targets' | 'mc2_targets'): LocalReader {
  return async (target, req) => {
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
      const targets = entry?.[targetsKey];
      if (question === null || !targets || typeof targets !== 'object' || Array.isArray(targets))
        return req.bad.report(file, row, `expected {question, ${targetsKey}: {text: 0|1}}`);
      const choices = Object.keys(targets);
      // JSON objects keep key order, except that integer-like keys move first: such an entry has lost its order.
      if (choices.some((c) => /^\d+$/.test(c)))
        return req.bad.report(file, row, 'an answer text is an integer, so its order in the JSON object is lost');
      const correct = choices.flatMap((c, i) => ((targets as Record<string, unknown>)[c] === 1 ? [i] : []));
      if (targetsKey === 'mc1_targets' && correct.length !== 1)
        return req.bad.report(file, row, `mc1_targets has ${correct.length} correct answers, expected exactly 1`);
      if (correct.length === 0) return req.bad.report(file, row, `${targetsKey} has no correct answer`);
      const problem = itemProblem(question, choices, correct[0]);
      if (problem) return req.bad.report(file, row, problem);
      items.push({
        id: `validation/${k}`,
        question,
        choices,
        answer: correct[0],
        ...(targetsKey === 'mc2_targets' ? { answers: correct } : {}),
        split: 'validation',
      });
    });
    const which = targetsKey === 'mc1_targets' ? 'MC1' : 'MC2';
    return {
      items,
      fewshotPool: new Map(),
      files: [file],
      description: `TruthfulQA ${path.basename(file)} (${which}), validation split`,
    };
  };
}

/**
 * llm-foundry's WinoGrande copy: `{context_options: [sentence up to the blank + option], continuation, gold}`.
 * The options are what follows the contexts' longest common prefix, backed up to a space; the
 * sentence is rebuilt with its blank, which renders the same contexts and continuation as the Hub's row.
 */
const winogrande: LocalReader = async (target, req) => {
  const file = await fileIn(target, /^winogrande\.jsonl$/i);
  if (!file) return null;
  onlySplit(file, 'validation', req.split);
  const source = await readTextFile(file);
  const items: Item[] = [];
  parseJsonl(source.text).forEach((rec, row) => {
    if (!rec.ok) return req.bad.report(file, rec.line, rec.reason);
    const options = texts(ownField(rec.value, 'context_options'));
    const continuation = text(ownField(rec.value, 'continuation'));
    const gold = int(ownField(rec.value, 'gold'));
    if (!options || options.length !== 2 || continuation === null || gold === null)
      return req.bad.report(file, rec.line, 'expected {context_options: [2 texts], continuation, gold}');
    let shared = 0;
    while (shared < Math.min(options[0].length, options[1].length) && options[0][shared] === options[1][shared])
      shared++;
    while (shared > 0 && !/\s/.test(options[0][shared - 1])) shared--;
    const question = `${options[0].slice(0, shared)}_ ${continuation}`;
    const choices = options.map((o) => o.slice(shared));
    const problem = itemProblem(question, choices, gold);
    if (problem) return req.bad.report(file, rec.line, problem);
    items.push({ id: `validation/${row}`, question, choices, answer: gold, split: 'validation' });
  });
  return {
    items,
    fewshotPool: new Map(),
    files: [file],
    description: `WinoGrande ${path.basename(file)}, validation split`,
  };
};

export const localReaders = {
  mmlu,
  arc_challenge: gauntlet('arc_challenge', 'test'),
  arc_easy: gauntlet('arc_easy', 'test'),
  commonsense_qa: gauntlet('commonsense_qa', 'validation'),
  openbookqa: gauntlet('openbook_qa', 'test'),
  // llm-foundry's PIQA query is "Question: <goal>\n".
  piqa: gauntlet('piqa', 'validation', (q) => q.replace(/^Question: /, '').replace(/\n$/, '')),
  winogrande,
  hellaswag,
  truthfulqa_mc1: truthfulqa('mc1_targets'),
  truthfulqa_mc2: truthfulqa('mc2_targets'),
};
