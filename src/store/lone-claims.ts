import type Database from 'better-sqlite3';

/*
 * A worker alone on a SQLite store (no other live worker registered; each registers as it opens
 * the store) writes no claim per request: one row with the key `*` stands for everything it
 * computes of a model, and it keeps those requests in memory. Another worker finding a live `*`
 * row waits; the lone worker, at its next claim or store or within OTHERS_CHECK_MS (a timer, as a
 * chunk may take long to compute), sees it registered, writes a claim for each request it still
 * computes, removes its `*` rows, and claims row by row from then on.
 */

/** The claim key of a lone worker: every request of the model it computes. */
const ALONE = '*';
/** How long a lone worker keeps the `*` row of a model it has nothing of in hand. */
export const IDLE_ALONE_MS = 1000;
/** How often a lone worker holding its `*` row looks for newcomers (they wait at most about this long more). */
export const OTHERS_CHECK_MS = 50;

export class LoneClaims {
  /** Per model, the requests this worker computes without a row each; an entry means its `*` row is in place. */
  private readonly unclaimed = new Map<string, Set<string>>();
  /** Once another live worker has shared the store, every request is claimed on its own row. */
  shared = false;
  private othersCheckedAt = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  /** While `*` rows are in place: looks for newcomers, so that they do not wait for a chunk to end. */
  private watchTimer: NodeJS.Timeout | undefined;
  /** Per model: whether gone workers may have left claims (taken over as requests are claimed). */
  private readonly staleClaims = new Map<string, boolean>();
  private readonly sql: Record<
    'others' | 'take' | 'takeAll' | 'holderOfAll' | 'dropAll' | 'anyOther' | 'releaseOthers',
    Database.Statement
  >;

  constructor(
    private readonly db: Database.Database,
    private readonly worker: string,
    private readonly workerAlive: (worker: string, now: number) => boolean,
    /** Claims of gone workers taken over are counted here. */
    private readonly recovery: { takenOver: number },
  ) {
    this.sql = {
      others: db.prepare('SELECT worker FROM workers WHERE worker <> ?').pluck(),
      take: db.prepare(
        'INSERT INTO claims (model, key, worker) SELECT ?, value, ? FROM json_each(?) WHERE true ON CONFLICT (model, key) DO NOTHING',
      ),
      takeAll: db.prepare(
        `INSERT INTO claims (model, key, worker) VALUES (?, '${ALONE}', ?) ON CONFLICT (model, key) DO UPDATE SET worker = excluded.worker`,
      ),
      holderOfAll: db.prepare(`SELECT worker FROM claims WHERE model = ? AND key = '${ALONE}' AND worker <> ?`).pluck(),
      dropAll: db.prepare(`DELETE FROM claims WHERE model = ? AND key = '${ALONE}' AND worker = ?`),
      anyOther: db.prepare('SELECT 1 FROM claims WHERE model = ? AND worker <> ? LIMIT 1').pluck(),
      releaseOthers: db.prepare(
        'DELETE FROM claims WHERE model = ? AND worker <> ? AND key IN (SELECT value FROM json_each(?))',
      ),
    };
  }

  /** Whether a claim needs no transaction: alone, with the model's `*` row in place (a worker arriving now finds it). */
  holdsAll(modelId: string): boolean {
    return !this.shared && this.unclaimed.has(modelId) && !this.othersArrived();
  }

  /**
   * In a claim transaction: the keys claimed if this worker is alone; 'handing-over' while a live
   * lone worker still holds the model (ask again shortly); else undefined (claim row by row).
   */
  claim(modelId: string, keys: readonly string[], now: number): string[] | 'handing-over' | undefined {
    if (!this.shared) {
      if (!this.othersAlive(now)) return this.claimAlone(modelId, keys);
      this.share();
    }
    const lone = this.sql.holderOfAll.get(modelId, this.worker) as string | undefined;
    if (lone === undefined) return undefined;
    // A lone worker's requests are all held until it has seen this one and claimed them row by row.
    if (this.workerAlive(lone, now)) return 'handing-over';
    this.sql.dropAll.run(modelId, lone);
    return undefined;
  }

  /** Claim without a row each (the model's `*` row stands for them). */
  claimAlone(modelId: string, keys: readonly string[]): string[] {
    let mine = this.unclaimed.get(modelId);
    if (!mine) {
      this.unclaimed.set(modelId, (mine = new Set()));
      this.sql.takeAll.run(modelId, this.worker);
      this.watch();
    }
    if (this.mayHaveStaleClaims(modelId))
      this.recovery.takenOver += this.sql.releaseOthers.run(modelId, this.worker, JSON.stringify(keys)).changes;
    for (const key of keys) mine.add(key);
    return [...keys];
  }

  /** Stored or failed (in a transaction): whether the lone bookkeeping released them (else the caller deletes their rows). */
  released(modelId: string, keys: readonly string[]): boolean {
    if (!this.shared && this.othersArrived()) this.share();
    if (this.shared) return false;
    if (this.mayHaveStaleClaims(modelId)) this.sql.releaseOthers.run(modelId, this.worker, JSON.stringify(keys));
    const mine = this.unclaimed.get(modelId);
    if (!mine) return true;
    for (const key of keys) mine.delete(key);
    // The next chunk usually follows at once and reuses the row; one left idle goes a second later.
    if (mine.size === 0) this.idleTimer ??= setTimeout(() => this.dropIdle(), IDLE_ALONE_MS).unref();
    return true;
  }

  close(): void {
    clearTimeout(this.idleTimer);
    clearInterval(this.watchTimer);
  }

  private watch(): void {
    this.watchTimer ??= setInterval(() => {
      if (!this.db.open || this.shared || this.unclaimed.size === 0) {
        clearInterval(this.watchTimer);
        this.watchTimer = undefined;
        return;
      }
      try {
        if (this.othersArrived()) this.db.transaction(() => this.shared || this.share()).immediate();
      } catch {
        // A locked or full store: the next claim or store looks again.
      }
    }, OTHERS_CHECK_MS).unref();
  }

  private othersAlive(now: number): boolean {
    this.othersCheckedAt = now;
    return (this.sql.others.all(this.worker) as string[]).some((worker) => this.workerAlive(worker, now));
  }

  private othersArrived(): boolean {
    const now = Date.now();
    return now - this.othersCheckedAt >= OTHERS_CHECK_MS && this.othersAlive(now);
  }

  /** Another live worker shares the store now: claim each request still being computed, as it does. */
  private share(): void {
    this.shared = true;
    for (const [modelId, keys] of this.unclaimed) {
      this.sql.take.run(modelId, this.worker, JSON.stringify([...keys]));
      this.sql.dropAll.run(modelId, this.worker);
    }
    this.unclaimed.clear();
  }

  /** Remove the `*` rows of models this worker has nothing of in hand, so that nobody waits on them. */
  private dropIdle(): void {
    this.idleTimer = undefined;
    if (!this.db.open) return;
    try {
      this.db
        .transaction(() => {
          for (const [modelId, mine] of this.unclaimed) {
            if (mine.size > 0) continue;
            this.sql.dropAll.run(modelId, this.worker);
            this.unclaimed.delete(modelId);
          }
        })
        .immediate();
    } catch {
      // A locked or full store: the rows go when another worker is seen, or at close.
    }
  }

  private mayHaveStaleClaims(modelId: string): boolean {
    let stale = this.staleClaims.get(modelId);
    if (stale === undefined)
      this.staleClaims.set(modelId, (stale = this.sql.anyOther.get(modelId, this.worker) !== undefined));
    return stale;
  }
}
