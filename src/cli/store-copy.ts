import { openStore } from '../store/open.js';

/** Results per page read from the source and written to the destination in one transaction. */
const PAGE = 5000;

/**
 * `goodhart store copy <from> <to>`: every stored result, model by model, into another store
 * (SQLite or PostgreSQL, either way). Only results the destination lacks are written, so an
 * interrupted copy resumes by running it again, and copying into a store in use is safe.
 * Failures and file hashes are not copied: failed requests are retried anyway and hashes are
 * computed again where they are needed.
 */
export function storeCopyCommand(from: string, to: string, opts: { quiet?: boolean }): number {
  const source = openStore(from);
  try {
    const dest = openStore(to);
    try {
      let copied = 0;
      let present = 0;
      for (const model of source.models()) {
        let cursor: string | undefined;
        do {
          const page = source.scan(model, cursor, PAGE);
          cursor = page.cursor;
          const have = dest.getMany(
            model,
            page.entries.map(([key]) => key),
          );
          const missing = page.entries.filter(([key]) => !have.has(key));
          if (missing.length) dest.putMany(model, missing);
          copied += missing.length;
          present += page.entries.length - missing.length;
        } while (cursor !== undefined);
        if (!opts.quiet) process.stderr.write(`${model}: copied\n`);
      }
      process.stdout.write(
        `copied ${copied} results from ${source.location} to ${dest.location} (${present} were there already)\n`,
      );
    } finally {
      dest.close();
    }
  } finally {
    source.close();
  }
  return 0;
}
