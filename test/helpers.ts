import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { repoRoot, sharedDir } from '../src/core/paths.js';

export { repoRoot, sharedDir };

/** Node's arguments that run the CLI from the sources through tsx (test/package covers the compiled one). */
export const CLI_ARGS = ['--import', import.meta.resolve('tsx'), path.join(repoRoot, 'src', 'cli', 'main.ts')];

export function tempDir(prefix = 'goodhart-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  env?: Record<string, string>;
  cwd?: string;
  signal?: NodeJS.Signals;
  /** Send `signal` after this delay. */
  killAfterMs?: number;
  /** Send `signal` as soon as this returns true (polled), e.g. once some results are stored. */
  killWhen?: (output: { stdout: string; stderr: string }) => boolean;
}

/** Run the CLI as a user would, optionally interrupting it at a chosen moment. */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI_ARGS, ...args], {
      cwd: opts.cwd ?? repoRoot,
      env: { ...process.env, GOODHART_SHARED: sharedDir(), ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const kill = () => child.kill(opts.signal ?? 'SIGKILL');
    const timer = opts.killAfterMs !== undefined ? setTimeout(kill, opts.killAfterMs) : undefined;
    const poll = opts.killWhen
      ? setInterval(() => {
          if (opts.killWhen!({ stdout, stderr })) {
            clearInterval(poll);
            kill();
          }
        }, 20)
      : undefined;
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The conditions of the small study: every scoring method, a shuffle, few-shot and circular. */
export const SMALL_CONDITIONS = [
  '{ name: base, scoring: symbol }',
  '{ name: hybrid, scoring: hybrid, normalization: token }',
  '{ name: pmi, scoring: cloze, normalization: pmi }',
  '{ name: shuffled, scoring: symbol, perturbations: [{ shuffle: { seed: 4 } }] }',
  '{ name: two-shot, scoring: symbol, perturbations: [{ fewshot: { k: 2 } }] }',
  '{ name: circ, scoring: symbol, perturbations: [circular] }',
];

export interface StudyShape {
  name?: string;
  seed?: number;
  subjects?: string[];
  perSubject?: number;
  limitSeed?: number;
  /** Flow-style YAML condition entries; the first named `base` is the baseline. */
  conditions?: string[];
  /** YAML appended at the end (e.g. probes). */
  extra?: string;
}

/**
 * A real study on the shared MMLU files and the stories260K model (one thread, precise numerics,
 * so that scores do not depend on evaluation history), written as `<name>.yaml` in `dir`.
 */
export function writeStudy(dir: string, shape: StudyShape = {}): string {
  const {
    name = 'small',
    seed = 3,
    subjects = ['anatomy', 'virology'],
    perSubject = 6,
    limitSeed = 2,
    conditions = SMALL_CONDITIONS,
    extra = '',
  } = shape;
  const file = path.join(dir, name === 'small' ? 'study.yaml' : `${name}.yaml`);
  fs.writeFileSync(
    file,
    `name: ${name}
seed: ${seed}
benchmark:
  format: mmlu
  path: \${GOODHART_SHARED}/data/mmlu/data
  subjects: [${subjects.join(', ')}]
  limit: { perSubject: ${perSubject}, seed: ${limitSeed} }
models:
  - name: stories
    path: \${GOODHART_SHARED}/models/stories260K.gguf
    threads: 1
    precise: true
conditions:
${conditions.map((c) => `  - ${c}`).join('\n')}
baseline: base
${extra}`,
  );
  return file;
}

/** The small study (2 subjects x 6 items, six conditions). */
export function writeSmallStudy(dir: string, extra = ''): string {
  return writeStudy(dir, { extra });
}

/**
 * Two `items.jsonl` texts hold the same items, predictions, correctness and ties, with scores equal
 * to 1e-5 nats (the studies above use precise numerics; with llama.cpp's default F16 attention
 * cache scores move by up to ~3e-3 with which prefixes were evaluated before).
 */
export function assertSameItems(gotText: string, wantText: string): void {
  const parse = (t: string) =>
    t
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  const got = parse(gotText);
  const want = parse(wantText);
  assert.equal(got.length, want.length);
  got.forEach((g, i) => {
    const w = want[i];
    assert.deepEqual({ ...g, scores: undefined }, { ...w, scores: undefined });
    g.scores.forEach((x: number, j: number) =>
      assert.ok(Math.abs(x - w.scores[j]) < 1e-5, `${g.itemId} ${g.condition} choice ${j}: ${x} vs ${w.scores[j]}`),
    );
  });
}
