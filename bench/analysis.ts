/**
 * Benchmark of analyzeRun at leaderboard scale on simulated data (not a test):
 * 20 models × 30 conditions × 14,000 items with 1,000 paired bootstrap resamples.
 * Run: node --expose-gc --import tsx bench/analysis.ts [models] [conditions] [items] [bootstrap]
 * (--expose-gc lets the simulation's garbage be collected before timing starts).
 */
import { resourceUsage } from 'node:process';
import { analyzeRun } from '../src/analysis/analyze.js';
import { simulateRun } from '../src/analysis/simulate.js';

const [models, conditions, items, bootstrap] = [20, 30, 14_000, 1000].map((d, k) => Number(process.argv[2 + k] ?? d));
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

let t = performance.now();
const run = simulateRun({ models, conditions, items, seed: 2024 });
const generateMs = performance.now() - t;
const input = { items: run.items, conditions: run.conditions, baseline: run.baseline };
globalThis.gc?.();
const rssBefore = process.memoryUsage().rss;

t = performance.now();
const analysis = analyzeRun(input, { seed: 1, bootstrap });
const analyzeMs = performance.now() - t;
const peakRss = resourceUsage().maxRSS * 1024;
const json = JSON.stringify(analysis);

// The same analysis without the bootstrap: what the rest costs.
globalThis.gc?.();
t = performance.now();
analyzeRun(input, { seed: 1, bootstrap: 0 });
const noBootstrapMs = performance.now() - t;

console.log(
  `input: ${models} models × ${conditions} conditions × ${items} items = ${run.items.length.toLocaleString('en')} results (simulated in ${seconds(generateMs)})`,
);
console.log(
  `analyzeRun, ${bootstrap} bootstrap resamples: ${seconds(analyzeMs)} wall (without bootstrap: ${seconds(noBootstrapMs)})`,
);
console.log(`RSS with the input in memory: ${mb(rssBefore)}; peak RSS (maxRSS) after analyzeRun: ${mb(peakRss)}`);
console.log(
  `analysis.json: ${(json.length / 2 ** 20).toFixed(2)} MB; rotation sets: ${analysis.bias.circular.length}; robust score over ${analysis.robust?.conditions.length ?? 0} conditions`,
);
