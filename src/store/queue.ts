import crypto from 'node:crypto';
import PgBoss from 'pg-boss';
import type { Request } from '../core/types.js';
import { UserError } from '../core/errors.js';
import type { ModelSpec, StudySpec } from '../study/schema.js';
import { leaseSeconds, redactUrl } from './postgres.js';

/**
 * The queue of chunks of requests, in the PostgreSQL store's database, kept by pg-boss (its tables
 * live in the `pgboss` schema). One queue per model identity; a chunk is a job that carries
 * everything a worker needs to compute it, so a worker needs neither the study file nor the benchmark
 * (except for the simulator, which answers only the benchmark's own questions).
 */

export interface ChunkJob {
  /** The identity the study's model has; a worker whose model differs refuses the chunk. */
  identity: string;
  /** The model as the study declares it (paths made absolute). */
  model: ModelSpec;
  studyDir: string;
  /** For a simulated model: the benchmark whose questions it answers. */
  benchmark?: StudySpec['benchmark'];
  keys: string[];
  requests: Request[];
}

export type ChunkState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

const PREFIX = 'goodhart_';
/** Attempts of a chunk (a refusal or a lapsed lease each count one) before the run reports it failed. */
const CHUNK_ATTEMPTS = 20;

/** The queue of a model: its name (as far as a queue name can spell it) and its identity. */
export function queueName(modelName: string, identity: string): string {
  const hash = crypto.createHash('sha256').update(identity).digest('hex').slice(0, 12);
  return `${PREFIX}${modelName.replace(/[^A-Za-z0-9]/g, '_').slice(0, 40)}_${hash}`;
}

/** Whether a queue is one of the models a worker serves (all when `models` is empty). */
export function servesQueue(name: string, models: readonly string[]): boolean {
  if (!name.startsWith(PREFIX)) return false;
  if (models.length === 0) return true;
  const model = name.slice(PREFIX.length, name.lastIndexOf('_'));
  return models.some((m) => m.replace(/[^A-Za-z0-9]/g, '_').slice(0, 40) === model);
}

/** How long a chunk may stay with one worker before another may take it (the lease of the chunk). */
export const chunkLeaseSeconds = () => Math.max(10, Math.ceil(4 * leaseSeconds()));

export class ChunkQueue {
  private constructor(
    private readonly boss: PgBoss,
    readonly location: string,
  ) {}

  static async open(url: string, onError: (message: string) => void): Promise<ChunkQueue> {
    const lease = leaseSeconds();
    const boss = new PgBoss({
      connectionString: url,
      application_name: 'goodhart-queue',
      max: 4,
      schedule: false,
      supervise: true,
      maintenanceIntervalSeconds: Math.max(1, Math.round(lease)),
    });
    let reported = '';
    boss.on('error', (e: Error) => {
      if (e.message !== reported) onError(`queue: ${(reported = e.message)}`);
    });
    try {
      await boss.start();
    } catch (e) {
      await boss.stop({ graceful: false }).catch(() => {});
      throw new UserError(
        `cannot open the queue: ${(e as Error).message}. Check the URL and that the server is running.`,
        redactUrl(url),
      );
    }
    return new ChunkQueue(boss, redactUrl(url));
  }

  /** Put chunks on a model's queue; returns their ids. */
  async enqueue(name: string, chunks: ChunkJob[]): Promise<string[]> {
    if (!(await this.boss.getQueue(name)))
      await this.boss.createQueue(name, { name, retryLimit: CHUNK_ATTEMPTS, retryDelay: 1 });
    const ids = chunks.map(() => crypto.randomUUID());
    const expireInSeconds = chunkLeaseSeconds();
    for (let at = 0; at < chunks.length; at += 100) {
      await this.boss.insert(
        chunks.slice(at, at + 100).map((data, i) => ({
          id: ids[at + i],
          name,
          data,
          retryLimit: CHUNK_ATTEMPTS,
          retryDelay: 1,
          expireInSeconds,
        })),
      );
    }
    return ids;
  }

  /** The state of each chunk, and the output of those that failed for good. */
  async states(name: string, ids: string[]): Promise<{ counts: Map<ChunkState, number>; failures: string[] }> {
    // Lapsed leases are handed back now rather than at the next maintenance.
    await this.boss.expire();
    const { rows } = await this.boss.getDb().executeSql(
      `SELECT state, output FROM pgboss.job WHERE name = $1 AND id = ANY($2::uuid[])
       UNION ALL SELECT state, output FROM pgboss.archive WHERE name = $1 AND id = ANY($2::uuid[])`,
      [name, ids],
    );
    const counts = new Map<ChunkState, number>();
    const failures: string[] = [];
    for (const row of rows as { state: ChunkState; output: { message?: string; refused?: string } | null }[]) {
      counts.set(row.state, (counts.get(row.state) ?? 0) + 1);
      if (row.state === 'failed' || row.state === 'cancelled')
        failures.push(row.output?.refused ?? row.output?.message ?? JSON.stringify(row.output));
    }
    return { counts, failures };
  }

  /** Queues of goodhart chunks. */
  async queues(): Promise<string[]> {
    return (await this.boss.getQueues()).map((q) => q.name);
  }

  /** Take one chunk from a queue, if it has one ready. */
  async take(name: string): Promise<{ id: string; data: ChunkJob } | undefined> {
    const [job] = await this.boss.fetch<ChunkJob>(name, { batchSize: 1 });
    return job ? { id: job.id, data: job.data } : undefined;
  }

  complete(name: string, id: string, output: object): Promise<void> {
    return this.boss.complete(name, id, output);
  }

  /** Give a chunk back as failed (it is retried, by another worker if this one refuses it). */
  fail(name: string, id: string, output: object): Promise<void> {
    return this.boss.fail(name, id, output);
  }

  async close(): Promise<void> {
    await this.boss.stop({ graceful: false, wait: true });
  }
}
