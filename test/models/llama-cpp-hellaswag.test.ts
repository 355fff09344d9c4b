import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import Bunzip from 'seek-bzip';
import { repoRoot, runCli, sharedDir, tempDir } from '../helpers.js';
import { llamaCppHellaswagOrder } from './llama-cpp-order.js';

/**
 * The llama.cpp protocol reproduces llama.cpp's own HellaSwag evaluator (`llama-perplexity
 * --hellaswag`, built from the release node-llama-cpp binds) on stories260K over the first 100
 * validation tasks: the same accuracy, and the same prediction item by item except where the top
 * two endings are within TOLERANCE nats per token (llama.cpp's F16 attention cache and batch layout
 * move scores by about 1e-3).
 *
 * llama.cpp prints only its running accuracy, in a shuffled task order. Its order is recomputed
 * (llama-cpp-order.ts), and the prediction of each task is read from four runs in which every
 * label is set to 0, 1, 2 and 3: the run whose accuracy rises at a task names the ending it chose.
 *
 * llama.cpp's log is written by a thread that the process does not wait for at exit, so on a busy
 * machine its last lines are often lost (3 runs in 4 here). Its files therefore hold SPARE copies of
 * a task more, in the slots its order reaches last: the lines that may be lost are theirs.
 */
const TOLERANCE = 0.01;
const TASKS = 100;
const SPARE = 10;
const MODEL = path.join(sharedDir(), 'models', 'stories260K.gguf');
const DATA = path.join(sharedDir(), 'data', 'hellaswag', 'hellaswag_val_full.txt.bz2');

function perplexityBinary(): string | null {
  try {
    const bin = execFileSync('bash', [path.join(repoRoot, 'scripts', 'build-llama-tools.sh')], {
      env: { ...process.env, GOODHART_LLAMA_TARGETS: 'llama-perplexity' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .trim()
      .split('\n')
      .pop()!;
    const file = path.join(bin, 'llama-perplexity');
    return fs.existsSync(file) ? file : null;
  } catch {
    return null;
  }
}

/** The running accuracy lines (task number, percent) of one llama-perplexity run. */
function runningAccuracy(
  binary: string,
  file: string,
): { output: string; percents: { task: number; percent: number }[] } {
  const output = execFileSync(
    binary,
    ['-m', MODEL, '-f', file, '--hellaswag', '--hellaswag-tasks', String(TASKS + SPARE), '-t', '1'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 24 },
  );
  return {
    output,
    percents: [...output.matchAll(/^(\d+)\t([\d.]+)%\t\[/gm)].map((m) => ({
      task: Number(m[1]),
      percent: Number(m[2]),
    })),
  };
}

/**
 * Whether each task, in llama.cpp's order, raised the running accuracy. llama.cpp's asynchronous
 * log can drop its last lines when the process exits, so a run missing some is repeated.
 */
function llamaCppHits(binary: string, file: string): boolean[] {
  let run = runningAccuracy(binary, file);
  for (let attempt = 1; attempt < 3 && run.percents.length < TASKS; attempt++) run = runningAccuracy(binary, file);
  run.percents = run.percents.slice(0, TASKS);
  assert.deepEqual(
    run.percents.map((p) => p.task),
    Array.from({ length: TASKS }, (_, i) => i + 1),
    `one running accuracy line per task in ${file}:\n${run.output.slice(-400)}`,
  );
  const correct = run.percents.map((p) => Math.round((p.percent * p.task) / 100));
  return correct.map((c, i) => c - (i === 0 ? 0 : correct[i - 1]) === 1);
}

test(
  'llama.cpp protocol: llama-perplexity --hellaswag on stories260K, first 100 tasks',
  { timeout: 60 * 60 * 1000 },
  async (t) => {
    if (!fs.existsSync(MODEL) || !fs.existsSync(DATA)) return t.skip('the shared model or HellaSwag file is absent');
    const binary = perplexityBinary();
    if (!binary) return t.skip('llama-perplexity could not be built (scripts/build-llama-tools.sh failed)');

    const dir = tempDir();
    const lines = Bunzip.decode(fs.readFileSync(DATA))
      .toString('utf8')
      .split('\n')
      .slice(0, 6 * TASKS);
    const gold = Array.from({ length: TASKS }, (_, k) => Number(lines[6 * k + 1]));
    const task = (k: number, label: string) => [lines[6 * k], label, ...lines.slice(6 * k + 2, 6 * k + 6)];
    fs.writeFileSync(
      path.join(dir, 'hellaswag_first100.txt'),
      gold.flatMap((g, k) => task(k, String(g))).join('\n') + '\n',
    );
    // llama.cpp's files: the tasks in the slots its order reaches first, spare copies of task 0 in the others.
    const slots = llamaCppHellaswagOrder(TASKS + SPARE);
    const taskInSlot = new Array<number>(TASKS + SPARE).fill(-1);
    [...slots.slice(0, TASKS)].sort((a, b) => a - b).forEach((slot, k) => (taskInSlot[slot] = k));
    const write = (name: string, label: (k: number) => string) => {
      const file = path.join(dir, name);
      const tasks = taskInSlot.flatMap((k) => (k < 0 ? task(0, label(0)) : task(k, label(k))));
      fs.writeFileSync(file, tasks.join('\n') + '\n');
      return file;
    };
    const file = write('llama-cpp-gold.txt', (k) => String(gold[k]));

    // llama.cpp, item by item: the task at each place of its order.
    const order = slots.slice(0, TASKS).map((slot) => taskInSlot[slot]);
    const chosen = new Array<number>(TASKS).fill(-1);
    for (let ending = 0; ending < 4; ending++) {
      llamaCppHits(
        binary,
        write(`all-${ending}.txt`, () => String(ending)),
      ).forEach((hit, t) => {
        if (!hit) return;
        assert.equal(chosen[order[t]], -1, `task ${order[t]} chose two endings`);
        chosen[order[t]] = ending;
      });
    }
    assert.ok(
      chosen.every((c) => c >= 0),
      'every task chose one ending',
    );
    // The true labels confirm the recomputed order: a task is a hit exactly when its choice is its gold.
    assert.deepEqual(
      llamaCppHits(binary, file),
      order.map((k) => chosen[k] === gold[k]),
    );
    const llamaCorrect = chosen.filter((c, k) => c === gold[k]).length;

    // goodhart, through the same file.
    fs.writeFileSync(
      path.join(dir, 'study.yaml'),
      `name: llama-cpp-hellaswag
benchmark: { recipe: hellaswag, path: hellaswag_first100.txt }
models:
  - { name: stories260K, path: ${MODEL}, threads: 1 }
conditions:
  - { name: llama.cpp, protocol: llama.cpp }
baseline: llama.cpp
`,
    );
    const run = await runCli([
      'run',
      path.join(dir, 'study.yaml'),
      '--out',
      path.join(dir, 'out'),
      '--store',
      path.join(dir, 'store.sqlite'),
      '-q',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const items = fs
      .readFileSync(path.join(dir, 'out', 'items.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { itemId: string; scores: number[]; predicted: number });
    assert.equal(items.length, TASKS);
    let disagreements = 0;
    for (const r of items) {
      const k = Number(r.itemId.split('/')[1]);
      if (r.predicted === chosen[k]) continue;
      disagreements++;
      const gap = Math.abs(r.scores[r.predicted] - r.scores[chosen[k]]);
      assert.ok(
        gap < TOLERANCE,
        `task ${k}: goodhart chose ${r.predicted}, llama.cpp ${chosen[k]}; scores ${r.scores.map((s) => s.toFixed(4)).join(', ')}`,
      );
    }
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'out', 'summary.json'), 'utf8'));
    t.diagnostic(
      `llama.cpp ${llamaCorrect}/${TASKS}, goodhart ${summary.cells[0].correct}/${TASKS}, ${disagreements} near-tie disagreement(s)`,
    );
    assert.equal(summary.cells[0].correct, llamaCorrect);
  },
);
