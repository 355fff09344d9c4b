import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';

/*
 * Store and output paths are checked before a run creates anything, so a path that cannot work
 * fails at once naming itself, and a failing run leaves no empty store or folder behind.
 */

/** statfs magic numbers of kernel pseudo-filesystems, where files cannot be made (mkdir may even loop). */
const PSEUDO_FILESYSTEMS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x62656570, 'configfs'],
  [0xcafe4a11, 'bpf'],
  [0x6165676c, 'pstore'],
  [0xde5e81e4, 'efivarfs'],
  [0x42494e4d, 'binfmt_misc'],
]);

/** Below this much free space a run could not store its first results. */
export const MIN_FREE_BYTES = 1 << 20;

/** The nearest folder of `p` (itself included) that exists, and the folders a recursive mkdir would make below it. */
export function existingAncestor(p: string): { existing: string; missing: string[] } {
  const missing: string[] = [];
  let at = path.resolve(p);
  while (!fs.existsSync(at)) {
    const parent = path.dirname(at);
    if (parent === at) break;
    missing.unshift(at);
    at = parent;
  }
  return { existing: at, missing };
}

const errno = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/** The filesystem at `folder` can hold new files: not a pseudo-filesystem, writable by this user, with room. */
function checkFolder(folder: string, subject: string, what: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(folder);
  } catch (e) {
    throw new UserError(`${what}: cannot examine ${folder} (${errno(e)})`, subject);
  }
  if (!stat.isDirectory()) throw new UserError(`${what}: ${folder} is a file, not a folder`, subject);
  let fsStat: fs.StatsFs | undefined;
  try {
    fsStat = fs.statfsSync(folder);
  } catch {
    // A filesystem that cannot be examined is tried as it is.
  }
  const pseudo = fsStat && PSEUDO_FILESYSTEMS.get(fsStat.type);
  if (pseudo)
    throw new UserError(
      `${what}: ${folder} is on the ${pseudo} pseudo-filesystem, where no files can be made`,
      subject,
    );
  try {
    fs.accessSync(folder, fs.constants.W_OK | fs.constants.X_OK);
  } catch (e) {
    throw new UserError(`${what}: this user may not create files in ${folder} (${errno(e)})`, subject);
  }
  if (fsStat && fsStat.bavail * fsStat.bsize < MIN_FREE_BYTES) {
    throw new UserError(
      `${what}: the disk holding ${folder} is full (${fsStat.bavail * fsStat.bsize} bytes free)`,
      subject,
    );
  }
}

/** A store path that can be opened or created: a file this user may read and write, in a folder where SQLite may make its -wal file. */
export function checkStorePath(file: string): void {
  const what = 'cannot use this store';
  if (fs.existsSync(file)) {
    const stat = fs.statSync(file);
    if (stat.isDirectory())
      throw new UserError(
        `${what}: it is a folder; --store takes a file, e.g. ${path.join(file, 'store.sqlite')}`,
        file,
      );
    if (!stat.isFile()) throw new UserError(`${what}: it is not a regular file`, file);
    try {
      fs.accessSync(file, fs.constants.R_OK | fs.constants.W_OK);
    } catch (e) {
      throw new UserError(`${what}: this user may not read and write it (${errno(e)})`, file);
    }
    checkFolder(path.dirname(file), file, what);
    return;
  }
  checkFolder(existingAncestor(path.dirname(file)).existing, file, what);
}

/** An output folder that exists and is writable, or can be made. */
export function checkOutDir(dir: string): void {
  const what = 'cannot write the output folder';
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new UserError(`${what}: it is a file`, dir);
  checkFolder(existingAncestor(dir).existing, dir, what);
}

/** Remove the folders `missing` (innermost first) that are still empty: those a failed run made. */
export function removeEmptyFolders(missing: readonly string[]): void {
  for (const dir of [...missing].reverse()) {
    try {
      fs.rmdirSync(dir);
    } catch {
      return;
    }
  }
}
