import fs from 'node:fs';
import path from 'node:path';
import { simulateRun, type SimulationSpec } from '../../src/analysis/index.js';
import type { ItemResult } from '../../src/core/results.js';
import type { RunSummary } from '../../src/output/run-dir.js';

/**
 * A run folder from the simulator (no model, no benchmark file): enough for every part of the
 * report but the prompts, which cannot be re-rendered without a study.
 */
export function writeSimulatedRun(
  dir: string,
  spec: Partial<SimulationSpec> = {},
  rename: (model: string) => string = (m) => m,
): RunSummary {
  const sim = simulateRun({ models: 3, items: 40, conditions: 6, seed: 7, subjects: 3, ...spec });
  const items: ItemResult[] = sim.items.map((r) => ({ ...r, model: rename(r.model) }));
  const models = sim.models.map(rename);
  const summary: RunSummary = {
    tool: { name: 'goodhart', version: '0.0.0-test' },
    study: 'simulated',
    spec: { name: 'simulated' },
    studyFile: path.join(dir, 'missing-study.yaml'),
    seed: 7,
    baseline: sim.baseline,
    benchmark: { description: 'simulated items', items: spec.items ?? 40, files: [], skipped: [] },
    models: models.map((name) => ({ id: `sim:${name}`, name, backend: 'sim', details: { simulated: true } })),
    conditions: sim.conditions,
    cells: [],
    requests: { total: 0, unique: 0, cached: 0, computed: 0, failed: 0 },
    requestsByModel: {},
  };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
  fs.writeFileSync(path.join(dir, 'items.jsonl'), items.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return summary;
}
