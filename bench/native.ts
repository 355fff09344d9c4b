/**
 * goodhart against llama.cpp's own multiple-choice evaluator, `llama-perplexity --hellaswag`
 * (built by scripts/build-llama-tools.sh from the llama.cpp release node-llama-cpp binds), on the
 * benchmark model (scripts/make-bench-model.ts), the same first HellaSwag tasks and the same
 * thread count, interleaved: llama.cpp, goodhart, llama.cpp, goodhart, ...
 *
 *   node --import tsx bench/native.ts [--tasks 100] [--rounds 2] [--threads 1,2] [--sequences N (0: the default)]
 *
 * llama.cpp's side is the whole process: it tokenizes each task's context + " " + ending, packs
 * tasks into batches (a context evaluated once for its 4 endings, as parallel sequences sharing
 * its cache cells) and computes log-softmaxes in C++; its model load (printed by llama.cpp) is
 * left out. goodhart's side is `runModel` of one cloze condition (the engine: planning of
 * requests, tokenization, evaluation, the store), with the model already loaded. goodhart's
 * prompt (description, "Answer:" cue) is longer than llama.cpp's, so the figure is the ratio of
 * tokens evaluated per second; the ratio of wall times for the same tasks is printed beside it.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Bunzip from 'seek-bzip';
import { sharedDir } from '../src/core/paths.js';
import { runModel } from '../src/engine/run.js';
import { GgufModel } from '../src/models/gguf.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { makeBenchModel } from '../scripts/make-bench-model.js';
import { figure, isMain, machine, options, planned, studyOf, tempDir } from './common.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The folder holding llama-perplexity (built once, cached outside the repository by commit). */
export function llamaTools(): string {
  const built = spawnSync('bash', [path.join(repo, 'scripts/build-llama-tools.sh')], {
    env: { ...process.env, GOODHART_LLAMA_TARGETS: 'llama-perplexity' },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  const dir = built.stdout.trim().split('\n').pop();
  if (built.status !== 0 || !dir) throw new Error(`scripts/build-llama-tools.sh failed (exit code ${built.status})`);
  return dir;
}

/** The first `tasks` HellaSwag tasks in llama.cpp's 6-line text (context, gold label, 4 endings), written to a file. */
export function firstTasks(tasks: number, dir: string): string {
  const text = Bunzip.decode(
    fs.readFileSync(path.join(sharedDir(), 'data/hellaswag/hellaswag_val_full.txt.bz2')),
  ).toString('utf8');
  const file = path.join(dir, `hellaswag-first-${tasks}.txt`);
  fs.writeFileSync(
    file,
    `${text
      .split('\n')
      .slice(0, 6 * tasks)
      .join('\n')}\n`,
  );
  return file;
}

interface Measured {
  tokens: number;
  /** Wall time. */
  ms: number;
  /** CPU time of every thread (llama.cpp's process; goodhart's, over the run). */
  cpuMs: number;
}

/**
 * One llama-perplexity run. It picks tasks at random among those in the file, so a file holding
 * only the first N makes it evaluate exactly those. Time: the process's wall time less its model load.
 */
async function llamaRun(
  bin: string,
  model: string,
  file: string,
  tasks: number,
  threads: number,
): Promise<Measured & { log: string }> {
  const args = [
    '-m',
    model,
    '-f',
    file,
    '--hellaswag',
    '--hellaswag-tasks',
    String(tasks),
    '-t',
    String(threads),
    '-tb',
    String(threads),
    '--perf',
    '-lv',
    '4',
  ];
  const started = performance.now();
  const log = await new Promise<string>((resolve, reject) => {
    // bash's `times` prints the child's CPU time (user, system) as it exits.
    const child = spawn(
      'bash',
      ['-c', '"$@"; status=$?; times >&2; exit $status', 'bash', path.join(bin, 'llama-perplexity'), ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`llama-perplexity exited with ${code}:\n${out.slice(-2000)}`)),
    );
  });
  const wall = performance.now() - started;
  const number = (re: RegExp) => {
    const m = re.exec(log);
    if (!m) throw new Error(`llama-perplexity printed no ${re.source}:\n${log.slice(-2000)}`);
    return Number(m[1]);
  };
  const load = number(/load time =\s*([\d.]+) ms/);
  const tokens = number(/prompt eval time =\s*[\d.]+ ms \/\s*(\d+) tokens/);
  const times = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(log);
  if (!times) throw new Error(`no CPU times after llama-perplexity:\n${log.slice(-500)}`);
  const cpuMs = (Number(times[1]) * 60 + Number(times[2]) + Number(times[3]) * 60 + Number(times[4])) * 1000;
  return { tokens, ms: wall - load, cpuMs, log };
}

export const clozeStudy = (file: string) =>
  studyOf({
    name: 'bench-native',
    seed: 1,
    benchmark: { recipe: 'hellaswag', path: file },
    models: [{ name: 'bench', path: '.cache/bench.gguf' }],
    conditions: [{ name: 'cloze', scoring: 'cloze', normalization: 'token' }],
    baseline: 'cloze',
  });

/** Microseconds on the clock V8's CPU profiles use (bench/profile.ts --from/--to). */
const profilerClock = () => Number(process.hrtime.bigint() / 1000n);

async function goodhartRun(
  model: GgufModel,
  cells: Parameters<typeof runModel>[1],
): Promise<Measured & { window: string }> {
  const store = new SqliteStore(`${tempDir('native')}/store.sqlite`);
  const before = model.tokensEvaluated;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const from = profilerClock();
  await runModel(model, cells, store, {});
  const window = `--from ${from} --to ${profilerClock()}`;
  const ms = performance.now() - started;
  const used = process.cpuUsage(cpu);
  store.close();
  return { tokens: model.tokensEvaluated - before, ms, cpuMs: (used.user + used.system) / 1000, window };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];

async function main() {
  const opts = options({ tasks: 100, rounds: 2, threads: '1,2', sequences: 0 });
  const bin = llamaTools();
  const modelPath = makeBenchModel();
  const dir = tempDir('native');
  const file = firstTasks(opts.tasks, dir);
  console.log(`goodhart vs llama-perplexity --hellaswag: ${machine()}`);
  console.log(
    `model ${modelPath}; the first ${opts.tasks} HellaSwag tasks; ${bin}/llama-perplexity; goodhart with ${opts.sequences || 'the default number of'} sequence(s)`,
  );
  const { cellsFor } = await planned(clozeStudy(file));
  for (const threads of opts.threads.split(',').map(Number)) {
    const model = await GgufModel.load({
      name: 'bench',
      path: modelPath,
      sha256: 'bench-native',
      threads,
      gpu: false,
      sequences: opts.sequences || undefined,
    });
    const cells = cellsFor(model);
    const llama: Measured[] = [];
    const ours: (Measured & { window: string })[] = [];
    // A first goodhart run warms the JIT and the tokenizer's caches; llama.cpp's process starts cold every time.
    await goodhartRun(model, cells);
    for (let round = 0; round < opts.rounds; round++) {
      const l = await llamaRun(bin, modelPath, file, opts.tasks, threads);
      if (round === 0)
        console.log(
          `llama.cpp: ${/hellaswag_score[^\n]*\n/.exec(l.log)?.[0].trim() ?? ''} ${/\n\d+\t[\d.]+\t[^\n]*\n*$/.exec(l.log)?.[0].trim() ?? ''}`,
        );
      llama.push(l);
      ours.push(await goodhartRun(model, cells));
      const show = (m: Measured) =>
        `${m.tokens} tokens in ${(m.ms / 1000).toFixed(2)} s (${((m.tokens / m.ms) * 1000).toFixed(0)} tokens/s), ${(m.cpuMs / 1000).toFixed(2)} s of CPU`;
      console.log(
        `${threads} thread(s), round ${round + 1}: llama.cpp ${show(l)}; goodhart ${show(ours[round])} (under --cpu-prof, bench/profile.ts ${ours[round].window})`,
      );
    }
    await model.close();
    const rate = (m: Measured) => m.tokens / m.ms;
    const cpuRate = (m: Measured) => m.tokens / m.cpuMs;
    const t = `${threads} thread${threads === 1 ? '' : 's'}`;
    figure(
      `goodhart / llama.cpp hellaswag tokens/s, ${t} (median of ${opts.rounds})`,
      median(ours.map(rate)) / median(llama.map(rate)),
      '',
      { op: '>=', value: 0.9 },
    );
    figure(
      `goodhart / llama.cpp hellaswag tokens per CPU second, ${t}`,
      median(ours.map(cpuRate)) / median(llama.map(cpuRate)),
      '',
      { op: '>=', value: 0.9 },
    );
    console.log(
      `  wall time for the same ${opts.tasks} tasks, llama.cpp / goodhart: ${(median(llama.map((m) => m.ms)) / median(ours.map((m) => m.ms))).toFixed(2)}; ` +
        `CPU time: ${(median(llama.map((m) => m.cpuMs)) / median(ours.map((m) => m.cpuMs))).toFixed(2)}`,
    );
  }
  fs.rmSync(dir, { recursive: true, force: true });
}

if (isMain(import.meta.url)) await main();
