import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RequestResult } from '../core/types.js';
import { noSpaceError } from '../core/errors.js';
import { resultChecksum, verifiedResult } from './checksum.js';
import { processStart, processState } from './liveness.js';

/*
 * Each answer is appended to a small journal beside the store the moment it arrives (one write,
 * no transaction), and committed to the store in batches. A killed run loses nothing it had
 * received: the next run that opens the store replays the journal of every process that is gone.
 * Once every journaled answer is committed the journal is emptied; a clean close deletes it.
 *
 * A journal is named `<store>-answers-<pid>-<start>-<random>@<host>`, so its owner can be told
 * alive or not: <start> is the process's start time (Linux), since a busy machine reuses pids soon.
 */

/** A journal of a process on another machine, untouched this long, is taken to be orphaned. */
const STALE_MS = 10 * 60_000;

export class AnswerJournal {
  readonly file: string;
  private fd: number | undefined;
  /** Journaled answers not yet committed to the store ("model\0key"). */
  private readonly uncommitted = new Set<string>();

  constructor(storeLocation: string) {
    this.file = `${storeLocation}-answers-${process.pid}-${processStart(process.pid) ?? 0}-${crypto.randomBytes(4).toString('hex')}@${os.hostname()}`;
  }

  append(modelId: string, key: string, result: RequestResult): void {
    const text = JSON.stringify(result);
    const line = JSON.stringify([modelId, key, text, resultChecksum(modelId, key, text)]) + '\n';
    try {
      this.fd ??= fs.openSync(this.file, 'a');
      fs.writeSync(this.fd, line);
    } catch (e) {
      throw noSpaceError(e, this.file) ?? e;
    }
    this.uncommitted.add(`${modelId}\0${key}`);
  }

  /** These answers are in the store now; once all are, the journal is emptied. */
  committed(modelId: string, keys: Iterable<string>): void {
    if (this.uncommitted.size === 0) return;
    for (const key of keys) this.uncommitted.delete(`${modelId}\0${key}`);
    if (this.uncommitted.size === 0 && this.fd !== undefined) fs.ftruncateSync(this.fd);
  }

  /** Close; delete the journal unless it holds answers the store lacks (the next run replays those). */
  close(): void {
    if (this.fd === undefined) return;
    fs.closeSync(this.fd);
    this.fd = undefined;
    if (this.uncommitted.size === 0) fs.rmSync(this.file, { force: true });
  }
}

const NAME = /^(.*)-answers-(\d+)-(\d+)-[0-9a-f]+@(.+)$/;

/** Journals beside the store whose process is gone (this machine) or that were left untouched long (another). */
export function orphanedJournals(storeLocation: string): string[] {
  const dir = path.dirname(storeLocation);
  const base = path.basename(storeLocation);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const m = NAME.exec(name);
    if (!m || m[1] !== base) return [];
    const file = path.join(dir, name);
    // On this machine the owner's pid and start time tell; where they cannot, the journal is left alone.
    if (m[4] === os.hostname())
      return processState({ host: m[4], boot: '', pid: Number(m[2]), start: Number(m[3]) }) === 'dead' ? [file] : [];
    try {
      return Date.now() - fs.statSync(file).mtimeMs > STALE_MS ? [file] : [];
    } catch {
      return [];
    }
  });
}

/** The answers of a journal, by model; a line cut short by a kill, or failing its checksum, is left out. */
export function readJournal(file: string): Map<string, Map<string, RequestResult>> {
  const byModel = new Map<string, Map<string, RequestResult>>();
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return byModel;
  }
  for (const line of text.split('\n')) {
    if (!line) continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (!Array.isArray(entry) || entry.length !== 4) continue;
    const [modelId, key, resultText, checksum] = entry as [string, string, string, number];
    const result = typeof resultText === 'string' ? verifiedResult(modelId, key, resultText, checksum) : undefined;
    if (!result) continue;
    let answers = byModel.get(modelId);
    if (!answers) byModel.set(modelId, (answers = new Map()));
    answers.set(key, result);
  }
  return byModel;
}
