import type { Model } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { isPostgresUrl } from '../store/postgres.js';
import { ChunkQueue, queueName, type ChunkJob, type ChunkState } from '../store/queue.js';
import type { ResultStore } from '../store/store.js';
import type { Study } from '../study/load.js';
import type { ModelSpec } from '../study/schema.js';
import { Results, type RunControl } from './compute.js';
import { uniqueRequests, type Cell } from './plan.js';
import { Interrupted, reduceCells, type ModelRun } from './run.js';

/** Requests per chunk: a worker's unit of work, and what a killed worker loses at most. */
const CHUNK_REQUESTS = Number(process.env.GOODHART_CHUNK_REQUESTS) || 256;
/** How often the run looks at the queue while workers compute. */
const POLL_MS = 500;

export interface Distribution {
  queue: ChunkQueue;
  study: Study;
  close(): Promise<void>;
}

/** `run --distributed`: the queue shared with the workers, in the store's database. */
export async function startDistributed(
  storeLocation: string,
  study: Study,
  log: (line: string) => void,
): Promise<Distribution> {
  if (!isPostgresUrl(storeLocation)) {
    throw new UserError(
      '--distributed needs a PostgreSQL store that the workers share: pass --store postgres://… (or set GOODHART_STORE)',
      '--distributed',
    );
  }
  const queue = await ChunkQueue.open(storeLocation, log);
  return { queue, study, close: () => queue.close() };
}

/**
 * One model's requests computed by workers: those not in the store are put on the model's queue
 * in chunks, the run waits until every chunk is done (showing progress), then reads the results
 * from the store and scores the cells as a local run would.
 */
export async function runModelDistributed(
  model: Model,
  cells: Cell[],
  store: ResultStore,
  dist: Distribution,
  spec: ModelSpec,
  control: RunControl,
): Promise<ModelRun> {
  const { ids, total } = uniqueRequests(cells);
  const table = cells[0]?.table;
  const modelId = model.identity.id;
  const keys = table ? Array.from(ids, (id) => table.keys[id]) : [];
  const stored = store.getMany(modelId, keys);
  const missing = ids.filter((id) => !stored.has(table!.keys[id]));
  const name = queueName(model.identity.name, modelId);
  const chunks: ChunkJob[] = [];
  for (let at = 0; at < missing.length; at += CHUNK_REQUESTS) {
    const part = Array.from(missing.subarray(at, at + CHUNK_REQUESTS));
    chunks.push({
      identity: modelId,
      model: spec,
      studyDir: dist.study.baseDir,
      ...(spec.backend === 'sim' ? { benchmark: dist.study.spec.benchmark } : {}),
      keys: part.map((id) => table!.keys[id]),
      requests: part.map((id) => table!.requests[id]),
    });
  }
  control.progress?.start(`${model.identity.name} (${chunks.length} chunks on queue ${name})`, missing.length);
  const jobIds = await dist.queue.enqueue(name, chunks);
  let done = 0;
  for (;;) {
    if (control.shouldStop?.()) throw new Interrupted();
    const { counts, failures } = await dist.queue.states(name, jobIds);
    if (failures.length) {
      throw new UserError(
        `${failures.length} chunks of ${model.identity.name} failed on every attempt; the first: ${failures[0]}. Results already stored are kept; run again to retry the rest.`,
        `queue ${name}`,
      );
    }
    const completed = counts.get('completed' satisfies ChunkState) ?? 0;
    if (completed > done) {
      // Progress in requests: chunks are equal but for the last.
      const requests =
        Math.min(missing.length, completed * CHUNK_REQUESTS) - Math.min(missing.length, done * CHUNK_REQUESTS);
      control.progress?.tick(requests);
      done = completed;
    }
    if (completed >= jobIds.length) break;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  const results = new Results(table?.size ?? 0);
  const all = store.getMany(modelId, keys);
  ids.forEach((id, i) => {
    const r = all.get(keys[i]);
    if (r) results.set(id, r);
  });
  control.progress?.finish();
  const { items, summaries } = reduceCells(model.identity.name, cells, results);
  const computed = missing.filter((id) => all.has(table!.keys[id])).length;
  return {
    model,
    items,
    summaries,
    requests: { total, unique: ids.length, cached: stored.size, computed, failed: missing.length - computed },
  };
}
