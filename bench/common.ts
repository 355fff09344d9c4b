/**
 * Shared pieces of the benchmarks: studies built in code, the real planning path, and one line
 * per figure with its target, so every benchmark reads the same way.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadBenchmark } from '../src/benchmarks/load.js';
import type { Request } from '../src/core/types.js';
import { planStudy } from '../src/engine/run.js';
import { uniqueRequests } from '../src/engine/plan.js';
import { resolveStudy, type Study } from '../src/study/load.js';
import { studySchema } from '../src/study/schema.js';

/** A study from a plain object, validated like a study file (relative paths resolve against bench/). */
export function studyOf(spec: Record<string, unknown>): Study {
  return resolveStudy(
    studySchema.parse(spec),
    path.join(path.dirname(fileURLToPath(import.meta.url)), `${String(spec.name)}.yaml`),
  );
}

/** Load the study's benchmark and plan it; `cellsFor(model)` compiles one model's cells. */
export async function planned(study: Study) {
  const benchmark = await loadBenchmark(study.spec.benchmark, { baseDir: study.baseDir });
  return { benchmark, cellsFor: planStudy(study, { items: benchmark.items, fewshotPool: benchmark.fewshotPool }) };
}

export { uniqueRequests };
export type { Request };

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `goodhart-bench-${prefix}-`));
}

/** The machine, as every report of a figure should say. */
export function machine(): string {
  return `${os.availableParallelism()} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, load average ${os.loadavg()[0].toFixed(1)}`;
}

export interface Target {
  /** The figure must be at least (>=) or at most (<=) this value. */
  op: '>=' | '<=';
  value: number;
}

/** Print one figure as `name: value unit (target op value) PASS|FAIL`; returns whether it met its target. */
export function figure(name: string, value: number, unit: string, target: Target, digits = 2): boolean {
  const ok = target.op === '>=' ? value >= target.value : value <= target.value;
  const fmt = (v: number) => v.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  console.log(
    `FIGURE ${name}: ${fmt(value)}${unit ? ` ${unit}` : ''} (target ${target.op} ${fmt(target.value)}) ${ok ? 'PASS' : 'FAIL'}`,
  );
  return ok;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** A seeded sample of k indices out of n (xorshift; the same every run). */
export function sampleIndices(n: number, k: number, seed = 1): number[] {
  let x = seed >>> 0 || 1;
  const rand = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 2 ** 32;
  };
  const all = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, Math.min(k, n)).sort((a, b) => a - b);
}

/** `--name value` options with defaults (numbers stay numbers). */
export function options<T extends Record<string, number | string>>(defaults: T, argv = process.argv.slice(2)): T {
  const out: Record<string, number | string> = { ...defaults };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in defaults) || argv[i + 1] === undefined)
      throw new Error(
        `unknown option ${argv[i]}; known: ${Object.keys(defaults)
          .map((k) => `--${k}`)
          .join(' ')}`,
      );
    out[key] = typeof defaults[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  return out as T;
}

/** Whether this module is the script node was started with (benchmarks also import each other's parts). */
export const isMain = (url: string) =>
  process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(url);
