import path from 'node:path';
import type { Item } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { parseCsv } from '../formats/csv.js';
import type { MmluSpec } from './spec-parts.js';
import { BadRows, FormatLoad, itemProblem, setItemSource, show } from './rows.js';
import { isFolder, listFolder, readTextFile, touchesInvalidLine } from '../formats/text-file.js';

const MMLU_COLUMNS = 'question, A, B, C, D, answer';

/** The folder holding dev/val/test: `root` itself, or `root/data` (the layout of the original repo). */
async function dataFolder(root: string, split: string): Promise<string> {
  if (await isFolder(path.join(root, split))) return root;
  if (await isFolder(path.join(root, 'data', split))) return path.join(root, 'data');
  if (!(await isFolder(root))) {
    await listFolder(root); // throws "folder not found" / "expected a folder" naming root
    throw new UserError('not a folder', root);
  }
  throw new UserError(`MMLU folder has no ${split}/ subfolder (expected ${split}/<subject>_${split}.csv files)`, root);
}

/** Subjects available in a split folder, from file names `<subject>_<split>.csv`. */
async function subjectsIn(dir: string, split: string): Promise<string[]> {
  const suffix = `_${split}.csv`;
  const subjects = (await listFolder(dir))
    .filter((f) => f.endsWith(suffix) && f.length > suffix.length)
    .map((f) => f.slice(0, -suffix.length));
  if (subjects.length === 0) throw new UserError(`no <subject>${suffix} files in this folder`, dir);
  return subjects;
}

/** Read one `<subject>_<split>.csv`; ids are `<subject>/<split>/<row index>` (bad rows keep their index). */
export async function readMmluFile(file: string, subject: string, split: string, bad: BadRows): Promise<Item[]> {
  const source = await readTextFile(file);
  const items: Item[] = [];
  const records = parseCsv(source.text);
  records.forEach((rec, row) => {
    if (touchesInvalidLine(source, rec.line, rec.endLine)) return bad.report(file, rec.line, 'invalid UTF-8');
    if (!rec.ok) return bad.report(file, rec.line, rec.reason);
    const f = rec.fields;
    if (f.length !== 6) return bad.report(file, rec.line, `expected 6 columns (${MMLU_COLUMNS}), found ${f.length}`);
    const letter = f[5].trim();
    if (!/^[A-D]$/.test(letter)) return bad.report(file, rec.line, `answer ${show(f[5])} is not a letter A-D`);
    const choices = f.slice(1, 5);
    const answer = letter.charCodeAt(0) - 65;
    const problem = itemProblem(f[0], choices, answer);
    if (problem) return bad.report(file, rec.line, problem);
    const item: Item = { id: `${subject}/${split}/${row}`, subject, question: f[0], choices, answer, split };
    setItemSource(item, file, rec.line);
    items.push(item);
  });
  return items;
}

export async function loadMmlu(spec: MmluSpec, root: string, bad: BadRows): Promise<FormatLoad> {
  const base = await dataFolder(root, spec.split);
  const splitDir = path.join(base, spec.split);
  const available = await subjectsIn(splitDir, spec.split);

  let subjects = available;
  if (spec.subjects) {
    const known = new Set(available);
    const unknown = spec.subjects.filter((s) => !known.has(s));
    if (unknown.length > 0) {
      throw new UserError(
        `unknown MMLU subject(s) ${unknown.map((s) => show(s)).join(', ')}; valid subjects: ${available.join(', ')}`,
        'benchmark.subjects',
      );
    }
    const wanted = new Set(spec.subjects);
    subjects = available.filter((s) => wanted.has(s));
  }

  const fewshotDir = path.join(base, spec.fewshotSplit);
  const mainFiles = subjects.map((s) => path.join(splitDir, `${s}_${spec.split}.csv`));
  const shotFiles = subjects.map((s) => path.join(fewshotDir, `${s}_${spec.fewshotSplit}.csv`));
  const files = [...mainFiles, ...shotFiles];
  // Read in parallel, but report errors and skipped rows in file order so runs are reproducible.
  const perFile = files.map(() => new BadRows(bad.mode));
  const settled = await Promise.allSettled(
    files.map((file, k) => {
      const subject = subjects[k % subjects.length];
      const split = k < subjects.length ? spec.split : spec.fewshotSplit;
      return readMmluFile(file, subject, split, perFile[k]);
    }),
  );
  const loaded = settled.map((r) => {
    if (r.status === 'rejected') throw r.reason;
    return r.value;
  });
  for (const collector of perFile) bad.skipped.push(...collector.skipped);

  const items = loaded.slice(0, subjects.length).flat();
  const fewshotPool = new Map<string, Item[]>();
  subjects.forEach((s, k) => fewshotPool.set(s, loaded[subjects.length + k]));

  const subjectText = subjects.length === 1 ? `subject ${subjects[0]}` : `${subjects.length} subjects`;
  return {
    items,
    fewshotPool,
    files,
    description: `MMLU ${spec.split} split, ${subjectText}, few-shot pool from ${spec.fewshotSplit}`,
  };
}
