import path from 'node:path';
import type { Item } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { parseCsv } from '../formats/csv.js';
import { ownField, parseJsonl } from '../formats/jsonl.js';
import type { FieldsSpec, TableSpec } from './spec-parts.js';
import { BadRows, FormatLoad, addToPool, itemProblem, letterOf, setItemSource, show } from './rows.js';
import { TextFile, readTextFile, touchesInvalidLine } from '../formats/text-file.js';

/** One readable record of a JSONL or CSV file, with fields looked up by configured name. */
interface RawRow {
  line: number;
  get: (field: string) => unknown;
}

function referencedFields(fields: FieldsSpec): string[] {
  const choices = typeof fields.choices === 'string' ? [fields.choices] : fields.choices;
  return [
    fields.question,
    fields.answer,
    ...choices,
    ...(fields.id ? [fields.id] : []),
    ...(fields.subject ? [fields.subject] : []),
  ];
}

/** A record that could not be read; reported with the other bad rows, in file order. */
interface UnreadableRow {
  line: number;
  reason: string;
}

const unreadable = (line: number, reason: string): UnreadableRow => ({ line, reason });

function jsonlRows(source: TextFile): (RawRow | UnreadableRow)[] {
  return parseJsonl(source.text).map((rec) => {
    if (source.invalidLines.has(rec.line)) return unreadable(rec.line, 'invalid UTF-8');
    if (!rec.ok) return unreadable(rec.line, rec.reason);
    const obj = rec.value;
    return { line: rec.line, get: (name: string) => ownField(obj, name) };
  });
}

function csvRows(source: TextFile, file: string, spec: TableSpec & { format: 'csv' }): (RawRow | UnreadableRow)[] {
  const records = parseCsv(source.text);
  const wanted = referencedFields(spec.fields);
  let columns: Map<string, number>;
  let width: number | undefined;
  if (spec.header) {
    const head = records.shift();
    if (!head) throw new UserError('file is empty', file);
    if (!head.ok) throw new UserError(`cannot read the header row: ${head.reason}`, `${file}:${head.line}`);
    if (touchesInvalidLine(source, head.line, head.endLine))
      throw new UserError('invalid UTF-8 in the header row', `${file}:${head.line}`);
    columns = new Map();
    head.fields.forEach((name, k) => columns.set(name, columns.has(name) ? -1 : k));
    for (const name of wanted) {
      const k = columns.get(name);
      if (k === undefined)
        throw new UserError(
          `column ${show(name)} is not in the header; columns: ${head.fields.map((f) => show(f)).join(', ')}`,
          `${file}:${head.line}`,
        );
      if (k < 0)
        throw new UserError(`column ${show(name)} appears more than once in the header`, `${file}:${head.line}`);
    }
    width = head.fields.length;
  } else {
    columns = new Map();
    for (const name of wanted) {
      if (!/^\d+$/.test(name))
        throw new UserError(
          `with header: false, columns are named by 0-based position ("0", "1", ...); got ${show(name)}`,
          'benchmark.fields',
        );
      columns.set(name, Number(name));
    }
  }
  if (records.length === 0) throw new UserError('file has no data rows', file);
  return records.map((rec) => {
    if (touchesInvalidLine(source, rec.line, rec.endLine)) return unreadable(rec.line, 'invalid UTF-8');
    if (!rec.ok) return unreadable(rec.line, rec.reason);
    // Without a header the first row sets the expected width.
    width ??= rec.fields.length;
    if (rec.fields.length !== width)
      return unreadable(rec.line, `expected ${width} columns, found ${rec.fields.length}`);
    const cells = rec.fields;
    return { line: rec.line, get: (name: string) => cells[columns.get(name) ?? -1] };
  });
}

/** Strings as they are; numbers (e.g. numeric answers) as their decimal text; anything else is rejected. */
function asText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function readChoices(row: RawRow, fields: FieldsSpec): string[] | string {
  if (typeof fields.choices !== 'string') {
    const out: string[] = [];
    for (const name of fields.choices) {
      const text = asText(row.get(name));
      if (text === null) return `choice field ${show(name)} is missing or not text`;
      out.push(text);
    }
    return out;
  }
  let list = row.get(fields.choices);
  if (typeof list === 'string') {
    // A CSV cell (or a JSON string) holding a JSON array.
    try {
      list = JSON.parse(list);
    } catch {
      return `choices field ${show(fields.choices)} is not a JSON array`;
    }
  }
  if (!Array.isArray(list)) return `choices field ${show(fields.choices)} is missing or not an array`;
  const out = list.map(asText);
  const badAt = out.findIndex((c) => c === null);
  if (badAt >= 0) return `choice ${letterOf(badAt)} is not text`;
  return out as string[];
}

function readAnswer(value: unknown, format: TableSpec['answerFormat'], choices: string[]): number | string {
  if (format === 'index') {
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return Number(value);
    return `answer ${show(value)} is not an integer index`;
  }
  if (format === 'letter') {
    const letter = typeof value === 'string' ? value.trim().toUpperCase() : '';
    if (!/^[A-Z]$/.test(letter)) return `answer ${show(value)} is not a letter`;
    const index = letter.charCodeAt(0) - 65;
    if (index >= choices.length) return `answer ${show(letter)} is not one of A-${letterOf(choices.length - 1)}`;
    return index;
  }
  const text = asText(value);
  if (text === null) return `answer ${show(value)} is not text`;
  let matches = choices.flatMap((c, k) => (c === text ? [k] : []));
  if (matches.length === 0) matches = choices.flatMap((c, k) => (c.trim() === text.trim() ? [k] : []));
  if (matches.length === 0) return `answer ${show(text)} matches none of the choices`;
  if (matches.length > 1) return `answer ${show(text)} matches several choices (${matches.map(letterOf).join(', ')})`;
  return matches[0];
}

/** Read one JSONL/CSV file into items; generated ids are `<idBase>/<row index>`. */
async function readTableFile(spec: TableSpec, file: string, idBase: string, bad: BadRows): Promise<Item[]> {
  const source = await readTextFile(file);
  const rows = spec.format === 'csv' ? csvRows(source, file, spec) : jsonlRows(source);
  const { fields } = spec;
  const firstLineOfId = new Map<string, number>();
  const items: Item[] = [];

  rows.forEach((row, index) => {
    if ('reason' in row) return bad.report(file, row.line, row.reason);
    const fail = (reason: string) => bad.report(file, row.line, reason);
    const question = asText(row.get(fields.question));
    if (question === null) return fail(`question field ${show(fields.question)} is missing or not text`);
    const choices = readChoices(row, fields);
    if (typeof choices === 'string') return fail(choices);
    const answer = readAnswer(row.get(fields.answer), spec.answerFormat, choices);
    if (typeof answer === 'string') return fail(answer);
    const problem = itemProblem(question, choices, answer);
    if (problem) return fail(problem);

    let id = `${idBase}/${index}`;
    if (fields.id) {
      const given = asText(row.get(fields.id));
      if (given === null || given.trim() === '') return fail(`id field ${show(fields.id)} is missing or empty`);
      const seen = firstLineOfId.get(given);
      if (seen !== undefined) return fail(`duplicate id ${show(given)} (first seen on line ${seen})`);
      firstLineOfId.set(given, row.line);
      id = given;
    }
    let subject: string | undefined;
    if (fields.subject) {
      const given = asText(row.get(fields.subject));
      if (given === null) return fail(`subject field ${show(fields.subject)} is missing or not text`);
      subject = given;
    }
    const item: Item = { id, question, choices, answer, ...(subject !== undefined ? { subject } : {}) };
    setItemSource(item, file, row.line);
    items.push(item);
  });
  return items;
}

const stem = (file: string) => path.basename(file).replace(/\.(jsonl|csv)$/i, '');

export async function loadTable(
  spec: TableSpec,
  file: string,
  fewshotFile: string | undefined,
  bad: BadRows,
): Promise<FormatLoad> {
  const items = await readTableFile(spec, file, stem(file), bad);
  const fewshotPool = new Map<string, Item[]>();
  if (fewshotFile) {
    // Keep generated few-shot ids apart from item ids even when both files share a name.
    const base = stem(fewshotFile) === stem(file) ? `fewshot/${stem(fewshotFile)}` : stem(fewshotFile);
    for (const item of await readTableFile(spec, fewshotFile, base, bad)) addToPool(fewshotPool, item);
  }
  const shots = fewshotFile ? `, few-shot pool from ${path.basename(fewshotFile)}` : '';
  return {
    items,
    fewshotPool,
    files: fewshotFile ? [file, fewshotFile] : [file],
    description: `${spec.format.toUpperCase()} ${path.basename(file)}${shots}`,
  };
}
