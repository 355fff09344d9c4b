/**
 * Harness overhead at leaderboard scale: MMLU's whole test set (14,000 items) x 30 conditions x 10
 * models, each model answering instantly with a deterministic fake log-prob, so what is measured
 * is goodhart itself: planning (presentations, prompts, request keys), deduplication, the store
 * lookup, storing every result in SQLite, and scoring every cell.
 *
 *   node --import tsx bench/harness.ts [--items 14000] [--models 10] [--store path]
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/harness.ts --items 2000 --models 2
 *
 * Item results are reduced to per-condition accuracies as each model finishes (a run keeps only
 * what it writes), so the peak memory is the engine's, with the largest model's results in hand.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Capabilities, Model, ModelIdentity, Outcome, Request } from '../src/core/types.js';
import { runModel } from '../src/engine/run.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { figure, isMain, machine, options, planned, seconds, studyOf, tempDir } from './common.js';

/** Answers every request at once; the log-prob depends only on the request, as a real model's would. */
export class InstantModel implements Model {
  readonly capabilities: Capabilities = { loglikelihood: true, nextToken: true };
  readonly identity: ModelIdentity;

  constructor(name: string) {
    this.identity = { id: `instant:${name}`, name, backend: 'instant', details: {} };
  }

  async evaluate(requests: Request[], onResult?: (index: number, outcome: Outcome) => void): Promise<Outcome[]> {
    return requests.map((r, i) => {
      const outcome: Outcome =
        r.kind === 'loglikelihood'
          ? {
              ok: true,
              result: {
                kind: 'loglikelihood',
                logprob: fakeLogprob(r.context, r.continuation),
                tokens: 1 + (r.continuation.length >> 2),
                greedy: false,
              },
            }
          : r.kind === 'nextToken'
            ? { ok: true, result: { kind: 'nextToken', logprobs: r.candidates.map((c) => fakeLogprob(r.context, c)) } }
            : { ok: false, error: 'this benchmark model does not generate' };
      onResult?.(i, outcome);
      return outcome;
    });
  }

  async close(): Promise<void> {}
}

/** A cheap hash of the continuation and the context's tail, mapped to (-10, 0]. */
function fakeLogprob(context: string, continuation: string): number {
  let h = 2166136261;
  for (let i = Math.max(0, context.length - 64); i < context.length; i++)
    h = Math.imul(h ^ context.charCodeAt(i), 16777619);
  for (let i = 0; i < continuation.length; i++) h = Math.imul(h ^ continuation.charCodeAt(i), 16777619);
  return -((h >>> 0) % 10_000) / 1000;
}

const fewshot = { fewshot: { k: 5 } };
/** 30 conditions once circular is expanded: the kinds of variation a sensitivity study grids over. */
export const CONDITIONS = [
  { name: 'baseline', scoring: 'symbol' },
  { name: 'hybrid-char', scoring: 'hybrid', normalization: 'char' },
  { name: 'hybrid-token', scoring: 'hybrid', normalization: 'token' },
  { name: 'cloze-char', scoring: 'cloze', normalization: 'char' },
  { name: 'cloze-pmi', scoring: 'cloze', normalization: 'pmi' },
  ...[1, 2, 3].map((seed) => ({ name: `shuffled-${seed}`, scoring: 'symbol', perturbations: [{ shuffle: { seed } }] })),
  ...['A', 'B', 'C', 'D'].map((position) => ({
    name: `answer-is-${position}`,
    scoring: 'symbol',
    perturbations: [{ 'fix-answer': { position } }],
  })),
  { name: 'reversed', scoring: 'symbol', perturbations: ['reverse'] },
  ...['abcd', '1234', 'roman', 'paren', 'signs', 'rare'].map((set) => ({
    name: `symbols-${set}`,
    scoring: 'symbol',
    perturbations: [{ symbols: { set } }],
  })),
  ...['no-subject', 'correct-answer', 'helm', 'hendrycks'].map((name) => ({
    name: `template-${name}`,
    scoring: 'symbol',
    perturbations: [{ template: { name } }],
  })),
  { name: 'five-shot', scoring: 'symbol', perturbations: [fewshot] },
  { name: 'five-shot-hybrid', scoring: 'hybrid', perturbations: [fewshot] },
  {
    name: 'five-shot-same-answer',
    scoring: 'symbol',
    perturbations: [{ 'fewshot-same-answer': { k: 5, position: 'A' } }],
  },
  { name: 'circular', scoring: 'symbol', perturbations: ['circular'] },
];

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

async function main() {
  const opts = options({ items: 14_000, models: 10, store: '' });
  console.log(`harness overhead: ${machine()}`);
  const study = studyOf({
    name: 'bench-harness',
    seed: 1,
    benchmark: {
      format: 'mmlu',
      path: '${GOODHART_SHARED}/data/mmlu/data',
      split: 'test',
      limit: { total: opts.items, seed: 1 },
    },
    models: [{ name: 'instant', path: 'none.gguf' }],
    conditions: CONDITIONS,
    baseline: 'baseline',
  });
  const dir = opts.store ? path.dirname(opts.store) : tempDir('harness');
  const storePath = opts.store || path.join(dir, 'store.sqlite');
  const store = new SqliteStore(storePath);
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const { benchmark, cellsFor } = await planned(study);
  console.log(
    `${benchmark.items.length} items x ${study.conditions.length} conditions x ${opts.models} models; store ${storePath}`,
  );
  let total = 0;
  let unique = 0;
  let computed = 0;
  let cells = 0;
  for (let m = 0; m < opts.models; m++) {
    const t = performance.now();
    const cpu = process.cpuUsage();
    const model = new InstantModel(`model-${m}`);
    const modelCells = cellsFor(model);
    const run = await runModel(model, modelCells, store, {});
    total += run.requests.total;
    unique += run.requests.unique;
    computed += run.requests.computed;
    cells += modelCells.length;
    const accuracy = run.summaries.reduce((s, c) => s + c.correct, 0) / run.summaries.reduce((s, c) => s + c.n, 0);
    console.log(
      `  ${model.identity.name}: ${run.requests.total} requests (${run.requests.unique} unique, ${run.requests.computed} computed) in ${seconds(performance.now() - t)} (${seconds(cpuMs(process.cpuUsage(cpu)))} of CPU); mean accuracy ${accuracy.toFixed(3)}; RSS ${(process.memoryUsage().rss / 2 ** 30).toFixed(2)} GB`,
    );
  }
  store.close();
  const wallMs = performance.now() - started;
  const cpuTotalMs = cpuMs(process.cpuUsage(cpuStart));
  const peak = process.resourceUsage().maxRSS * 1024;
  const storeBytes = fs.statSync(storePath).size;
  console.log(
    `${cells} cells, ${total} requests (${unique} unique, ${computed} stored) in ${seconds(wallMs)}; store ${(storeBytes / 2 ** 20).toFixed(0)} MB`,
  );
  // The target is absolute; on a shared machine the CPU time says what the run would take alone.
  console.log(
    `CPU time ${seconds(cpuTotalMs)} (${(total / (cpuTotalMs / 1000)).toFixed(0)} requests per CPU second); load average at the end ${os.loadavg()[0].toFixed(1)}`,
  );
  figure(
    'harness throughput (requests planned, deduplicated, stored and scored per second)',
    total / (wallMs / 1000),
    'requests/s',
    { op: '>=', value: 150_000 },
    0,
  );
  figure('harness peak memory (max RSS)', peak / 2 ** 30, 'GB', { op: '<=', value: 2 }, 2);
  if (!opts.store) fs.rmSync(dir, { recursive: true, force: true });
}

if (isMain(import.meta.url)) await main();
