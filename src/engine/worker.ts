import os from 'node:os';
import type { Item, Model } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { loadBenchmark } from '../benchmarks/load.js';
import { createModel } from '../models/registry.js';
import type { ChunkJob, ChunkQueue } from '../store/queue.js';
import { servesQueue } from '../store/queue.js';
import type { ResultStore } from '../store/store.js';
import type { ModelSpec } from '../study/schema.js';
import { computeRequests } from './compute.js';
import { RequestTable } from './keys.js';

/** How long an idle worker waits before looking at the queues again (doubling from the first to the second). */
const MIN_IDLE_MS = 200;
const MAX_IDLE_MS = 1000;

export interface WorkerOptions {
  store: ResultStore;
  queue: ChunkQueue;
  /** Names of the models this worker serves (all when empty). */
  models: string[];
  /** Chunks computed at once. */
  concurrency: number;
  /** This machine's own declaration of models, by name (a local path or server), used instead of the study's. */
  localModels?: { specs: ModelSpec[]; baseDir: string };
  log: (line: string) => void;
  shouldStop: () => boolean;
}

/**
 * `goodhart worker`: takes chunks from the queues of the models it serves until stopped, computes
 * them through the store (so results another worker stored are not computed again, and requests a
 * live worker holds are waited for) and marks them done. A chunk for a model whose identity here
 * differs from the study's is refused, and that queue is not served again by this worker.
 */
export async function runWorker(opts: WorkerOptions): Promise<{ chunks: number; refused: number }> {
  const { store, queue, log } = opts;
  // One set of models per chunk computed at once: a model evaluates one batch at a time.
  const slots = Array.from({ length: Math.max(1, opts.concurrency) }, () => new Map<string, Promise<Model>>());
  const benchmarks = new Map<string, Promise<Item[]>>();
  const refused = new Set<string>();
  let queues: string[] = [];
  let listedAt = 0;
  let turn = 0;
  let idleSince = 0;
  const tally = { chunks: 0, refused: 0 };

  const modelFor = (models: Map<string, Promise<Model>>, job: ChunkJob): Promise<Model> => {
    const local = opts.localModels?.specs.find((m) => m.name === job.model.name);
    const spec = local ?? job.model;
    const baseDir = local ? opts.localModels!.baseDir : job.studyDir;
    const cacheKey = JSON.stringify([spec, baseDir, job.benchmark]);
    let model = models.get(cacheKey);
    if (!model) {
      model = (async () => {
        let items: Item[] | undefined;
        if (spec.backend === 'sim' && job.benchmark) {
          const key = JSON.stringify([job.benchmark, job.studyDir]);
          let loaded = benchmarks.get(key);
          if (!loaded)
            benchmarks.set(
              key,
              (loaded = loadBenchmark(job.benchmark, { baseDir: job.studyDir }).then((b) => b.items)),
            );
          items = await loaded;
        }
        return createModel(spec, { baseDir, fileHashes: store, where: `model ${spec.name}`, items });
      })();
      models.set(cacheKey, model);
    }
    return model;
  };

  const take = async (): Promise<{ name: string; id: string; data: ChunkJob } | undefined> => {
    // Listed again whenever there was nothing to take: a new run's queue is found at once.
    if (Date.now() - listedAt > MAX_IDLE_MS || idleSince > 0) {
      queues = (await queue.queues()).filter((q) => servesQueue(q, opts.models));
      listedAt = Date.now();
    }
    const open = queues.filter((q) => !refused.has(q));
    for (let i = 0; i < open.length; i++) {
      const name = open[(turn + i) % open.length];
      const job = await queue.take(name);
      if (job) {
        turn++;
        idleSince = 0;
        return { name, ...job };
      }
    }
    idleSince ||= Date.now();
    return undefined;
  };

  const handle = async (
    models: Map<string, Promise<Model>>,
    { name, id, data }: { name: string; id: string; data: ChunkJob },
  ) => {
    let model: Model;
    try {
      model = await modelFor(models, data);
    } catch (e) {
      return refuse(
        name,
        id,
        `worker on ${os.hostname()} cannot open model ${data.model.name}: ${(e as Error).message}`,
      );
    }
    if (model.identity.id !== data.identity) {
      return refuse(
        name,
        id,
        `worker on ${os.hostname()}: model ${data.model.name} here is ${model.identity.id}, the study's is ${data.identity}`,
      );
    }
    const table = new RequestTable();
    const ids = Int32Array.from(data.requests, (r) => table.intern(r));
    if (data.keys.some((key, i) => table.keys[ids[i]] !== key)) {
      return refuse(
        name,
        id,
        `worker on ${os.hostname()}: the chunk's requests have other keys here (another goodhart version?)`,
      );
    }
    log(`${data.model.name}: computing a chunk of ${ids.length} requests`);
    try {
      // The whole chunk in one batch, as a run on one machine evaluates it (llama.cpp's log-probs differ in the last digits with the batch).
      const { counts } = await computeRequests(model, table, ids, store, { chunkSize: ids.length });
      await queue.complete(name, id, counts);
      tally.chunks++;
      log(
        `${data.model.name}: chunk of ${ids.length} requests done (${counts.computed} computed, ${counts.cached} already stored, ${counts.failed} failed)`,
      );
    } catch (e) {
      const message = e instanceof UserError ? e.message : String((e as Error)?.message ?? e);
      log(`${data.model.name}: chunk failed: ${message}`);
      await queue.fail(name, id, { message: `worker on ${os.hostname()}: ${message}` });
    }
  };

  async function refuse(name: string, id: string, reason: string) {
    refused.add(name);
    tally.refused++;
    log(`refused a chunk: ${reason}`);
    await queue.fail(name, id, { refused: reason });
  }

  const loop = async (models: Map<string, Promise<Model>>) => {
    let idle = MIN_IDLE_MS;
    while (!opts.shouldStop()) {
      const job = await take();
      if (!job) {
        await new Promise((resolve) => setTimeout(resolve, idle));
        idle = Math.min(MAX_IDLE_MS, 2 * idle);
        continue;
      }
      idle = MIN_IDLE_MS;
      await handle(models, job);
    }
  };
  try {
    await Promise.all(slots.map(loop));
  } finally {
    for (const models of slots)
      for (const model of models.values())
        await model.then(
          (m) => m.close(),
          () => {},
        );
  }
  return tally;
}
