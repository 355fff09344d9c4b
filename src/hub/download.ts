import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, writeSync } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { asResponse, failHub, hubStream, TransientHubError } from './http.js';

/** What the Hub says a file is; each present field is checked after the download. */
export interface ExpectedFile {
  size?: number;
  /** sha256 of the content (the Hub gives it for LFS files: `lfs.oid`, `x-linked-etag`). */
  sha256?: string;
  /** git blob id (sha1 of "blob <size>\0" + content): the `oid`/ETag of a small, non-LFS file. */
  gitOid?: string;
}

export interface FileDigest {
  size: number;
  sha256: string;
  gitOid: string;
}

export interface DownloadOptions {
  expected?: ExpectedFile;
  /** Names the file in messages, e.g. `hf://datasets/cais/mmlu all/test-00000-of-00001.parquet`. */
  what: string;
  attempts?: number;
  /** Pause before attempt k is k × retryDelayMs (tests use 0). */
  retryDelayMs?: number;
  log?: (line: string) => void;
}

const SHA256 = /^[0-9a-f]{64}$/;
const SHA1 = /^[0-9a-f]{40}$/;

/** Both digests the Hub may quote for a file, in one read. */
export async function digestFile(file: string): Promise<FileDigest> {
  const { size } = await stat(file);
  const sha256 = createHash('sha256');
  const git = createHash('sha1').update(`blob ${size}\0`);
  for await (const chunk of createReadStream(file)) {
    sha256.update(chunk as Buffer);
    git.update(chunk as Buffer);
  }
  return { size, sha256: sha256.digest('hex'), gitOid: git.digest('hex') };
}

/** Why a file does not match what the Hub says, or null when it does. */
export function mismatch(got: FileDigest, expected: ExpectedFile): string | null {
  if (expected.size !== undefined && got.size !== expected.size)
    return `size ${got.size} instead of ${expected.size} bytes`;
  if (expected.sha256 && got.sha256 !== expected.sha256) return `sha256 ${got.sha256} instead of ${expected.sha256}`;
  if (expected.gitOid && got.gitOid !== expected.gitOid)
    return `git blob id ${got.gitOid} instead of ${expected.gitOid}`;
  return null;
}

async function sizeOf(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/** Total size from `Content-Range: bytes a-b/total`, or null when the range does not start at `from`. */
function rangeTotal(header: string | null, from: number): number | undefined | null {
  const m = header && /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(header.trim());
  if (!m || Number(m[1]) !== from) return null;
  return m[2] === '*' ? undefined : Number(m[2]);
}

/**
 * One attempt: continue `part` from its current size with a Range request (or start over when
 * the server ignores the range), and append what arrives. A dropped connection keeps what came
 * and throws TransientHubError, so the next attempt resumes from there.
 */
async function attempt(url: string, part: string, expected: ExpectedFile, what: string): Promise<void> {
  const have = await sizeOf(part);
  if (have > 0 && expected.size !== undefined && have >= expected.size) {
    if (have === expected.size) return;
    await rm(part, { force: true });
    return attempt(url, part, expected, what);
  }
  // identity: sizes and ranges then count the bytes stored, not a compressed stream.
  const got = await hubStream(url, { 'accept-encoding': 'identity', ...(have > 0 ? { range: `bytes=${have}-` } : {}) });
  const { message } = got;
  const status = message.statusCode ?? 0;
  const header = (name: string) =>
    typeof message.headers[name] === 'string' ? (message.headers[name] as string) : null;
  if (got.linkedSize !== undefined) expected.size ??= got.linkedSize;
  const etag = got.linkedEtag ?? got.directEtag;
  if (etag && SHA256.test(etag)) expected.sha256 ??= etag;
  else if (etag && SHA1.test(etag) && !got.linkedEtag) expected.gitOid ??= etag;

  if (status === 416 && have > 0) {
    // The part already holds the whole file (or more): let the check decide.
    message.resume();
    return;
  }
  if (status < 200 || status >= 300) await failHub(await asResponse(message), what);
  let append = false;
  if (status === 206) {
    const total = rangeTotal(header('content-range'), have);
    if (total === null) {
      message.destroy();
      await rm(part, { force: true });
      throw new TransientHubError(`${what}: the server answered a different byte range than asked; starting over`);
    }
    if (total !== undefined) expected.size ??= total;
    append = true;
  } else {
    const length = header('content-length');
    if (length && /^\d+$/.test(length) && !header('content-encoding')) expected.size ??= Number(length);
  }
  const fd = openSync(part, append ? 'a' : 'w');
  try {
    // Written as each chunk arrives, so a cut connection keeps every byte that came.
    await new Promise<void>((resolve, reject) => {
      message.on('data', (chunk: Buffer) => writeSync(fd, chunk));
      message.on('end', () => (message.complete ? resolve() : reject(new Error('connection closed early'))));
      message.on('aborted', () => reject(new Error('connection closed early')));
      message.on('error', reject);
    });
  } catch (err) {
    throw new TransientHubError(`${what}: transfer cut after ${await sizeOf(part)} bytes (${(err as Error).message})`);
  } finally {
    closeSync(fd);
  }
  const now = await sizeOf(part);
  if (expected.size !== undefined && now < expected.size)
    throw new TransientHubError(`${what}: transfer ended at ${now} of ${expected.size} bytes`);
}

/**
 * Download `url` to `dest` through `dest.part`: resumed across attempts (and across runs, since a
 * killed run leaves its `.part`), then checked against the Hub's size and checksum before it is
 * moved into place. A file that fails the check is deleted and reported.
 */
export async function downloadFile(url: string, dest: string, opts: DownloadOptions): Promise<FileDigest> {
  const expected: ExpectedFile = { ...opts.expected };
  const part = `${dest}.part`;
  const attempts = opts.attempts ?? 5;
  await mkdir(path.dirname(dest), { recursive: true });
  for (let k = 1; ; k++) {
    try {
      await attempt(url, part, expected, opts.what);
      break;
    } catch (err) {
      if (!(err instanceof TransientHubError) || k >= attempts) {
        if (err instanceof TransientHubError)
          throw new UserError(`download failed after ${attempts} attempts: ${err.message}. Run again to resume`, dest);
        throw err;
      }
      opts.log?.(`${err.message}; retrying (${k + 1}/${attempts})`);
      await new Promise((resolve) => setTimeout(resolve, k * (opts.retryDelayMs ?? 500)));
    }
  }
  const digest = await digestFile(part);
  const problem = mismatch(digest, expected);
  if (problem) {
    await rm(part, { force: true });
    throw new UserError(
      `downloaded file does not match the Hub (${problem}); it was deleted, run again to fetch it anew`,
      opts.what,
    );
  }
  await rename(part, dest);
  return digest;
}
