/**
 * Prefix sharing and engine utilisation of the GGUF backend, on the benchmark model
 * (scripts/make-bench-model.ts): MMLU 5-shot under symbol, hybrid and cloze scoring and two
 * perturbations, run through the real engine (planning, store, chunks).
 *
 *   node --import tsx bench/prefix.ts [--perSubject 50] [--naive 24] [--threads N] [--sequences N (0: the default)]
 *
 * Figures: tokens evaluated ÷ tokens in the prefix tree of the study's requests; study wall
 * time against evaluating every request from scratch (timed on a seeded sample of cells, half
 * before and half after the study, extrapolated per request); the largest difference between the
 * scores of the sampled cells both ways, with precise numerics (with the defaults, llama.cpp's
 * own floor — one call against two — is printed beside it); and the study's tokens/s ÷
 * node-llama-cpp's tokens/s on one long prompt in the same process.
 */
import { getLlama, LlamaLogLevel, type LlamaContextSequence, type LlamaModel, type Token } from 'node-llama-cpp';
import type { Outcome, Request, RequestResult } from '../src/core/types.js';
import type { Cell } from '../src/engine/plan.js';
import { runModel } from '../src/engine/run.js';
import { predict } from '../src/scoring/methods.js';
import { GgufModel, nextTokenRead, readNext } from '../src/models/gguf.js';
import { defaultThreads } from '../src/models/threads.js';
import { splitTokens } from '../src/models/tokenize.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { DEFAULT_SHAPE, makeBenchModel, parameterCount } from '../scripts/make-bench-model.js';
import {
  figure,
  isMain,
  machine,
  options,
  planned,
  sampleIndices,
  seconds,
  studyOf,
  tempDir,
  uniqueRequests,
} from './common.js';

const SUBJECTS = ['high_school_geography', 'sociology', 'marketing', 'management'];
const fewshot = { fewshot: { k: 5 } };

export const prefixStudy = (perSubject: number) =>
  studyOf({
    name: 'bench-prefix',
    seed: 1,
    benchmark: {
      format: 'mmlu',
      path: '${GOODHART_SHARED}/data/mmlu/data',
      split: 'test',
      subjects: SUBJECTS,
      limit: { perSubject, seed: 1 },
    },
    models: [{ name: 'bench', path: '.cache/bench.gguf' }],
    conditions: [
      { name: 'symbol', scoring: 'symbol', perturbations: [fewshot] },
      { name: 'hybrid', scoring: 'hybrid', normalization: 'char', perturbations: [fewshot] },
      { name: 'cloze', scoring: 'cloze', normalization: 'char', perturbations: [fewshot] },
      { name: 'shuffled', scoring: 'symbol', perturbations: [fewshot, { shuffle: { seed: 1 } }] },
      { name: 'answer-is-A', scoring: 'symbol', perturbations: [fewshot, { 'fix-answer': { position: 'A' } }] },
    ],
    baseline: 'symbol',
  });

/**
 * The plain way: a cleared sequence, the whole request evaluated in one call, every needed
 * distribution read; `split` evaluates the context (less its last token) in a call of its own first.
 */
async function fromScratch(
  seq: LlamaContextSequence,
  tokenize: (t: string) => Token[],
  r: Request,
  split = false,
): Promise<number[]> {
  if (r.kind === 'generate') throw new Error('the prefix benchmark scores log-probs only');
  if (seq.nextTokenIndex > 0) await seq.eraseContextTokenRanges([{ start: 0, end: seq.nextTokenIndex }]);
  const conts = r.kind === 'loglikelihood' ? [r.continuation] : r.candidates;
  const splits = conts.map((c) => splitTokens(tokenize, r.context, c));
  const all =
    r.kind === 'loglikelihood'
      ? [...splits[0].context, ...splits[0].continuation]
      : [...splits[0].context, splits[0].continuation[0]];
  const from = splits[0].context.length - 1;
  const start = split ? from : 0;
  if (split && from > 0) await seq.controlledEvaluate(all.slice(0, from));
  // Each read asks for the tokens scored after it, as the backend does.
  const targetsAt = (i: number) => (r.kind === 'nextToken' ? splits.map((s) => s.continuation[0]) : [all[i + 1]]);
  const input = all
    .slice(start, -1)
    .map((t, i) => (start + i >= from ? ([t, { generateNext: nextTokenRead(targetsAt(start + i)) }] as const) : t));
  const out = await seq.controlledEvaluate(input as Parameters<LlamaContextSequence['controlledEvaluate']>[0]);
  const lp = (i: number, t: Token) => readNext(out[i - start]!.next).logprob(t);
  if (r.kind === 'nextToken') return splits.map((s) => lp(from, s.continuation[0]));
  let sum = 0;
  for (let i = from; i < all.length - 1; i++) sum += lp(i, all[i + 1]);
  return [sum];
}

const asResult = (r: Request, v: number[]): RequestResult =>
  r.kind === 'loglikelihood'
    ? { kind: 'loglikelihood', logprob: v[0], tokens: 0, greedy: false }
    : { kind: 'nextToken', logprobs: v };

/** Scores of a cell whose requests are answered by `answer`. */
async function cellScores(cell: Cell, answer: (r: Request) => Promise<number[]>): Promise<(number | null)[]> {
  const results: RequestResult[] = [];
  for (const r of cell.ids.map((id) => cell.table.requests[id])) results.push(asResult(r, await answer(r)));
  return cell.reduce(results);
}

function largestDifference(a: Map<Cell, (number | null)[]>, b: (cell: Cell) => (number | null)[]): number {
  let max = 0;
  for (const [cell, scores] of a) scores.forEach((v, j) => (max = Math.max(max, Math.abs(v! - b(cell)[j]!))));
  return max;
}

/** Milliseconds node-llama-cpp spends on one read (a token's logit and the normalizer): a 1-token call with and without it, alternated. */
async function readCost(model: LlamaModel, state: Token[], threads: number): Promise<number> {
  const context = await model.createContext({ contextSize: 2048, threads });
  const seq = context.getSequence();
  await seq.evaluateWithoutGeneratingNewTokens(state);
  const with_: number[] = [];
  const without: number[] = [];
  for (let i = 0; i < 20; i++) {
    for (const read of [true, false]) {
      const t = performance.now();
      await seq.controlledEvaluate([read ? [state[i], { generateNext: nextTokenRead([state[i + 1]]) }] : state[i]]);
      (read ? with_ : without).push(performance.now() - t);
      await seq.eraseContextTokenRanges([{ start: state.length, end: seq.nextTokenIndex }]);
    }
  }
  await context.dispose();
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[xs.length >> 1];
  return median(with_) - median(without);
}

/** node-llama-cpp alone: tokens/s evaluating one long prompt on a fresh sequence. */
async function longPromptRate(model: LlamaModel, tokens: Token[], threads: number): Promise<number> {
  const context = await model.createContext({ contextSize: 4096, threads, batchSize: 2048 });
  const seq = context.getSequence();
  const t = performance.now();
  await seq.evaluateWithoutGeneratingNewTokens(tokens);
  const rate = tokens.length / ((performance.now() - t) / 1000);
  await context.dispose();
  return rate;
}

async function main() {
  const opts = options({ perSubject: 50, naive: 24, threads: await defaultThreads(), longPrompt: 2048, sequences: 0 });
  const modelPath = makeBenchModel();
  console.log(`prefix sharing and utilisation: ${machine()}`);
  console.log(
    `model: ${modelPath} (${(parameterCount(DEFAULT_SHAPE) / 1e6).toFixed(0)}M parameters, F16), threads ${opts.threads}`,
  );
  const study = prefixStudy(opts.perSubject);
  const { benchmark, cellsFor } = await planned(study);
  const model = await GgufModel.load({
    name: 'bench',
    path: modelPath,
    sha256: 'bench-prefix',
    threads: opts.threads,
    gpu: false,
    sequences: opts.sequences || undefined,
  });
  const cells = cellsFor(model);
  const { ids } = uniqueRequests(cells);
  const requests = Array.from(ids, (id) => cells[0].table.requests[id]);
  const tree = model.prefixTreeSize(requests);
  console.log(
    `study: ${benchmark.items.length} items x ${study.conditions.length} conditions = ${cells.length} cells, ${requests.length} unique requests, ${tree} tokens in their prefix tree`,
  );

  const llama = await getLlama({ gpu: false, build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false });
  const plain = await llama.loadModel({ modelPath });
  const scratch = await plain.createContext({ contextSize: 4096, threads: opts.threads, batchSize: 2048 });
  const seq = scratch.getSequence();
  const long = requests
    .map((r) => model.tokenize(r.context))
    .flat()
    .slice(0, opts.longPrompt);

  // Sampled cells (item x condition) from scratch, timed: half before the study, half after.
  const sampled = sampleIndices(cells.length, opts.naive, 7).map((i) => cells[i]);
  const naive = new Map<Cell, (number | null)[]>();
  let naiveMs = 0;
  const runNaive = async (part: Cell[]) => {
    const t = performance.now();
    for (const cell of part) naive.set(cell, await cellScores(cell, (r) => fromScratch(seq, model.tokenize, r)));
    naiveMs += performance.now() - t;
  };
  const naiveRequests = sampled.reduce((n, c) => n + c.ids.length, 0);
  const rates = [await longPromptRate(plain, long, opts.threads)];
  await runNaive(sampled.filter((_, k) => k % 2 === 0));

  const store = new SqliteStore(`${tempDir('prefix')}/store.sqlite`);
  const t = performance.now();
  const run = await runModel(model, cells, store, {});
  const studyMs = performance.now() - t;
  store.close();

  await runNaive(sampled.filter((_, k) => k % 2 === 1));
  rates.push(await longPromptRate(plain, long, opts.threads));
  const perRead = await readCost(plain, long.slice(0, 300), opts.threads);

  // Agreement. llama.cpp's own floor: the same requests from scratch in two calls instead of one.
  const byCell = new Map(run.items.map((it) => [`${it.condition}\u0000${it.itemId}`, it]));
  const engineScores = (cell: Cell) => byCell.get(`${cell.condition.name}\u0000${cell.item.id}`)!.scores;
  const samePrediction = sampled.filter(
    (c) => predict(naive.get(c)!).predicted === predict(engineScores(c)).predicted,
  ).length;
  const twoCalls = new Map<Cell, (number | null)[]>();
  for (const cell of sampled)
    twoCalls.set(cell, await cellScores(cell, (r) => fromScratch(seq, model.tokenize, r, true)));
  // The same comparison with precise numerics (GgufOptions.precise) on both sides.
  const exact = await plain.createContext({
    contextSize: 4096,
    threads: opts.threads,
    batchSize: 2048,
    flashAttention: false,
    experimentalKvCacheKeyType: 'F32',
    experimentalKvCacheValueType: 'F32',
  });
  const exactSeq = exact.getSequence();
  const preciseModel = await GgufModel.load({
    name: 'precise',
    path: modelPath,
    sha256: 'bench-precise',
    threads: opts.threads,
    gpu: false,
    precise: true,
  });
  const sampledRequests = [...new Set(sampled.flatMap((c) => c.ids))];
  const preciseOut = await preciseModel.evaluate(sampledRequests.map((id) => cells[0].table.requests[id]));
  const preciseById = new Map(sampledRequests.map((id, k) => [id, preciseOut[k]]));
  const precise = new Map<Cell, (number | null)[]>();
  const exactNaive = new Map<Cell, (number | null)[]>();
  for (const cell of sampled) {
    precise.set(
      cell,
      cell.reduce(cell.ids.map((id) => (preciseById.get(id) as Extract<Outcome, { ok: true }>).result)),
    );
    exactNaive.set(cell, await cellScores(cell, (r) => fromScratch(exactSeq, model.tokenize, r)));
  }
  await preciseModel.close();
  await exact.dispose();

  const naiveTotalMs = (naiveMs / naiveRequests) * requests.length;
  const studyRate = model.tokensEvaluated / (studyMs / 1000);
  const longRate = (rates[0] + rates[1]) / 2;
  const readSeconds = (model.positionsRead * perRead) / 1000;
  const rest = studyMs / 1000 - readSeconds;
  console.log(
    `study: ${seconds(studyMs)} wall, ${model.tokensEvaluated} tokens evaluated, ${model.positionsRead} positions read`,
  );
  console.log(
    `from scratch: ${sampled.length} sampled cells (${naiveRequests} requests) in ${seconds(naiveMs)} -> ${seconds(naiveTotalMs)} for all ${requests.length} requests`,
  );
  console.log(
    `long prompt (${long.length} tokens): ${rates.map((r) => r.toFixed(0)).join(' and ')} tokens/s before and after; study: ${studyRate.toFixed(0)} tokens/s`,
  );
  console.log(
    `a read (the scored tokens' logits and the softmax normalizer) costs node-llama-cpp ${perRead.toFixed(1)} ms: ${readSeconds.toFixed(1)} s of the study's ${seconds(studyMs)}`,
  );
  if (rest > 0)
    console.log(
      `without those reads: ${(model.tokensEvaluated / rest).toFixed(0)} tokens/s, ${(model.tokensEvaluated / rest / longRate).toFixed(2)} of the long-prompt rate`,
    );
  else
    console.log(
      '(a read timed alone costs more than in the study: with several threads, llama.cpp keeps them spinning between calls)',
    );
  console.log(
    `default numerics (F16 cache, flash attention auto): largest |score difference| study vs from scratch ${largestDifference(naive, engineScores).toExponential(2)}; ` +
      `from scratch in two calls vs one ${largestDifference(naive, (c) => twoCalls.get(c)!).toExponential(2)}; same prediction in ${samePrediction} of ${sampled.length} cells`,
  );
  figure(
    'prefix efficiency (tokens evaluated / prefix-tree tokens)',
    model.tokensEvaluated / tree,
    '',
    { op: '<=', value: 1.05 },
    3,
  );
  figure('speed-up over evaluating each request from scratch', naiveTotalMs / studyMs, 'x', { op: '>=', value: 3 }, 1);
  figure(
    'largest |score difference| prefix vs from scratch, precise numerics',
    largestDifference(exactNaive, (c) => precise.get(c)!),
    '',
    { op: '<=', value: 1e-3 },
    6,
  );
  figure(
    `engine utilisation (study tokens/s / long-prompt tokens/s, ${opts.threads} thread${opts.threads === 1 ? '' : 's'})`,
    studyRate / longRate,
    '',
    { op: '>=', value: 0.7 },
    2,
  );
  await scratch.dispose();
  await plain.dispose();
  await model.close();
}

if (isMain(import.meta.url)) await main();
