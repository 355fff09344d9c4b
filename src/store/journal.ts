import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RequestResult } from '../core/types.js';
import { noSpaceError } from '../core/errors.js';
import { resultChecksum, verifiedResult } from './checksum.js';
import { processStart, processState } from './liveness.js';

/*
 * Each answer is appended to a small journal beside the store as it arrives (one write per burst
 * of answers, no transaction), and committed to the store in batches. A killed run loses nothing it had
 * received: the next run that opens the store replays the journal of every process that is gone.
 * Once every journaled answer is committed the journal is emptied; a clean close deletes it.
 *
 * A journal is named `<store>-answers-<pid>-<start>-<random>@<host>`, so its owner can be told
 * alive or not: <start> is the process's start time (Linux), since a busy machine reuses pids soon.
 */

/** A journal of a process on another machine, untouched this long, is taken to be orphaned. */
const STALE_MS = 10 * 60_000;

interface Entry {
  modelId: string;
  key: string;
  result: RequestResult;
}

export class AnswerJournal {
  readonly file: string;
  private fd: number | undefined;
  /** Journaled answers not yet committed to the store ("model\0key"). */
  private readonly uncommitted = new Set<string>();
  /** Answers received and not yet written: written together once the code that received them has run. */
  private buffered: Entry[] = [];
  /** Whether the file holds lines (it is emptied once all are committed). */
  private written = false;
  /** A write that failed after the answers came, thrown by the next call. */
  private failure: unknown;

  constructor(storeLocation: string) {
    this.file = `${storeLocation}-answers-${process.pid}-${processStart(process.pid) ?? 0}-${crypto.randomBytes(4).toString('hex')}@${os.hostname()}`;
  }

  /**
   * Answers arrive in bursts (one response holds many): they are written in one write once the
   * code that received them, and the promise callbacks it set off, have run (process.nextTick),
   * before any I/O or timer callback. Answers committed to the store by then need no line at all.
   */
  append(modelId: string, key: string, result: RequestResult): void {
    this.rethrow();
    if (this.buffered.length === 0) process.nextTick(() => this.writeBuffered());
    this.buffered.push({ modelId, key, result });
    this.uncommitted.add(`${modelId}\0${key}`);
  }

  /** These answers are in the store now; once all are, the journal is emptied. */
  committed(modelId: string, keys: Iterable<string>): void {
    this.rethrow();
    if (this.uncommitted.size === 0) return;
    for (const key of keys) this.uncommitted.delete(`${modelId}\0${key}`);
    if (this.uncommitted.size > 0) return;
    this.buffered = [];
    if (this.written) fs.ftruncateSync(this.fd!);
    this.written = false;
  }

  /** Close; delete the journal unless it holds answers the store lacks (the next run replays those). */
  close(): void {
    this.writeBuffered();
    if (this.fd !== undefined) {
      fs.closeSync(this.fd);
      this.fd = undefined;
      if (this.uncommitted.size === 0) fs.rmSync(this.file, { force: true });
    }
    this.rethrow();
  }

  private writeBuffered(): void {
    const entries = this.buffered.filter(({ modelId, key }) => this.uncommitted.has(`${modelId}\0${key}`));
    this.buffered = [];
    if (entries.length === 0) return;
    const lines = entries.map(({ modelId, key, result }) => {
      const text = JSON.stringify(result);
      return JSON.stringify([modelId, key, text, resultChecksum(modelId, key, text)]) + '\n';
    });
    try {
      this.fd ??= fs.openSync(this.file, 'a');
      fs.writeSync(this.fd, lines.join(''));
      this.written = true;
    } catch (e) {
      this.failure ??= noSpaceError(e, this.file) ?? e;
    }
  }

  private rethrow(): void {
    if (this.failure === undefined) return;
    const e = this.failure;
    this.failure = undefined;
    throw e;
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
