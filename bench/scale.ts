/**
 * Beyond one machine: (1) a study spread over 1, 2 and 4 `goodhart worker` processes by a
 * PostgreSQL store's queue, against a latency-bound local server (vLLM-shaped /v1/completions that
 * answers each call after a fixed delay, however many are in flight); (2) one process running a
 * study into a PostgreSQL store against the same into a SQLite file, with the simulator backend
 * (instant answers, so the store's cost is all there is to see).
 *
 *   node --import tsx bench/scale.ts [--items 300] [--delay 400] [--rounds 3] [--postgres postgres://…]
 *
 * Without --postgres (or GOODHART_TEST_POSTGRES) a throwaway server is started with
 * scripts/postgres-test.sh. Figures: requests/s with 4 workers ÷ with 1 (target ≥ 3.2), and
 * requests/s of one process on PostgreSQL ÷ on SQLite (target ≥ 0.7, median of the rounds).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { sharedDir } from '../src/core/paths.js';
import { runModel } from '../src/engine/run.js';
import { SimModel } from '../src/models/sim.js';
import { simModelSchema } from '../src/sim/spec.js';
import { openStore } from '../src/store/open.js';
import { figure, isMain, machine, options, planned, seconds, studyOf, tempDir } from './common.js';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const CLI = path.join(ROOT, 'bin', 'goodhart.js');

/** Answers every prompt token with log-prob -1 after `delay` ms: a server whose latency, not its compute, bounds a client. */
const SERVER = `
const http = require('node:http');
const { parentPort, workerData } = require('node:worker_threads');
const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d) => (body += d));
  req.on('end', () => setTimeout(() => {
    let out;
    if (req.url.startsWith('/v1/models')) out = { object: 'list', data: [{ id: 'bench', root: 'bench', max_model_len: 4096 }] };
    else out = { choices: JSON.parse(body).prompt.map((tokens, index) => ({ index, text: '', logprobs: {
      tokens: tokens.map((t) => 'token_id:' + t),
      token_logprobs: tokens.map((_, j) => (j === 0 ? null : -1)),
      top_logprobs: tokens.map((t, j) => (j === 0 ? null : { ['token_id:' + t]: -1 })),
    } })) };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(out));
  }, req.url.startsWith('/v1/models') ? 0 : workerData.delay));
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

async function newDatabase(server: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS ${name}`);
  await client.query(`CREATE DATABASE ${name}`);
  await client.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

function spawnCli(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, GOODHART_SHARED: sharedDir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return { child, exited, stderr: () => stderr };
}

/**
 * One distributed run with `n` workers: requests per second over the window in which the workers
 * computed (first chunk taken to last chunk done, from their log lines), so process start-up and
 * the run's own planning and writing, the same for every n, stay out of the ratio.
 */
async function distributed(
  n: number,
  studyFile: string,
  store: string,
  dir: string,
): Promise<{ requests: number; ms: number }> {
  const env = { GOODHART_CHUNK_REQUESTS: '48' };
  const workers = Array.from({ length: n }, () => spawnCli(['worker', '--store', store], env));
  // Every worker ready before any chunk exists, so none starts late.
  while (!workers.every((w) => /worker ready/.test(w.stderr()))) await new Promise((r) => setTimeout(r, 100));
  const run = spawnCli(
    ['run', studyFile, '--store', store, '--distributed', '--out', path.join(dir, `out-${n}`), '-q'],
    env,
  );
  const code = await run.exited;
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
  if (code !== 0) throw new Error(`the distributed run failed: ${run.stderr()}`);
  let first = Infinity;
  let last = 0;
  let requests = 0;
  for (const w of workers) {
    for (const line of w.stderr().split('\n')) {
      const at = Date.parse(line.slice(0, 24));
      if (/computing a chunk/.test(line)) first = Math.min(first, at);
      const done = /chunk of \d+ requests done \((\d+) computed/.exec(line);
      if (done) {
        last = Math.max(last, at);
        requests += Number(done[1]);
      }
    }
  }
  return { requests, ms: last - first };
}

async function main() {
  const opts = options({ items: 300, delay: 400, rounds: 3, postgres: process.env.GOODHART_TEST_POSTGRES ?? '' });
  console.log(`Scale: ${machine()}`);
  let server = opts.postgres;
  const pgDir = tempDir('postgres');
  if (!server) {
    const started = spawnSync('bash', [path.join(ROOT, 'scripts', 'postgres-test.sh'), 'start'], {
      env: { ...process.env, GOODHART_PG_DIR: path.join(pgDir, 'server') },
      encoding: 'utf8',
    });
    if (started.status !== 0) throw new Error(`could not start PostgreSQL: ${started.stderr}`);
    server = started.stdout.trim();
  }
  const stopServer = () => {
    if (!opts.postgres)
      spawnSync('bash', [path.join(ROOT, 'scripts', 'postgres-test.sh'), 'stop'], {
        env: { ...process.env, GOODHART_PG_DIR: path.join(pgDir, 'server') },
      });
  };
  try {
    const dir = tempDir('scale');
    const http = new Worker(SERVER, { eval: true, workerData: { delay: opts.delay } });
    const port = await new Promise<number>((resolve) => http.once('message', resolve));
    // Two calls of 8 prompts in flight per worker: each worker is bound by the server's latency.
    const studyFile = path.join(dir, 'scale.yaml');
    fs.writeFileSync(
      studyFile,
      `name: scale
seed: 1
benchmark: { format: mmlu, path: "\${GOODHART_SHARED}/data/mmlu/data", split: test, limit: { total: ${opts.items}, seed: 1 } }
models:
  - { name: remote, backend: openai-completions, url: "http://127.0.0.1:${port}", model: bench, tokenizer: "${path.join(sharedDir(), 'models', 'llama-2-tiny-random.gguf')}", concurrency: 2, batchSize: 8 }
conditions:
  - { name: base, scoring: symbol }
  - { name: cloze, scoring: cloze }
baseline: base
`,
    );
    const rates = new Map<number, number>();
    for (const n of [1, 2, 4]) {
      const { requests, ms } = await distributed(
        n,
        studyFile,
        await newDatabase(server, `goodhart_bench_scale_${n}`),
        dir,
      );
      rates.set(n, requests / (ms / 1000));
      console.log(`  ${n} worker(s): ${requests} requests in ${seconds(ms)} -> ${rates.get(n)!.toFixed(1)} requests/s`);
    }
    await http.terminate();

    // One process, the simulator (instant), into an empty store each time: the store's own cost.
    const study = studyOf({
      name: 'bench-store',
      seed: 1,
      benchmark: {
        format: 'mmlu',
        path: '${GOODHART_SHARED}/data/mmlu/data',
        split: 'test',
        limit: { total: 4 * opts.items, seed: 1 },
      },
      models: [{ name: 'sim', backend: 'sim', ability: 0.6 }],
      conditions: [
        { name: 'base', scoring: 'symbol' },
        { name: 'hybrid', scoring: 'hybrid' },
        { name: 'cloze', scoring: 'cloze' },
        { name: 'shuffled', scoring: 'symbol', perturbations: [{ shuffle: { seed: 1 } }] },
      ],
      baseline: 'base',
    });
    const { benchmark, cellsFor } = await planned(study);
    const model = new SimModel(simModelSchema.parse(study.spec.models[0]), benchmark.items);
    const cells = cellsFor(model);
    const once = async (location: string) => {
      const store = openStore(location);
      const t = performance.now();
      const r = await runModel(model, cells, store, {});
      const ms = performance.now() - t;
      store.close();
      return { requests: r.requests.computed, ms };
    };
    const ratios: number[] = [];
    for (let round = 0; round <= opts.rounds; round++) {
      const sqlite = await once(path.join(dir, `store-${round}.sqlite`));
      const postgres = await once(await newDatabase(server, `goodhart_bench_store_${round}`));
      const ratio = postgres.requests / postgres.ms / (sqlite.requests / sqlite.ms);
      console.log(
        `  round ${round}${round === 0 ? ' (warm-up)' : ''}: SQLite ${sqlite.requests} requests in ${seconds(sqlite.ms)}, PostgreSQL ${postgres.requests} in ${seconds(postgres.ms)}: ratio ${ratio.toFixed(2)}`,
      );
      if (round > 0) ratios.push(ratio);
    }
    const median = [...ratios].sort((a, b) => a - b)[Math.floor((ratios.length - 1) / 2)];
    figure(
      'requests/s with 4 workers / with 1 (latency-bound server)',
      rates.get(4)! / rates.get(1)!,
      '',
      { op: '>=', value: 3.2 },
      2,
    );
    console.log(`  (2 workers / 1: ${(rates.get(2)! / rates.get(1)!).toFixed(2)})`);
    figure(
      `one process: PostgreSQL store / SQLite store, requests/s (simulator, median of ${opts.rounds})`,
      median,
      '',
      { op: '>=', value: 0.7 },
      2,
    );
  } finally {
    stopServer();
  }
}

if (isMain(import.meta.url)) await main();
