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

/** Run the CLI as a user would; `killAfterMs` sends `signal` after that delay. */
export function runCli(args: string[], opts: { env?: Record<string, string>; killAfterMs?: number; signal?: NodeJS.Signals; cwd?: string } = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'goodhart.js'), ...args], {
      cwd: opts.cwd ?? repoRoot,
      env: { ...process.env, GOODHART_SHARED: sharedDir(), ...opts.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = opts.killAfterMs !== undefined ? setTimeout(() => child.kill(opts.signal ?? 'SIGKILL'), opts.killAfterMs) : undefined;
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
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
