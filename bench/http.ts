/**
 * The HTTP path against an instant server: a study through the `openai-completions` backend
 * (vLLM's /v1/completions with echoed prompt log-probs, token IDs from a local GGUF vocabulary,
 * concurrency 64) against a plain fetch loop that sends the very same request bodies, also 64 at
 * a time. The server answers from a worker thread at once, so the rates measure the clients.
 *
 *   node --import tsx bench/http.ts [--items 1000] [--concurrency 64] [--rounds 3]
 *
 * Figure: model requests per second of the study ÷ those of the plain loop. Each round also prints
 * the same ratio per second of the process's CPU time (every thread: client, garbage collector,
 * server), which moves less than wall time on a busy machine.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { runModel } from '../src/engine/run.js';
import { createModel } from '../src/models/registry.js';
import type { Model } from '../src/core/types.js';
import { sharedDir } from '../src/core/paths.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { modelSpecSchema } from '../src/study/schema.js';
import { figure, isMain, machine, options, planned, seconds, studyOf, tempDir } from './common.js';

/**
 * A vLLM-shaped /v1/completions that echoes every prompt token with log-prob -1 (the first null)
 * and keeps each request body, so the plain loop can replay exactly what the study sent.
 */
const SERVER = `
const http = require('node:http');
const { parentPort } = require('node:worker_threads');
const bodies = [];
const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (d) => (body += d));
  req.on('end', () => {
    let out;
    if (req.url.startsWith('/v1/models')) out = { object: 'list', data: [{ id: 'bench', root: 'bench', max_model_len: 4096 }] };
    else if (!req.url.startsWith('/v1/completions')) {
      // No /tokenize: the client then tokenizes with the local vocabulary alone.
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'error', message: 'Not Found' }));
      return;
    } else {
      if (record) bodies.push(body);
      const { prompt } = JSON.parse(body);
      out = { choices: prompt.map((tokens, index) => ({ index, text: '', logprobs: {
        tokens: tokens.map((t) => 'token_id:' + t),
        token_logprobs: tokens.map((_, j) => (j === 0 ? null : -1)),
        top_logprobs: tokens.map((t, j) => (j === 0 ? null : { ['token_id:' + t]: -1 })),
      } })) };
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(out));
  });
});
let record = false;
parentPort.on('message', (m) => {
  if (m === 'record') { bodies.length = 0; record = true; }
  if (m === 'bodies') { record = false; parentPort.postMessage(bodies); }
});
// Connections stay open across the pauses between a round's parts (the default 5 s races a client reusing one).
server.keepAliveTimeout = 120000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
`;

/** Send every body, `concurrency` at a time, as a minimal client holding the token IDs would; returns the prompts answered. */
async function plainLoop(url: string, bodies: unknown[], concurrency: number): Promise<number> {
  let next = 0;
  let prompts = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = JSON.stringify(bodies[next++]);
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const answered = ((await res.json()) as { choices: unknown[] }).choices.length;
        prompts += answered;
      }
    }),
  );
  return prompts;
}

/** Microseconds on the clock V8's CPU profiles use (bench/profile.ts --from/--to). */
const profilerClock = () => Number(process.hrtime.bigint() / 1000n);

/** CPU milliseconds of every thread of the process since `start`. */
const cpuMsSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main() {
  const opts = options({ items: 1000, concurrency: 64, rounds: 3 });
  console.log(`HTTP: ${machine()}`);
  const worker = new Worker(SERVER, { eval: true });
  const port = await new Promise<number>((resolve) => worker.once('message', resolve));
  const url = `http://127.0.0.1:${port}`;
  const study = studyOf({
    name: 'bench-http',
    seed: 1,
    benchmark: {
      format: 'mmlu',
      path: '${GOODHART_SHARED}/data/mmlu/data',
      split: 'test',
      limit: { total: opts.items, seed: 1 },
    },
    models: [{ name: 'bench', path: 'none.gguf' }],
    conditions: [
      { name: 'baseline', scoring: 'symbol' },
      { name: 'hybrid', scoring: 'hybrid' },
      { name: 'cloze', scoring: 'cloze' },
      { name: 'shuffled', scoring: 'symbol', perturbations: [{ shuffle: { seed: 1 } }] },
      { name: 'answer-is-A', scoring: 'symbol', perturbations: [{ 'fix-answer': { position: 'A' } }] },
    ],
    baseline: 'baseline',
  });
  const { cellsFor } = await planned(study);
  const dir = tempDir('http');
  const spec = modelSpecSchema.parse({
    name: 'bench',
    backend: 'openai-completions',
    url,
    model: 'bench',
    tokenizer: path.join(sharedDir(), 'models', 'llama-2-tiny-random.gguf'),
    concurrency: opts.concurrency,
  });
  let storeCount = 0;
  /** One study into an empty store; the model's token caches are as `model` left them. */
  const study1 = async (model: Model) => {
    const store = new SqliteStore(path.join(dir, `store-${++storeCount}.sqlite`));
    const t = performance.now();
    const cpu = process.cpuUsage();
    const from = profilerClock();
    const run = await runModel(model, cellsFor(model), store, {});
    const ms = performance.now() - t;
    const cpuMs = cpuMsSince(cpu);
    const window = `--from ${from} --to ${profilerClock()}`;
    store.close();
    return { ms, cpuMs, computed: run.requests.computed, failed: run.requests.failed, window };
  };
  const bodiesSent = () => {
    worker.postMessage('bodies');
    return new Promise<string[]>((resolve) => worker.once('message', resolve));
  };

  // Round 0 warms the JIT and both clients' connections up; the figure is the median of the
  // others (one round moves by ±0.1 on this machine). Each round: a new model (nothing tokenized
  // yet), the plain loop on the bodies it sent, then the same study again with every text tokenized.
  const ratios: number[] = [];
  const warmRatios: number[] = [];
  for (let round = 0; round <= opts.rounds; round++) {
    const setupStore = new SqliteStore(path.join(dir, `setup-${round}.sqlite`));
    const model = await createModel(spec, { baseDir: dir, fileHashes: setupStore, where: 'bench' });
    setupStore.close();
    worker.postMessage('record');
    const cold = await study1(model);
    const bodies = (await bodiesSent()).map((b) => JSON.parse(b) as unknown);
    const t = performance.now();
    const cpu = process.cpuUsage();
    const prompts = await plainLoop(`${url}/v1/completions`, bodies, opts.concurrency);
    const loopMs = performance.now() - t;
    const loopCpuMs = cpuMsSince(cpu);
    const warm = await study1(model);
    await model.close();
    const rate = (n: number, ms: number) => `${seconds(ms)} -> ${(n / (ms / 1000)).toFixed(0)} requests/s`;
    console.log(`round ${round}${round === 0 ? ' (warm-up)' : ''}:`);
    console.log(
      `  study: ${cold.computed} requests in ${bodies.length} HTTP calls, ${rate(cold.computed, cold.ms)} (failed: ${cold.failed}; under --cpu-prof, bench/profile.ts ${cold.window})`,
    );
    console.log(`  plain fetch loop, the same bodies: ${prompts} prompts in ${rate(prompts, loopMs)}`);
    console.log(`  the same study again, every text tokenized already: ${rate(warm.computed, warm.ms)}`);
    const ratio = cold.computed / cold.ms / (prompts / loopMs);
    const warmRatio = warm.computed / warm.ms / (prompts / loopMs);
    console.log(`  ratio ${ratio.toFixed(2)} (${warmRatio.toFixed(2)} with texts tokenized)`);
    console.log(
      `  per CPU second (all threads): study ${seconds(cold.cpuMs)}, loop ${seconds(loopCpuMs)}, ratio ${(cold.computed / cold.cpuMs / (prompts / loopCpuMs)).toFixed(2)}`,
    );
    if (round > 0) {
      ratios.push(ratio);
      warmRatios.push(warmRatio);
    }
  }
  console.log(
    `median of ${opts.rounds} rounds: ${median(ratios).toFixed(2)} (${median(warmRatios).toFixed(2)} with texts tokenized)`,
  );
  await worker.terminate();
  figure(
    `HTTP study rate / plain fetch loop rate (concurrency ${opts.concurrency}, median)`,
    median(ratios),
    '',
    { op: '>=', value: 0.8 },
    2,
  );
}

if (isMain(import.meta.url)) await main();
