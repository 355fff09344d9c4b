import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { repoRoot, sharedDir } from '../src/core/paths.js';

export { repoRoot, sharedDir };

export function tempDir(prefix = 'goodhart-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface CliResult { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }

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
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'goodhart.js'), ...args], {
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

/** A small real study on the shared MMLU files and the stories260K model. */
export function writeSmallStudy(dir: string, extra = ''): string {
  const file = path.join(dir, 'study.yaml');
  fs.writeFileSync(file, `name: small
seed: 3
benchmark:
  format: mmlu
  path: \${GOODHART_SHARED}/data/mmlu/data
  subjects: [anatomy, virology]
  limit: { perSubject: 6, seed: 2 }
models:
  - name: stories
    path: \${GOODHART_SHARED}/models/stories260K.gguf
    threads: 1
    precise: true
conditions:
  - { name: base, scoring: symbol }
  - { name: hybrid, scoring: hybrid, normalization: token }
  - { name: pmi, scoring: cloze, normalization: pmi }
  - { name: shuffled, scoring: symbol, perturbations: [{ shuffle: { seed: 4 } }] }
  - { name: two-shot, scoring: symbol, perturbations: [{ fewshot: { k: 2 } }] }
  - { name: circ, scoring: symbol, perturbations: [circular] }
baseline: base
${extra}`);
  return file;
}
