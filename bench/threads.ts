/**
 * Thread count of the GGUF backend, on the benchmark model: for each count, the latency of a
 * small call (one token evaluated and erased, the shape of most scoring calls), the rate of one
 * long prompt, and the rate of a small study through the engine (skipped for more threads than
 * cores, where it takes minutes). Rounds alternate the counts so
 * that load from other processes hits each of them alike; medians are reported.
 *
 *   node --import tsx bench/threads.ts [--threads 1,2,4] [--rounds 2] [--perSubject 1]
 *
 * The figure: the study rate of goodhart's default (defaultThreads() in src/models/threads.ts,
 * measured as the benchmark starts)
 * against the best count measured.
 */
import os from 'node:os';
import { getLlama, LlamaLogLevel, type LlamaModel, type Token } from 'node-llama-cpp';
import { runModel } from '../src/engine/run.js';
import { GgufModel } from '../src/models/gguf.js';
import { defaultThreads } from '../src/models/threads.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { makeBenchModel } from '../scripts/make-bench-model.js';
import { figure, isMain, machine, options, planned, tempDir, uniqueRequests } from './common.js';
import { prefixStudy } from './prefix.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Milliseconds per call of one token evaluated after `state` tokens and erased again. */
async function smallCall(model: LlamaModel, threads: number, state: Token[]): Promise<number> {
  const context = await model.createContext({ contextSize: 2048, threads });
  const seq = context.getSequence();
  await seq.evaluateWithoutGeneratingNewTokens(state);
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const t = performance.now();
    await seq.controlledEvaluate([state[i % state.length]]);
    await seq.eraseContextTokenRanges([{ start: state.length, end: seq.nextTokenIndex }]);
    times.push(performance.now() - t);
  }
  await context.dispose();
  return median(times);
}

async function longPrompt(model: LlamaModel, threads: number, tokens: Token[]): Promise<number> {
  const context = await model.createContext({ contextSize: 2048, threads, batchSize: 2048 });
  const t = performance.now();
  await context.getSequence().evaluateWithoutGeneratingNewTokens(tokens);
  const rate = tokens.length / ((performance.now() - t) / 1000);
  await context.dispose();
  return rate;
}

async function main() {
  const opts = options({ threads: `1,2,${Math.max(4, os.availableParallelism())}`, rounds: 2, perSubject: 1 });
  const counts = opts.threads.split(',').map(Number);
  const modelPath = makeBenchModel();
  const chosen = await defaultThreads();
  console.log(
    `thread count: ${machine()}; node-llama-cpp's own default here: 4 threads; goodhart's default: ${chosen}`,
  );
  const study = prefixStudy(opts.perSubject);
  const { cellsFor } = await planned(study);
  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false });
  const plain = await llama.loadModel({ modelPath });
  const text = 'The following are multiple choice questions (with answers) about marketing. ';
  const tokens = Array.from({ length: 1024 }, (_, i) => plain.tokenize(text)[i % 16]);
  const state = tokens.slice(0, 500);

  const results = new Map(
    counts.map((n) => [n, { small: [] as number[], long: [] as number[], study: [] as number[] }]),
  );
  for (let round = 0; round < opts.rounds; round++) {
    for (const n of counts) {
      const r = results.get(n)!;
      r.small.push(await smallCall(plain, n, state));
      r.long.push(await longPrompt(plain, n, tokens));
      if (n > os.availableParallelism()) {
        console.log(
          `  round ${round + 1}, ${n} threads: small call ${r.small.at(-1)!.toFixed(1)} ms, long prompt ${r.long.at(-1)!.toFixed(0)} tokens/s; study skipped (more threads than cores: minutes per study)`,
        );
        continue;
      }
      const model = await GgufModel.load({
        name: `t${n}`,
        path: modelPath,
        sha256: `threads-${n}-${round}`,
        threads: n,
        gpu: false,
      });
      const cells = cellsFor(model);
      const store = new SqliteStore(`${tempDir('threads')}/store.sqlite`);
      const t = performance.now();
      await runModel(model, cells, store, {});
      r.study.push(model.tokensEvaluated / ((performance.now() - t) / 1000));
      store.close();
      await model.close();
      console.log(
        `  round ${round + 1}, ${n} threads: small call ${r.small.at(-1)!.toFixed(1)} ms, long prompt ${r.long.at(-1)!.toFixed(0)} tokens/s, study ${r.study.at(-1)!.toFixed(0)} tokens/s (${uniqueRequests(cells).ids.length} requests)`,
      );
    }
  }
  console.log('threads  small call (ms)  long prompt (tokens/s)  study (tokens/s)');
  for (const [n, r] of results)
    console.log(
      `${String(n).padStart(7)}  ${median(r.small).toFixed(1).padStart(15)}  ${median(r.long).toFixed(0).padStart(22)}  ${(r.study.length ? median(r.study).toFixed(0) : '-').padStart(16)}`,
    );
  const best = Math.max(...[...results.values()].filter((r) => r.study.length).map((r) => median(r.study)));
  const mine = results.get(chosen);
  if (!mine) return console.log(`the default (${chosen} threads) was not among the counts measured`);
  figure(
    `study rate at the default thread count (${chosen}) / best measured`,
    median(mine.study) / best,
    '',
    { op: '>=', value: 0.9 },
    2,
  );
}

if (isMain(import.meta.url)) await main();
