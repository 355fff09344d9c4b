import type { RunSummary } from './run-dir.js';

/** Names of the simulated models of a run (their numbers must never pass for a real model's). */
export function simulatedModels(summary: Pick<RunSummary, 'models'>): string[] {
  return summary.models.filter((m) => m.backend === 'sim' || m.details?.simulated === true).map((m) => m.name);
}

/** A copy of the summary whose simulated models are named "<name> [simulated]", for printed tables. */
export function markSimulated(summary: RunSummary): RunSummary {
  const sim = new Set(simulatedModels(summary));
  if (sim.size === 0) return summary;
  const mark = (name: string) => (sim.has(name) ? `${name} [simulated]` : name);
  return {
    ...summary,
    models: summary.models.map((m) => ({ ...m, name: mark(m.name) })),
    cells: summary.cells.map((c) => ({ ...c, model: mark(c.model) })),
  };
}

export function simulatedNote(summary: Pick<RunSummary, 'models'>): string {
  const sim = simulatedModels(summary);
  return sim.length ? `simulated models (known truth, not real language models): ${sim.join(', ')}\n` : '';
}
