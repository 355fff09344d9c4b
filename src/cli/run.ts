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
import { buildRunSummary, prepareOutDir, writeFileAtomic, writeRun } from '../output/run-dir.js';
import { openStore } from '../store/open.js';
import { isPostgresUrl } from '../store/postgres.js';
import { runModelDistributed, startDistributed } from '../engine/distributed.js';
import { removeStoreIfEmpty, SqliteStore, storeError } from '../store/sqlite.js';
import type { ResultStore } from '../store/store.js';
import { checkOutDir, checkStorePath, existingAncestor, removeEmptyFolders } from '../output/paths.js';
import { loadStudy, shuffleSkewedBaseline } from '../study/load.js';
import { checkGoldPositions, describeGoldPositions } from '../benchmarks/gold-positions.js';
import { writeRunAnalysis } from './analyze.js';
import { markSimulated } from '../output/simulated.js';
import { runMinK } from '../probes/min-k-run.js';
import type { MinKScores } from '../probes/index.js';
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

/** A cell with more tied items than this share is reported: its accuracy depends on which choice was shown first. */
const TIED_SHARE_WARNING = 0.05;

const addCounts = (a: RequestCounts, b: RequestCounts): RequestCounts => ({
  total: a.total + b.total,
  unique: a.unique + b.unique,
  cached: a.cached + b.cached,
  computed: a.computed + b.computed,
  failed: a.failed + b.failed,
  ...(a.retries !== undefined || b.retries !== undefined
    ? { retries: (a.retries ?? 0) + (b.retries ?? 0), timeouts: (a.timeouts ?? 0) + (b.timeouts ?? 0), resentPrompts: (a.resentPrompts ?? 0) + (b.resentPrompts ?? 0) }
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

/** `goodhart run`: returns the process exit code. */
export async function runCommand(studyFile: string, opts: RunOptions): Promise<number> {
  const study = loadStudy(studyFile);
  validateStudy(study, study.spec.models.map((m) => ({ name: m.name, backend: m.backend, capabilities: backendCapabilities(m) })));
  const out = path.resolve(opts.out ?? path.join('runs', study.spec.name));
  const storeLocation = opts.store || process.env.GOODHART_STORE || (study.spec.store ? path.resolve(study.baseDir, study.spec.store) : path.join('.goodhart', 'store.sqlite'));
  const onPostgres = isPostgresUrl(storeLocation);
  // Both checked before anything is made; the output folder is made only when there is something to write.
  if (!onPostgres) checkStorePath(path.resolve(storeLocation));
  checkOutDir(out);
  checkLocalModelFiles(study.spec.models, study.baseDir, (i) => `${study.file}: models.${i}`);
  const log = (line: string) => { if (!opts.quiet) process.stderr.write(line + '\n'); };

  const benchmark = await loadBenchmark(study.spec.benchmark, { baseDir: study.baseDir, offline: opts.offline });
  log(`benchmark: ${benchmark.description}`);
  if (benchmark.skipped.length) log(`skipped ${benchmark.skipped.length} malformed rows (listed in summary.json)`);
  if (benchmark.items.length === 0) throw new UserError('the benchmark selection has no items', 'benchmark');
  const gold = checkGoldPositions(benchmark.items);
  const goldPositions = { ...gold, baselineShuffled: shuffleSkewedBaseline(study, gold) };
  if (gold.skewed) log(describeGoldPositions(goldPositions, study.spec.baseline));

  const newStoreFolders = onPostgres || fs.existsSync(path.resolve(storeLocation)) ? undefined : existingAncestor(path.dirname(path.resolve(storeLocation))).missing;
  let store: ResultStore;
  try {
    store = openStore(storeLocation);
  } catch (e) {
    if (newStoreFolders) removeEmptyFolders(newStoreFolders);
    throw e;
  }
  const storePath = store.location;
  const sqlite = store instanceof SqliteStore ? store : undefined;
  if (sqlite?.recovery.replayed) log(`recovered ${sqlite.recovery.replayed} answers an interrupted run had received but not yet committed (from its journal)`);
  const distributed = opts.distributed ? await startDistributed(storeLocation, study, log).catch((e: unknown) => { store.close(); throw e; }) : undefined;
  let stopping = false;
  const onSigint = () => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stderr.write('\nstopping after the current batch (press Ctrl-C again to stop at once)...\n');
  };
  process.on('SIGINT', onSigint);
  try {
    const cellsFor = planStudy(study, { items: benchmark.items, fewshotPool: benchmark.fewshotPool });
    log(`study ${study.spec.name}: ${study.spec.models.length} models x ${study.conditions.length} conditions x ${benchmark.items.length} items; store ${storePath}`);
    const progress = new Progress(process.stderr, opts.quiet);
    const items: ItemResult[] = [];
    const cells: CellSummary[] = [];
    const identities: ModelIdentity[] = [];
    const minK: MinKScores['perModel'] = [];
    const byModel: Record<string, RequestCounts> = {};
    let totals: RequestCounts = { total: 0, unique: 0, cached: 0, computed: 0, failed: 0 };
    for (const [i, spec] of study.spec.models.entries()) {
      const warn = (line: string) => process.stderr.write(line + '\n');
      const model = await createModel(spec, { baseDir: study.baseDir, fileHashes: store, where: `${study.file}: models.${i}`, offline: opts.offline, items: benchmark.items, lenient: opts.lenient, warn });
      try {
        const modelCells = cellsFor(model);
        await model.checkSymbols?.(symbolUses(modelCells, model));
        const control = { progress, shouldStop: () => stopping };
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
          if (model.chatTemplate) cell.template = `${study.conditions.find((c) => c.name === cell.condition)?.info.factors.template}+${model.chatTemplate}`;
          if (cell.n > 0 && cell.ties / cell.n > TIED_SHARE_WARNING) {
            warn(`warning: ${spec.name} x ${cell.condition}: ${cell.ties} of ${cell.n} items tied (the first shown choice won them); the accuracy depends on the order of the choices`);
          }
        }
        items.push(...result.items);
        cells.push(...result.summaries);
        identities.push(model.identity);
        const stats = remoteStats(model);
        const counts = stats ? { ...result.requests, retries: stats.retries, timeouts: stats.timeouts, resentPrompts: stats.resentPrompts } : result.requests;
        if (stats?.retries) log(`${spec.name}: ${stats.retries} HTTP attempts to ${stats.server} were retried after transient faults`);
        if (stats?.timeouts) log(`${spec.name}: ${stats.timeouts} HTTP attempts timed out (timeoutMs); ${stats.resentPrompts} prompts were sent again in all`);
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
      benchmark: { description: benchmark.description, items: benchmark.items.length, files: benchmark.files, skipped: benchmark.skipped, provenance: benchmark.provenance, goldPositions },
      models: identities,
      conditions: study.conditions.map((c) => c.info),
      cells,
      requests: totals,
      requestsByModel: byModel,
    });
    if (sqlite?.recovery.takenOver) log(`resumed: ${sqlite.recovery.takenOver} requests an interrupted run had started but not answered were computed again`);
    if (sqlite?.rejected) log(`${sqlite.rejected} stored results failed their checksum: they were treated as missing and computed again`);
    prepareOutDir(out);
    writeRun(out, summary, items);
    const minKFile = path.join(out, 'min-k.json');
    if (study.spec.probes?.minK) writeFileAtomic(minKFile, JSON.stringify({ k: study.spec.probes.minK.k, perModel: minK }) + '\n');
    else fs.rmSync(minKFile, { force: true });
    process.stdout.write(formatAccuracyTable(markSimulated(summary)) + '\n');
    process.stdout.write(
      `requests: ${totals.total} total, ${totals.unique} unique, ${totals.cached} cached, ${totals.computed} computed, ${totals.failed} failed` +
        `${totals.retries ? ` (${totals.retries} HTTP retries)` : ''}\n` +
        `wrote ${path.join(out, 'items.jsonl')} and ${path.join(out, 'summary.json')}\n`,
    );
    writeRunAnalysis(out, summary, items);
    await writeRunReport(out, log);
    if (totals.failed > 0) {
      process.stderr.write(`${totals.failed} requests failed; their items are left out of the accuracies above. Run the same command again to retry them.\n`);
      return 2;
    }
    return 0;
  } catch (e) {
    if (e instanceof Interrupted) {
      process.stderr.write(`interrupted: every finished result is in ${storePath}. Run the same command again to resume.\n`);
      return 130;
    }
    // The store found no room or a damaged page: the error names it and says what to do (output files name themselves).
    if ((e as Error | undefined)?.name === 'SqliteError') throw storeError(e, storePath) ?? e;
    throw e;
  } finally {
    process.off('SIGINT', onSigint);
    await distributed?.close();
    store.close();
    // A run that failed before storing anything leaves no empty store (or folders made for it) behind.
    if (newStoreFolders && removeStoreIfEmpty(storePath)) removeEmptyFolders(newStoreFolders);
  }
}
