/**
 * Where a benchmark's time went: self and inclusive milliseconds per function in a V8 CPU profile,
 * optionally within a window of the profiler's clock (bench/http.ts prints each study's window).
 *
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/http.ts
 *   node --import tsx bench/profile.ts /tmp/prof/<largest>.cpuprofile [--from µs] [--to µs] [--top 30]
 */
import fs from 'node:fs';
import path from 'node:path';
import { isMain, options } from './common.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export function summarize(profile: CpuProfile, from = -Infinity, to = Infinity) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const name = (n: ProfileNode) =>
    `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.split('/').slice(-2).join('/')}:${n.callFrame.lineNumber + 1}`;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let at = profile.startTime;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    at += dt;
    if (at < from || at > to) return;
    total += dt;
    const key = name(byId.get(id)!);
    self.set(key, (self.get(key) ?? 0) + dt);
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const k = name(byId.get(n)!);
      if (!seen.has(k)) inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
      seen.add(k);
    }
  });
  const top = (m: Map<string, number>, k: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
      .map(([f, us]) => ({ ms: us / 1000, f }));
  return { totalMs: total / 1000, self: (k: number) => top(self, k), inclusive: (k: number) => top(inclusive, k) };
}

async function main() {
  const file = process.argv[2];
  if (!file || !fs.existsSync(file))
    throw new Error('usage: bench/profile.ts <file.cpuprofile> [--from µs] [--to µs] [--top 30]');
  const opts = options({ from: -Infinity, to: Infinity, top: 30 }, process.argv.slice(3));
  const s = summarize(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile, opts.from, opts.to);
  console.log(`${path.basename(file)}: ${s.totalMs.toFixed(0)} ms sampled`);
  for (const [title, rows] of [
    ['self', s.self(opts.top)],
    ['inclusive', s.inclusive(opts.top)],
  ] as const) {
    console.log(`-- ${title}`);
    for (const r of rows) console.log(`${r.ms.toFixed(0).padStart(8)}  ${r.f}`);
  }
}

if (isMain(import.meta.url)) await main();
