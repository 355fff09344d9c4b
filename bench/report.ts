/**
 * Size of report.html for a few run shapes, on simulated runs (not a test): models × conditions ×
 * items, with the default 300 items embedded in the item browser.
 * Run: node --import tsx bench/report.ts [--keep 1]  (--keep leaves the run folders for a look)
 */
import fs from 'node:fs';
import path from 'node:path';
import { analyzeRun } from '../src/analysis/analyze.js';
import { simulateRun } from '../src/analysis/simulate.js';
import type { RunSummary } from '../src/output/run-dir.js';
import { writeReport } from '../src/report/index.js';
import { figure, machine, options, seconds, tempDir } from './common.js';

const opts = options({ keep: 0, bootstrap: 50 });

/** A run folder from the simulator, with its analysis.json (few resamples: the size does not depend on them). */
function writeSimulatedRunDir(dir: string, models: number, conditions: number, items: number): void {
  const sim = simulateRun({ models, conditions, items, seed: 11, subjects: 14 });
  const summary: RunSummary = {
    tool: { name: 'goodhart', version: 'bench' },
    study: `simulated ${models}×${conditions}×${items}`,
    spec: { name: 'simulated' },
    studyFile: path.join(dir, 'missing-study.yaml'),
    seed: 11,
    baseline: sim.baseline,
    benchmark: { description: 'simulated items', items, files: [], skipped: [] },
    models: sim.models.map((name) => ({ id: `sim:${name}`, name, backend: 'sim', details: { simulated: true } })),
    conditions: sim.conditions,
    cells: [],
    requests: { total: 0, unique: 0, cached: 0, computed: 0, failed: 0 },
    requestsByModel: {},
  };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary));
  const out = fs.openSync(path.join(dir, 'items.jsonl'), 'w');
  for (const r of sim.items) fs.writeSync(out, JSON.stringify(r) + '\n');
  fs.closeSync(out);
  const analysis = analyzeRun(
    { items: sim.items, conditions: sim.conditions, baseline: sim.baseline },
    { seed: 1, bootstrap: opts.bootstrap },
  );
  fs.writeFileSync(path.join(dir, 'analysis.json'), JSON.stringify(analysis));
}

const SHAPES: [number, number, number][] = [
  [7, 10, 300],
  [29, 6, 200],
  [30, 30, 300],
  [29, 1, 14_000],
  [10, 6, 14_000],
];

console.log(`report size by run shape; ${machine()}`);
const root = tempDir('report');
let ok = true;
for (const [m, c, n] of SHAPES) {
  const dir = path.join(root, `${m}x${c}x${n}`);
  writeSimulatedRunDir(dir, m, c, n);
  const t = performance.now();
  const files = await writeReport(dir);
  const ms = performance.now() - t;
  const mb = fs.statSync(files.html).size / 1e6;
  const name = `report.html, ${m} models × ${c} conditions × ${n.toLocaleString('en')} items`;
  if (m === 30 && c === 30) ok = figure(name, mb, 'MB', { op: '<=', value: 3 }) && ok;
  else console.log(`FIGURE ${name}: ${mb.toFixed(2)} MB (written in ${seconds(ms)})`);
}
if (opts.keep) console.log(`run folders kept in ${root}`);
else fs.rmSync(root, { recursive: true, force: true });
process.exitCode = ok ? 0 : 1;
