import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import { writeReport } from '../report/index.js';
import { compareDir } from './report.js';
import { serveRunDir } from '../report/server.js';

export interface ViewOptions {
  port?: string;
  compare?: string;
}

const DEFAULT_VIEW_PORT = 8737;

/** The report is (re)written when it is missing or older than the run's results. */
function reportIsStale(dir: string): boolean {
  const mtime = (name: string) => {
    try {
      return fs.statSync(path.join(dir, name)).mtimeMs;
    } catch {
      return -1;
    }
  };
  const report = mtime('report.html');
  return report < 0 || ['summary.json', 'items.jsonl', 'analysis.json'].some((f) => mtime(f) > report);
}

/** `goodhart view`: serve the run's report on 127.0.0.1 until interrupted. */
export async function viewCommand(dirArg: string, opts: ViewOptions): Promise<number> {
  const dir = path.resolve(dirArg);
  const port = opts.port === undefined ? DEFAULT_VIEW_PORT : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UserError(`--port must be a port number (0 picks a free one), got "${opts.port}"`);
  if (!fs.existsSync(path.join(dir, 'summary.json')))
    throw new UserError('no summary.json here: is this a run folder?', dir);
  const compare = compareDir(opts.compare);
  // A comparison is always drawn afresh: the other run may have changed since.
  if (compare || reportIsStale(dir)) {
    const { warnings } = await writeReport(dir, { compare });
    for (const w of warnings) process.stderr.write(`goodhart: ${w}\n`);
  }
  let server;
  try {
    server = await serveRunDir(dir, port);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE')
      throw new UserError(`port ${port} is in use; pick another with --port (0 picks a free one)`);
    throw e;
  }
  process.stdout.write(`serving ${dir} at ${server.url}\n(press Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await server.close();
  return 0;
}
