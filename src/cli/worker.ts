import { UserError } from '../core/errors.js';
import { runWorker } from '../engine/worker.js';
import { isPostgresUrl, PostgresStore } from '../store/postgres.js';
import { ChunkQueue } from '../store/queue.js';
import { loadStudy } from '../study/load.js';

export interface WorkerCommandOptions {
  store?: string;
  models?: string;
  concurrency?: string;
  study?: string;
  quiet?: boolean;
}

/** `goodhart worker`: serves the queues of a PostgreSQL store until stopped (SIGINT or SIGTERM). */
export async function workerCommand(opts: WorkerCommandOptions): Promise<number> {
  const url = opts.store || process.env.GOODHART_STORE;
  if (!url || !isPostgresUrl(url))
    throw new UserError(
      'a worker needs the PostgreSQL store the run enqueued its requests in: --store postgres://… (or GOODHART_STORE)',
      '--store',
    );
  const concurrency = Number(opts.concurrency ?? 1);
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new UserError(
      `must be a whole number of chunks at once, at least 1, not "${opts.concurrency}"`,
      '--concurrency',
    );
  const models = (opts.models ?? '')
    .split(',')
    .map((m) => m.trim())
    .filter(Boolean);
  const local = opts.study ? loadStudy(opts.study) : undefined;
  const log = (line: string) => {
    if (!opts.quiet) process.stderr.write(`${new Date().toISOString()} ${line}\n`);
  };
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(130);
    stopping = true;
    log('stopping after the chunks in hand (signal again to stop at once)');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const store = new PostgresStore(url);
  try {
    const queue = await ChunkQueue.open(url, log);
    try {
      log(
        `worker ready: store ${store.location}, models ${models.length ? models.join(', ') : 'all'}, ${concurrency} chunk(s) at once`,
      );
      const tally = await runWorker({
        store,
        queue,
        models,
        concurrency,
        log,
        shouldStop: () => stopping,
        ...(local ? { localModels: { specs: local.spec.models, baseDir: local.baseDir } } : {}),
      });
      log(`worker stopped: ${tally.chunks} chunks done, ${tally.refused} refused`);
    } finally {
      await queue.close();
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    store.close();
  }
  return 0;
}
