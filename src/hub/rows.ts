import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { UserError } from '../core/errors.js';
import { parseCsv } from '../formats/csv.js';
import { parseJsonl } from '../formats/jsonl.js';
import { readTextFile, touchesInvalidLine } from '../formats/text-file.js';

/**
 * Rows of a data file in any of the Hub's formats, as plain objects. `line` is the physical line
 * for JSONL and CSV, and the 1-based row number for Parquet and JSON arrays, so every problem can be
 * reported as file:line.
 */
export type RowRecord =
  { ok: true; row: Record<string, unknown>; line: number } | { ok: false; reason: string; line: number };

/** Parquet int64 columns arrive as bigint; numbers are what every mapping expects. */
function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === 'object' && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

async function parquetRows(file: string): Promise<RowRecord[]> {
  let rows: Record<string, unknown>[];
  try {
    // Snappy is built in; the others (zstd, gzip, brotli, lz4) the Hub's files may also use.
    rows = await parquetReadObjects({ file: await asyncBufferFromFile(file), compressors });
  } catch (err) {
    throw new UserError(`cannot read Parquet: ${(err as Error).message}`, file);
  }
  return rows.map((row, k) => ({ ok: true, row: plain(row) as Record<string, unknown>, line: k + 1 }));
}

async function jsonlRows(file: string): Promise<RowRecord[]> {
  const source = await readTextFile(file);
  return parseJsonl(source.text).map((rec) => {
    if (source.invalidLines.has(rec.line)) return { ok: false, reason: 'invalid UTF-8', line: rec.line };
    return rec.ok ? { ok: true, row: rec.value, line: rec.line } : rec;
  });
}

/** A `.json` file: an array of objects, `{"data": [...]}`, or JSON Lines under a .json name. */
async function jsonRows(file: string): Promise<RowRecord[]> {
  const source = await readTextFile(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(source.text);
  } catch {
    return jsonlRows(file);
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { data?: unknown })?.data;
  if (!Array.isArray(list)) throw new UserError('expected a JSON array of rows (or {"data": [...]})', file);
  return list.map((row, k) =>
    row && typeof row === 'object' && !Array.isArray(row)
      ? { ok: true, row: row as Record<string, unknown>, line: k + 1 }
      : { ok: false, reason: `row ${k + 1} is not a JSON object`, line: k + 1 },
  );
}

/** CSV with a header row; every value is text. */
async function csvRows(file: string): Promise<RowRecord[]> {
  const source = await readTextFile(file);
  const records = parseCsv(source.text);
  const head = records.shift();
  if (!head) throw new UserError('file is empty', file);
  if (!head.ok) throw new UserError(`cannot read the header row: ${head.reason}`, `${file}:${head.line}`);
  const names = head.fields;
  return records.map((rec) => {
    if (touchesInvalidLine(source, rec.line, rec.endLine))
      return { ok: false, reason: 'invalid UTF-8', line: rec.line };
    if (!rec.ok) return { ok: false, reason: rec.reason, line: rec.line };
    if (rec.fields.length !== names.length)
      return { ok: false, reason: `expected ${names.length} columns, found ${rec.fields.length}`, line: rec.line };
    return { ok: true, row: Object.fromEntries(names.map((n, k) => [n, rec.fields[k]])), line: rec.line };
  });
}

export async function readRows(file: string): Promise<RowRecord[]> {
  const ext = /\.([a-z]+)$/i.exec(file)?.[1]?.toLowerCase();
  switch (ext) {
    case 'parquet':
      return parquetRows(file);
    case 'jsonl':
      return jsonlRows(file);
    case 'json':
      return jsonRows(file);
    case 'csv':
      return csvRows(file);
    default:
      throw new UserError('not a data file this reader knows (.parquet, .jsonl, .json, .csv)', file);
  }
}
