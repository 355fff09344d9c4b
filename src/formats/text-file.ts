import { readFile, readdir, stat } from 'node:fs/promises';
import { UserError } from '../core/errors.js';

export interface TextFile {
  /** Decoded text, BOM removed. Lines that were not valid UTF-8 are decoded lossily. */
  text: string;
  /** 1-based physical lines holding invalid UTF-8: rows touching them are bad rows. */
  invalidLines: Set<number>;
}

const LF = 0x0a;

function fsProblem(err: unknown, target: string, what: 'file' | 'folder'): UserError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new UserError(`${what} not found`, target);
  if (code === 'EISDIR') return new UserError('expected a file but found a folder', target);
  if (code === 'ENOTDIR') return new UserError(`expected a ${what} but found a file`, target);
  if (code === 'EACCES' || code === 'EPERM') return new UserError(`permission denied reading ${what}`, target);
  return new UserError(`cannot read ${what}: ${(err as Error).message}`, target);
}

/** Read a data file as UTF-8; a missing, unreadable or empty file is a UserError naming it. */
export async function readTextFile(file: string): Promise<TextFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw fsProblem(err, file, 'file');
  }
  const invalidLines = new Set<number>();
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // Rare path: find which lines are broken (0x0A never occurs inside a UTF-8 sequence).
    const strict = new TextDecoder('utf-8', { fatal: true });
    let start = 0;
    for (let line = 1; ; line++) {
      const nl = bytes.indexOf(LF, start);
      const end = nl < 0 ? bytes.length : nl;
      try {
        strict.decode(bytes.subarray(start, end));
      } catch {
        invalidLines.add(line);
      }
      if (nl < 0) break;
      start = nl + 1;
    }
    text = new TextDecoder('utf-8').decode(bytes);
  }
  if (text.trim() === '') throw new UserError('file is empty', file);
  return { text, invalidLines };
}

/** Names of the entries of a folder, sorted; a missing folder is a UserError naming it. */
export async function listFolder(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch (err) {
    throw fsProblem(err, dir, 'folder');
  }
}

export async function isFolder(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/** True when any physical line in [first, last] held invalid UTF-8. */
export function touchesInvalidLine(file: TextFile, first: number, last: number): boolean {
  if (file.invalidLines.size === 0) return false;
  for (let l = first; l <= last; l++) if (file.invalidLines.has(l)) return true;
  return false;
}
