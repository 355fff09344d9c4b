import fs from 'node:fs';
import path from 'node:path';

/**
 * An error the user can act on: printed without a stack trace by the CLI.
 * `where` names the file and line, the config key path, or the endpoint.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly where?: string,
  ) {
    super(where ? `${where}: ${message}` : message);
    this.name = 'UserError';
  }
}

/** A write that found no room: the disk is full, or the file reached the file-size limit. */
export class NoSpaceError extends UserError {
  constructor(file: string, reason: 'disk' | 'quota' | 'limit', code: string) {
    const what = {
      disk: `the disk is full (${code})`,
      quota: `the disk quota is used up (${code})`,
      limit: `the file reached the file-size limit (${code}; see ulimit -f)`,
    }[reason];
    const fix = reason === 'limit' ? 'raise the file-size limit' : 'free some space on that disk';
    super(
      `cannot write: ${what}. Everything written before is kept: ${fix}, then run the same command again to resume; what is already stored is not computed again.`,
      file,
    );
    this.name = 'NoSpaceError';
  }
}

const NO_SPACE: Record<string, 'disk' | 'quota' | 'limit'> = {
  ENOSPC: 'disk',
  SQLITE_FULL: 'disk',
  EDQUOT: 'quota',
  EFBIG: 'limit',
};

/** The soft limit on the size of a file this process writes (RLIMIT_FSIZE, Linux), if there is one. */
function fileSizeLimit(): number | undefined {
  try {
    const m = /^Max file size\s+(\d+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `e` as a NoSpaceError about `file` if it is a write that found no room: ENOSPC, EDQUOT, EFBIG or
 * SQLITE_FULL, or a SQLite I/O error while the file (or its WAL or journal) is at the file-size
 * limit or its disk is full — SQLite reports a write refused with EFBIG as SQLITE_IOERR_WRITE.
 */
export function noSpaceError(e: unknown, file: string): NoSpaceError | undefined {
  if (e instanceof NoSpaceError) return e;
  const code = (e as { code?: unknown } | null | undefined)?.code;
  if (typeof code !== 'string') return undefined;
  if (NO_SPACE[code]) return new NoSpaceError(file, NO_SPACE[code], code);
  if (!code.startsWith('SQLITE_IOERR')) return undefined;
  const limit = fileSizeLimit();
  // A write across the limit fills the file up to it; one starting past it leaves the file at most a few pages short.
  const atLimit =
    limit !== undefined &&
    ['', '-wal', '-journal'].some((suffix) => {
      try {
        return fs.statSync(file + suffix).size + 65536 >= limit;
      } catch {
        return false;
      }
    });
  if (atLimit) return new NoSpaceError(file, 'limit', code);
  try {
    const disk = fs.statfsSync(path.dirname(file));
    if (disk.bavail * disk.bsize < 1 << 20) return new NoSpaceError(file, 'disk', code);
  } catch {
    // The disk cannot be examined: leave the error as it is.
  }
  return undefined;
}
