/**
 * Running a study: every model × condition × item, cached in a result store. The CLI's
 * `goodhart run` is a thin shell over `runStudy` (printing, signals and exit codes stay there).
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../core/errors.js';
import type { CellSummary, ItemResult } from '../core/results.js';
import type { Model, ModelIdentity, SymbolUse } from '../core/types.js';
import { loadBenchmark } from '../benchmarks/load.js';
import { Interrupted, planStudy, runModel, type RequestCounts } from '../engine/run.js';
import type { Cell } from '../engine/plan.js';
import { requiredKind } from '../scoring/methods.js';
import { Progress } from '../engine/progress.js';
import { validateStudy } from '../engine/validate.js';
import { backendCapabilities, checkLocalModelFiles, createModel } from '../models/registry.js';
import { remoteStats } from '../models/remote.js';
import { buildRunSummary, prepareOutDir, writeFileAtomic, writeRun, type RunSummary } from '../output/run-dir.js';
import { openStore } from '../store/open.js';
import { isPostgresUrl } from '../store/postgres.js';
import { runModelDistributed, startDistributed } from '../engine/distributed.js';
import { removeStoreIfEmpty, SqliteStore, storeError } from '../store/sqlite.js';
import type { ResultStore } from '../store/store.js';
import { checkOutDir, checkStorePath, existingAncestor, removeEmptyFolders } from '../output/paths.js';
import { shuffleSkewedBaseline, type Study } from '../study/load.js';
import { checkGoldPositions, describeGoldPositions } from '../benchmarks/gold-positions.js';
import { runMinK } from '../probes/min-k-run.js';
import type { MinKScores } from '../probes/index.js';

/** Progress of the requests of one model (or of its chunks on a distributed queue). */
export interface ProgressEvent {
  phase: 'start' | 'tick' | 'finish';
  /** The model's name (with the queue, for a distributed run). */
  label: string;
  done: number;
  total: number;
}

export interface RunStudyOptions {
  /**
   * The result store: an open store (left open), or a location — a SQLite file or a `postgres://`
   * URL — opened and closed by the run. Default: $GOODHART_STORE, else the study's `store`, else
   * `.goodhart/store.sqlite`.
   */
  store?: string | ResultStore;
  /** Output folder: when given, items.jsonl, summary.json (and min-k.json) are written there. */
  out?: string;
  /** Stops the run after the current batch; every finished result stays in the store. */
  signal?: AbortSignal;
  /** Called as requests start, finish (each one) and end for each model. */
  onProgress?: (event: ProgressEvent) => void;
  /** Informational lines (the benchmark read, recovered results, retries). */
  onLog?: (line: string) => void;
  /** Warnings (e.g. many tied items, a lenient server check); also collected in `RunResult.warnings`. */
  onWarning?: (line: string) => void;
  /** Hub datasets and models from the cache only, never the network (also $GOODHART_OFFLINE=1). */
  offline?: boolean;
  /** A server's configuration problems (unlisted model, disagreeing tokenizer) are warnings, not errors. */
  lenient?: boolean;
  /** Put the requests on the PostgreSQL store's queue for `goodhart worker`s and wait for them. */
  distributed?: boolean;
}

export interface RunResult {
  summary: RunSummary;
  /** One result per model × condition × item. */
  items: ItemResult[];
  /** Min-K% scores, when the study asks for the probe. */
  minK?: MinKScores;
  /** Requests whose computation failed: their items are left out of the accuracies. Run again to retry them. */
  failed: number;
  /** Where the results are stored. */
  store: string;
  /** The output folder written, when `out` was given. */
  out?: string;
  warnings: string[];
}

/** Thrown by `runStudy` when its signal stops it: every finished result is in `store`; running again resumes. */
export class StudyInterrupted extends Interrupted {
  constructor(readonly store: string) {
    super();
    this.message = `interrupted: every finished result is in ${store}`;
    this.name = 'StudyInterrupted';
  }
}

/** A cell with more tied items than this share is reported: its accuracy depends on which choice was shown first. */
const TIED_SHARE_WARNING = 0.05;

const addCounts = (a: RequestCounts, b: RequestCounts): RequestCounts => ({
  total: a.total + b.total,
  unique: a.unique + b.unique,
  cached: a.cached + b.cached,
  computed: a.computed + b.computed,
  failed: a.failed + b.failed,
  ...(a.retries !== undefined || b.retries !== undefined
    ? {
        retries: (a.retries ?? 0) + (b.retries ?? 0),
        timeouts: (a.timeouts ?? 0) + (b.timeouts ?? 0),
        resentPrompts: (a.resentPrompts ?? 0) + (b.resentPrompts ?? 0),
      }
    : {}),
});

/** The symbol sets a model reads next-token answers from, with the labels shown and the conditions showing them. */
function symbolUses(cells: Cell[], model: Model): SymbolUse[] {
  const bySet = new Map<string, { labels: Set<string>; conditions: Set<string> }>();
  for (const cell of cells) {
    if (requiredKind(cell.condition.method, model.capabilities) !== 'nextToken') continue;
    const set = cell.presentation.symbolSet;
    const use = bySet.get(set) ?? { labels: new Set<string>(), conditions: new Set<string>() };
    bySet.set(set, use);
    for (const label of cell.labels) use.labels.add(label);
    use.conditions.add(cell.condition.name);
  }
  return [...bySet].map(([set, use]) => ({ set, labels: [...use.labels], conditions: [...use.conditions] }));
}

/** The engine's progress sink, turned into events (it renders nothing itself). */
class ProgressEvents extends Progress {
  private event: ProgressEvent = { phase: 'start', label: '', done: 0, total: 0 };

  constructor(private readonly emit: (event: ProgressEvent) => void) {
    super(process.stderr, true);
  }

  override start(label: string, total: number): void {
    this.event = { phase: 'start', label, done: 0, total };
    this.emit({ ...this.event });
  }

  override tick(n = 1): void {
    this.event = { ...this.event, phase: 'tick', done: this.event.done + n };
    this.emit({ ...this.event });
  }

  override finish(): void {
    this.emit({ ...this.event, phase: 'finish' });
  }
}

/** The store location a run uses when none is given. */
function defaultStore(study: Study): string {
  return (
    process.env.GOODHART_STORE ||
    (study.spec.store ? path.resolve(study.baseDir, study.spec.store) : path.join('.goodhart', 'store.sqlite'))
  );
}

/**
 * Run a loaded study: every model × condition × item, each request computed once and kept in the
 * store, so a run that stops (signal, crash) resumes where it was. Bad input (an unreadable
 * benchmark, a missing model file, an output folder that is not a run folder) throws a `UserError`
 * before anything is computed; a signal that stops the run throws `StudyInterrupted`.
 */
export async function runStudy(study: Study, options: RunStudyOptions = {}): Promise<RunResult> {
  const warnings: string[] = [];
  const log = (line: string) => options.onLog?.(line);
  const warn = (line: string) => {
    warnings.push(line);
    options.onWarning?.(line);
  };
  validateStudy(
    study,
    study.spec.models.map((m) => ({ name: m.name, backend: m.backend, capabilities: backendCapabilities(m) })),
  );
  const out = options.out === undefined ? undefined : path.resolve(options.out);
  const storeLocation =
    typeof options.store === 'string' ? options.store : options.store ? options.store.location : defaultStore(study);
  const ownStore = typeof options.store !== 'object';
  const onPostgres = isPostgresUrl(storeLocation);
  // Both checked before anything is made; the output folder is made only when there is something to write.
  if (ownStore && !onPostgres) checkStorePath(path.resolve(storeLocation));
  if (out) checkOutDir(out);
  checkLocalModelFiles(study.spec.models, study.baseDir, (i) => `${study.file}: models.${i}`);

  const benchmark = await loadBenchmark(study.spec.benchmark, { baseDir: study.baseDir, offline: options.offline });
  log(`benchmark: ${benchmark.description}`);
  if (benchmark.skipped.length) log(`skipped ${benchmark.skipped.length} malformed rows (listed in summary.json)`);
  if (benchmark.items.length === 0) throw new UserError('the benchmark selection has no items', 'benchmark');
  const gold = checkGoldPositions(benchmark.items);
  const goldPositions = { ...gold, baselineShuffled: shuffleSkewedBaseline(study, gold) };
  if (gold.skewed) log(describeGoldPositions(goldPositions, study.spec.baseline));

  const newStoreFolders =
    !ownStore || onPostgres || fs.existsSync(path.resolve(storeLocation))
      ? undefined
      : existingAncestor(path.dirname(path.resolve(storeLocation))).missing;
  let store: ResultStore;
  try {
    store = typeof options.store === 'object' ? options.store : openStore(storeLocation);
  } catch (e) {
    if (newStoreFolders) removeEmptyFolders(newStoreFolders);
    throw e;
  }
  const storePath = store.location;
  const sqlite = store instanceof SqliteStore ? store : undefined;
  if (sqlite?.recovery.replayed)
    log(
      `recovered ${sqlite.recovery.replayed} answers an interrupted run had received but not yet committed (from its journal)`,
    );
  const distributed = options.distributed
    ? await startDistributed(storeLocation, study, log).catch((e: unknown) => {
        if (ownStore) store.close();
        throw e;
      })
    : undefined;
  try {
    const cellsFor = planStudy(study, { items: benchmark.items, fewshotPool: benchmark.fewshotPool });
    log(
      `study ${study.spec.name}: ${study.spec.models.length} models x ${study.conditions.length} conditions x ${benchmark.items.length} items; store ${storePath}`,
    );
    const progress = options.onProgress ? new ProgressEvents(options.onProgress) : undefined;
    const control = { progress, shouldStop: () => options.signal?.aborted === true };
    const items: ItemResult[] = [];
    const cells: CellSummary[] = [];
    const identities: ModelIdentity[] = [];
    const minK: MinKScores['perModel'] = [];
    const byModel: Record<string, RequestCounts> = {};
    let totals: RequestCounts = { total: 0, unique: 0, cached: 0, computed: 0, failed: 0 };
    for (const [i, spec] of study.spec.models.entries()) {
      const model = await createModel(spec, {
        baseDir: study.baseDir,
        fileHashes: store,
        where: `${study.file}: models.${i}`,
        offline: options.offline,
        items: benchmark.items,
        lenient: options.lenient,
        warn,
      });
      try {
        const modelCells = cellsFor(model);
        await model.checkSymbols?.(symbolUses(modelCells, model));
        const result = distributed
          ? await runModelDistributed(model, modelCells, store, distributed, study.spec.models[i], control)
          : await runModel(model, modelCells, store, control);
        const minKSettings = study.spec.probes?.minK;
        if (minKSettings) {
          const scores = await runMinK(model, benchmark.items, store, { k: minKSettings.k, seed: study.spec.seed });
          if (scores) minK.push(scores);
          else log(`${spec.name}: no per-token log-probs from this backend, so no Min-K% probe`);
        }
        for (const cell of result.summaries) {
          if (model.chatTemplate)
            cell.template = `${study.conditions.find((c) => c.name === cell.condition)?.info.factors.template}+${model.chatTemplate}`;
          if (cell.n > 0 && cell.ties / cell.n > TIED_SHARE_WARNING) {
            warn(
              `warning: ${spec.name} x ${cell.condition}: ${cell.ties} of ${cell.n} items tied (the first shown choice won them); the accuracy depends on the order of the choices`,
            );
          }
        }
        items.push(...result.items);
        cells.push(...result.summaries);
        identities.push(model.identity);
        const stats = remoteStats(model);
        const counts = stats
          ? { ...result.requests, retries: stats.retries, timeouts: stats.timeouts, resentPrompts: stats.resentPrompts }
          : result.requests;
        if (stats?.retries)
          log(`${spec.name}: ${stats.retries} HTTP attempts to ${stats.server} were retried after transient faults`);
        if (stats?.timeouts)
          log(
            `${spec.name}: ${stats.timeouts} HTTP attempts timed out (timeoutMs); ${stats.resentPrompts} prompts were sent again in all`,
          );
        byModel[spec.name] = counts;
        totals = addCounts(totals, counts);
      } finally {
        await model.close();
      }
    }
    const summary = buildRunSummary({
      study: study.spec.name,
      spec: study.spec,
      studyFile: path.resolve(study.file),
      seed: study.spec.seed,
      baseline: study.spec.baseline,
      benchmark: {
        description: benchmark.description,
        items: benchmark.items.length,
        files: benchmark.files,
        skipped: benchmark.skipped,
        provenance: benchmark.provenance,
        goldPositions,
      },
      models: identities,
      conditions: study.conditions.map((c) => c.info),
      cells,
      requests: totals,
      requestsByModel: byModel,
    });
    if (sqlite?.recovery.takenOver)
      log(
        `resumed: ${sqlite.recovery.takenOver} requests an interrupted run had started but not answered were computed again`,
      );
    if (sqlite?.rejected)
      log(`${sqlite.rejected} stored results failed their checksum: they were treated as missing and computed again`);
    const minKScores = study.spec.probes?.minK ? { k: study.spec.probes.minK.k, perModel: minK } : undefined;
    if (out) {
      prepareOutDir(out);
      writeRun(out, summary, items);
      const minKFile = path.join(out, 'min-k.json');
      if (minKScores) writeFileAtomic(minKFile, JSON.stringify(minKScores) + '\n');
      else fs.rmSync(minKFile, { force: true });
    }
    return { summary, items, minK: minKScores, failed: totals.failed, store: storePath, out, warnings };
  } catch (e) {
    if (e instanceof Interrupted) throw new StudyInterrupted(storePath);
    // The store found no room or a damaged page: the error names it and says what to do (output files name themselves).
    if ((e as Error | undefined)?.name === 'SqliteError') throw storeError(e, storePath) ?? e;
    throw e;
  } finally {
    await distributed?.close();
    if (ownStore) {
      store.close();
      // A run that failed before storing anything leaves no empty store (or folders made for it) behind.
      if (newStoreFolders && removeStoreIfEmpty(storePath)) removeEmptyFolders(newStoreFolders);
    }
  }
}
