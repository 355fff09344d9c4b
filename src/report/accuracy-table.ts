import type { RunSummary } from '../output/run-dir.js';

/** Accuracy per condition (rows) × model (columns); unscored and failed counts beside the accuracy. */
export function formatAccuracyTable(summary: RunSummary): string {
  const models = summary.models.map((m) => m.name);
  const cell = (condition: string, model: string) => {
    const c = summary.cells.find((s) => s.condition === condition && s.model === model);
    if (!c) return '-';
    let text = Number.isFinite(c.accuracy) ? c.accuracy.toFixed(3) : 'n/a';
    const notes = [
      c.mc2 !== undefined ? `MC2 ${c.mc2.toFixed(3)}` : '',
      c.unscored ? `${c.unscored} unscored` : '',
      c.failed ? `${c.failed} failed` : '',
    ].filter(Boolean);
    if (notes.length) text += ` (${notes.join(', ')})`;
    return text;
  };
  const header = ['condition', 'scoring', ...models];
  const rows = summary.conditions.map((c) => [
    c.name + (c.name === summary.baseline ? ' *' : ''),
    c.normalization === 'none' ? c.scoring : `${c.scoring}/${c.normalization}`,
    ...models.map((m) => cell(c.name, m)),
  ]);
  const n = summary.cells[0]?.n ?? 0;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) =>
    r
      .map((v, i) => v.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [
    `accuracy on ${n} items per cell (* = baseline; strict: unscored counts as not correct)`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
  ].join('\n');
}
