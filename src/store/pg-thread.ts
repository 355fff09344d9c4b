import os from 'node:os';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import pg from 'pg';

/*
 * The PostgreSQL store's connection, in a thread of its own: the store interface is synchronous
 * (the engine calls it between awaits), so the main thread posts one operation, blocks on a shared
 * word until it is answered, and reads the answer from a port. This thread also renews the
 * process's lease on its claims while the main thread is busy computing.
 */

export const STORE_SCHEMA_VERSION = 1;

export interface ThreadData {
  url: string;
  worker: string;
  leaseSeconds: number;
  reply: MessagePort;
  signal: Int32Array;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS goodhart_meta (key text PRIMARY KEY, value text NOT NULL);
CREATE TABLE IF NOT EXISTS goodhart_results (model text NOT NULL, key text NOT NULL, seq bigint NOT NULL, writer text NOT NULL, result text NOT NULL, created_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (model, key));
CREATE INDEX IF NOT EXISTS goodhart_results_by_seq ON goodhart_results (model, seq);
CREATE TABLE IF NOT EXISTS goodhart_failures (model text NOT NULL, key text NOT NULL, error text NOT NULL, attempts integer NOT NULL, last_at timestamptz NOT NULL, PRIMARY KEY (model, key));
CREATE TABLE IF NOT EXISTS goodhart_file_hashes (host text NOT NULL, path text NOT NULL, size bigint NOT NULL, mtime double precision NOT NULL, sha256 text NOT NULL, PRIMARY KEY (host, path));
CREATE TABLE IF NOT EXISTS goodhart_workers (worker text PRIMARY KEY, host text NOT NULL, pid integer NOT NULL, heartbeat timestamptz NOT NULL);
CREATE TABLE IF NOT EXISTS goodhart_claims (model text NOT NULL, key text NOT NULL, worker text NOT NULL, PRIMARY KEY (model, key));
ALTER TABLE goodhart_workers ADD COLUMN IF NOT EXISTS joined timestamptz;
`;

/*
 * Storing and claiming are functions on the server: one round trip each instead of one per
 * statement. Writers of a model take a lock on it, so sequence numbers commit in order and a claim
 * reads a prefix of the log.
 */
const FUNCTIONS = `
CREATE OR REPLACE FUNCTION goodhart_put(p_model text, p_writer text, p_keys text[], p_results text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE base bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('goodhart:' || p_model));
  SELECT coalesce(max(seq), 0) INTO base FROM goodhart_results WHERE model = p_model;
  INSERT INTO goodhart_results (model, key, seq, writer, result)
    SELECT p_model, t.k, base + t.n, p_writer, t.r FROM unnest(p_keys, p_results) WITH ORDINALITY AS t(k, r, n)
    ON CONFLICT (model, key) DO NOTHING;
  DELETE FROM goodhart_failures f WHERE f.model = p_model AND f.key = ANY(p_keys);
  DELETE FROM goodhart_claims c WHERE c.model = p_model AND c.key = ANY(p_keys);
END $$;

CREATE OR REPLACE FUNCTION goodhart_claim(p_model text, p_worker text, p_host text, p_pid integer, p_keys text[], p_since bigint, p_lease double precision)
RETURNS TABLE (o_kind text, o_key text, o_text text, o_host text, o_pid integer) LANGUAGE plpgsql AS $$
DECLARE pos bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('goodhart:' || p_model));
  SELECT coalesce(max(seq), 0) INTO pos FROM goodhart_results WHERE model = p_model;
  INSERT INTO goodhart_workers (worker, host, pid, heartbeat) VALUES (p_worker, p_host, p_pid, now())
    ON CONFLICT (worker) DO UPDATE SET heartbeat = now();
  RETURN QUERY SELECT 'position', NULL::text, pos::text, NULL::text, NULL::integer;
  RETURN QUERY SELECT 'arrived', r.key, r.result, NULL::text, NULL::integer FROM goodhart_results r
    WHERE r.model = p_model AND r.seq > p_since AND r.seq <= pos AND r.writer <> p_worker;
  INSERT INTO goodhart_claims (model, key, worker)
    SELECT p_model, k, p_worker FROM unnest(p_keys) AS k
    WHERE NOT EXISTS (SELECT 1 FROM goodhart_results r WHERE r.model = p_model AND r.key = k AND r.seq > p_since AND r.writer <> p_worker)
    ON CONFLICT (model, key) DO NOTHING;
  -- Claims whose process stopped renewing its lease (or never registered) are taken over.
  UPDATE goodhart_claims c SET worker = p_worker
    WHERE c.model = p_model AND c.key = ANY(p_keys) AND c.worker <> p_worker
      AND NOT EXISTS (SELECT 1 FROM goodhart_workers w WHERE w.worker = c.worker AND w.heartbeat > now() - make_interval(secs => p_lease));
  RETURN QUERY SELECT 'held', c.key, c.worker, w.host, w.pid FROM goodhart_claims c JOIN goodhart_workers w ON w.worker = c.worker
    WHERE c.model = p_model AND c.key = ANY(p_keys) AND c.worker <> p_worker;
END $$;
`;
/** Serializes schema creation between processes opening a new database at once. */
const SCHEMA_LOCK = 0x600d4a47;

type Entry = [string, string];

class Connection {
  private readonly client: pg.Client;
  private readonly host = os.hostname();
  private heartbeat?: NodeJS.Timeout;

  constructor(private readonly data: ThreadData) {
    this.client = new pg.Client({ connectionString: data.url, application_name: 'goodhart' });
    // A dropped connection is reported by the next operation; without a listener it would end the thread.
    this.client.on('error', () => {});
  }

  async open(): Promise<void> {
    await this.client.connect();
    await this.tx(async () => {
      await this.q('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK]);
      const exists = await this.q(`SELECT to_regclass('goodhart_meta') IS NOT NULL AS exists`);
      if (exists.rows[0].exists) {
        const row = await this.q(`SELECT value FROM goodhart_meta WHERE key = 'schema_version'`);
        const version = Number(row.rows[0]?.value ?? 0);
        if (version > STORE_SCHEMA_VERSION)
          throw Object.assign(
            new Error(
              `store schema version ${version} is newer than this goodhart understands (${STORE_SCHEMA_VERSION}); upgrade goodhart or use another store`,
            ),
            { code: 'GOODHART_VERSION' },
          );
      }
      await this.client.query(SCHEMA);
      await this.client.query(FUNCTIONS);
      await this.q(
        `INSERT INTO goodhart_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO NOTHING`,
        [String(STORE_SCHEMA_VERSION)],
      );
    });
    await this.register();
    const every = Math.max(250, (this.data.leaseSeconds * 1000) / 3);
    this.heartbeat = setInterval(() => void this.register().catch(() => {}), every);
  }

  private register() {
    return this.q(
      `INSERT INTO goodhart_workers (worker, host, pid, heartbeat) VALUES ($1, $2, $3, now()) ON CONFLICT (worker) DO UPDATE SET heartbeat = now()`,
      [this.data.worker, this.host, process.pid],
    );
  }

  private q(text: string, values: unknown[] = []) {
    return this.client.query(text, values);
  }

  private async tx<T>(body: () => Promise<T>): Promise<T> {
    await this.q('BEGIN');
    try {
      const out = await body();
      await this.q('COMMIT');
      return out;
    } catch (e) {
      await this.q('ROLLBACK').catch(() => {});
      throw e;
    }
  }

  private async position(model: string): Promise<number> {
    const r = await this.q('SELECT coalesce(max(seq), 0)::bigint AS last FROM goodhart_results WHERE model = $1', [
      model,
    ]);
    return Number(r.rows[0].last);
  }

  async getMany(model: string, keys: string[]): Promise<Entry[]> {
    const found: Entry[] = [];
    for (let at = 0; at < keys.length; at += 10_000) {
      const r = await this.client.query({
        text: 'SELECT key, result FROM goodhart_results WHERE model = $1 AND key = ANY($2)',
        values: [model, keys.slice(at, at + 10_000)],
        rowMode: 'array',
      });
      found.push(...(r.rows as Entry[]));
    }
    return found;
  }

  logPosition(model: string): Promise<number> {
    return this.position(model);
  }

  async putMany(model: string, entries: Entry[]): Promise<void> {
    await this.q('SELECT goodhart_put($1, $2, $3, $4)', [
      model,
      this.data.worker,
      entries.map((e) => e[0]),
      entries.map((e) => e[1]),
    ]);
  }

  async claim(
    model: string,
    keys: string[],
    since: number,
  ): Promise<{ claimed: string[]; arrived: Entry[]; position: number }> {
    const rows = (
      await this.client.query({
        text: 'SELECT * FROM goodhart_claim($1, $2, $3, $4, $5, $6, $7)',
        values: [model, this.data.worker, this.host, process.pid, keys, since, this.data.leaseSeconds],
        rowMode: 'array',
      })
    ).rows as [string, string | null, string, string | null, number | null][];
    let position = since;
    const arrived: Entry[] = [];
    const held = new Set<string>();
    const dead = new Map<string, string>();
    for (const [kind, key, text, host, pid] of rows) {
      if (kind === 'position') position = Number(text);
      else if (kind === 'arrived') arrived.push([key!, text]);
      // A live lease of a process on this machine that has died: no need to wait for it to lapse.
      else if (host === this.host && pid !== process.pid && !processAlive(pid!)) dead.set(key!, text);
      else held.add(key!);
    }
    if (dead.size) {
      // Only while the dead process still holds them: another may have taken them meanwhile.
      const taken = await this.q(
        'UPDATE goodhart_claims SET worker = $1 WHERE model = $2 AND key = ANY($3) AND worker = ANY($4) RETURNING key',
        [this.data.worker, model, [...dead.keys()], [...new Set(dead.values())]],
      );
      const ours = new Set(taken.rows.map((r: { key: string }) => r.key));
      for (const key of dead.keys()) if (!ours.has(key)) held.add(key);
    }
    const got = new Set(arrived.map((e) => e[0]));
    return { claimed: keys.filter((k) => !got.has(k) && !held.has(k)), arrived, position };
  }

  /** Live workers that joined before this one (one at a time, under a lock, so two joining at once see each other). */
  async join(): Promise<number> {
    return this.tx(async () => {
      await this.q(`SELECT pg_advisory_xact_lock(hashtext('goodhart:join'))`);
      await this.q('UPDATE goodhart_workers SET joined = coalesce(joined, clock_timestamp()) WHERE worker = $1', [
        this.data.worker,
      ]);
      const others = await this.q(
        `SELECT count(*)::int AS n FROM goodhart_workers w JOIN goodhart_workers me ON me.worker = $1
         WHERE w.worker <> $1 AND w.joined < me.joined AND w.heartbeat > now() - make_interval(secs => $2)`,
        [this.data.worker, this.data.leaseSeconds],
      );
      return (others.rows[0] as { n: number }).n;
    });
  }

  async putFailure(model: string, key: string, error: string): Promise<void> {
    await this.tx(async () => {
      await this.q(
        `INSERT INTO goodhart_failures (model, key, error, attempts, last_at) VALUES ($1, $2, $3, 1, now())
         ON CONFLICT (model, key) DO UPDATE SET error = excluded.error, attempts = goodhart_failures.attempts + 1, last_at = excluded.last_at`,
        [model, key, error],
      );
      await this.q('DELETE FROM goodhart_claims WHERE model = $1 AND key = $2', [model, key]);
    });
  }

  async failureCount(model: string): Promise<number> {
    return Number((await this.q('SELECT count(*) AS n FROM goodhart_failures WHERE model = $1', [model])).rows[0].n);
  }

  async fileHash(path: string, size: number, mtime: number): Promise<string | undefined> {
    const r = await this.q(
      'SELECT sha256 FROM goodhart_file_hashes WHERE host = $1 AND path = $2 AND size = $3 AND mtime = $4',
      [this.host, path, size, mtime],
    );
    return r.rows[0]?.sha256;
  }

  async setFileHash(path: string, size: number, mtime: number, sha256: string): Promise<void> {
    await this.q(
      `INSERT INTO goodhart_file_hashes (host, path, size, mtime, sha256) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (host, path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, sha256 = excluded.sha256`,
      [this.host, path, size, mtime, sha256],
    );
  }

  async models(): Promise<string[]> {
    return (await this.q('SELECT DISTINCT model FROM goodhart_results ORDER BY model')).rows.map(
      (r: { model: string }) => r.model,
    );
  }

  /** A page of a model's results in key order, after `after`. */
  async scan(model: string, after: string, limit: number): Promise<Entry[]> {
    const r = await this.client.query({
      text: 'SELECT key, result FROM goodhart_results WHERE model = $1 AND key > $2 ORDER BY key LIMIT $3',
      values: [model, after, limit],
      rowMode: 'array',
    });
    return r.rows as Entry[];
  }

  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    try {
      await this.q('DELETE FROM goodhart_claims WHERE worker = $1', [this.data.worker]);
      await this.q('DELETE FROM goodhart_workers WHERE worker = $1', [this.data.worker]);
    } finally {
      await this.client.end();
    }
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

const data = workerData as ThreadData;
const connection = new Connection(data);
type Op = { op: string; args: unknown[] };
const answer = (message: unknown) => {
  data.reply.postMessage(message);
  Atomics.store(data.signal, 0, 1);
  Atomics.notify(data.signal, 0);
};
parentPort!.on('message', ({ op, args }: Op) => {
  const method = (connection as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>)[op];
  method.apply(connection, args).then(
    (value) => answer({ value }),
    (e: Error & { code?: string }) => answer({ error: { message: e.message, code: e.code } }),
  );
});
