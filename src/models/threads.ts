import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** Evaluation threads are never more than this by default (llama.cpp gains little past it on a CPU). */
const MAX_DEFAULT_THREADS = 8;

let measured: Promise<number> | undefined;

/**
 * Evaluation threads for a GGUF model that names none: the cores not busy with other processes,
 * measured once over a quarter of a second (this process's own use left out), at most 8.
 * On the benchmark model (docs/performance.md) as many threads as cores ran a study 1.45× faster
 * than one fewer on an idle 2-core machine, and 0.68× as fast with another process busy on a
 * core: llama.cpp's threads wait for one another by spinning, so a thread without a core of its
 * own stalls every call (a small call took 118 ms instead of 5, and ~1 s with twice as many
 * threads as cores, node-llama-cpp's own default here).
 */
export function defaultThreads(): Promise<number> {
  return (measured ??= freeCores(250));
}

export async function freeCores(sampleMs: number): Promise<number> {
  const cores = os.availableParallelism();
  const before = os.cpus();
  const ownBefore = process.cpuUsage();
  const start = performance.now();
  await sleep(sampleMs);
  const after = os.cpus();
  const own = process.cpuUsage(ownBefore);
  const elapsedMs = performance.now() - start;
  let busy = 0;
  let total = 0;
  after.forEach((cpu, i) => {
    const was = before[i]?.times;
    if (!was) return;
    const work =
      cpu.times.user - was.user + (cpu.times.nice - was.nice) + (cpu.times.sys - was.sys) + (cpu.times.irq - was.irq);
    busy += work;
    total += work + (cpu.times.idle - was.idle);
  });
  const busyCores = total > 0 ? (busy / total) * after.length : 0;
  const ownCores = (own.user + own.system) / 1000 / elapsedMs;
  const others = Math.max(0, busyCores - ownCores);
  return Math.max(1, Math.min(MAX_DEFAULT_THREADS, cores - Math.round(others)));
}
