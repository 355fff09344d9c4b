import path from 'node:path';
import { loadStudy } from '../study/load.js';
import { runStudy, StudyInterrupted, type ProgressEvent } from '../api/run.js';
import { Progress } from '../engine/progress.js';
import { writeRunAnalysis } from './analyze.js';
import { markSimulated } from '../output/simulated.js';
import { formatAccuracyTable } from '../report/accuracy-table.js';
import { writeRunReport } from './report.js';

export interface RunOptions {
  out?: string;
  store?: string;
  quiet?: boolean;
  /** Hub datasets and models from the cache only (also $GOODHART_OFFLINE=1). */
  offline?: boolean;
  /** A server's configuration problems (unlisted model, disagreeing tokenizer) are warnings, not errors. */
  lenient?: boolean;
  /** Enqueue the requests for workers sharing the (PostgreSQL) store instead of computing them here. */
  distributed?: boolean;
}

/** The run's progress events drawn as the progress bar on stderr. */
function progressBar(): (event: ProgressEvent) => void {
  const bar = new Progress(process.stderr);
  let done = 0;
  return (event) => {
    if (event.phase === 'start') bar.start(event.label, event.total);
    else if (event.phase === 'tick') bar.tick(event.done - done);
    else bar.finish();
    done = event.phase === 'finish' ? 0 : event.done;
  };
}

/** `goodhart run`: returns the process exit code. */
export async function runCommand(studyFile: string, opts: RunOptions): Promise<number> {
  const study = loadStudy(studyFile);
  const out = path.resolve(opts.out ?? path.join('runs', study.spec.name));
  const log = (line: string) => {
    if (!opts.quiet) process.stderr.write(line + '\n');
  };
  const stop = new AbortController();
  const onSigint = () => {
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
    process.stderr.write('\nstopping after the current batch (press Ctrl-C again to stop at once)...\n');
  };
  process.on('SIGINT', onSigint);
  try {
    const { summary, items, failed } = await runStudy(study, {
      out,
      store: opts.store || undefined,
      signal: stop.signal,
      onProgress: opts.quiet ? undefined : progressBar(),
      onLog: log,
      onWarning: (line) => process.stderr.write(line + '\n'),
      offline: opts.offline,
      lenient: opts.lenient,
      distributed: opts.distributed,
    });
    const totals = summary.requests;
    process.stdout.write(formatAccuracyTable(markSimulated(summary)) + '\n');
    process.stdout.write(
      `requests: ${totals.total} total, ${totals.unique} unique, ${totals.cached} cached, ${totals.computed} computed, ${totals.failed} failed` +
        `${totals.retries ? ` (${totals.retries} HTTP retries)` : ''}\n` +
        `wrote ${path.join(out, 'items.jsonl')} and ${path.join(out, 'summary.json')}\n`,
    );
    writeRunAnalysis(out, summary, items);
    await writeRunReport(out, log);
    if (failed > 0) {
      process.stderr.write(
        `${failed} requests failed; their items are left out of the accuracies above. Run the same command again to retry them.\n`,
      );
      return 2;
    }
    return 0;
  } catch (e) {
    if (e instanceof StudyInterrupted) {
      process.stderr.write(
        `interrupted: every finished result is in ${e.store}. Run the same command again to resume.\n`,
      );
      return 130;
    }
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
  }
}
