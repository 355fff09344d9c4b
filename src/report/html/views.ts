/**
 * Views chosen by what the run has: accuracy of every model under every condition (a run with
 * perturbations), accuracy of every model in every subject, and the items every model gets wrong
 * (candidates for a wrong answer key).
 */
import type { Analysis } from '../../analysis/index.js';
import { matrixHeatmap } from '../charts/heatmap.js';
import type { ItemResult } from '../../core/results.js';
import { escapeHtml } from '../escape.js';
import { pct, plural } from '../format.js';
import type { PromptSet } from '../prompts.js';
import { htmlTable } from './table.js';

/** Models in the order of the leading leaderboard (robust, else the baseline's). */
export function modelOrder(a: Analysis): string[] {
  const lead = a.robust?.entries ?? a.leaderboards.find((l) => l.condition === a.settings.baseline)?.entries ?? [];
  return [...lead.map((e) => e.model), ...a.models.filter((m) => !lead.some((e) => e.model === m))];
}

export function conditionHeatmapSection(a: Analysis): string {
  if (a.conditions.length < 2) return '';
  const models = modelOrder(a);
  const conditions = a.conditions.map((c) => c.name);
  const acc = new Map(a.cells.map((c) => [`${c.model}\u0000${c.condition}`, c.accuracy]));
  const chart = matrixHeatmap({
    rows: models,
    columns: conditions,
    markedColumn: a.settings.baseline,
    kind: 'condition-heatmap',
    values: models.map((m) => conditions.map((c) => acc.get(`${m}\u0000${c}`) ?? null)),
    label: 'Accuracy (%) of each model (rows, in leaderboard order) under each condition (columns)',
    tooltip: (m, c, v) => `${m} under ${c}: ${pct(v)}%`,
  });
  return `<section id="conditions"><h2>Every model under every condition</h2>
<p class="note">Accuracy in percent; rows in leaderboard order, the baseline column in bold. Each column is shaded from its lowest to its highest
value, so a darker cell is a model doing well for that condition.</p>
<div class="figure">${chart}</div></section>`;
}

interface SubjectMatrix {
  subjects: string[];
  /** accuracy[m][s], null when the model has no result in the subject. */
  accuracy: (number | null)[][];
  items: number[];
}

function subjectMatrix(items: readonly ItemResult[], models: string[], condition: string): SubjectMatrix | null {
  const mIndex = new Map(models.map((m, i) => [m, i]));
  const tally = new Map<string, { right: number[]; total: number[]; ids: Set<string> }>();
  for (const r of items) {
    const m = mIndex.get(r.model);
    if (r.condition !== condition || m === undefined || r.subject === undefined || r.subject === null) continue;
    let t = tally.get(r.subject);
    if (!t) tally.set(r.subject, (t = { right: models.map(() => 0), total: models.map(() => 0), ids: new Set() }));
    t.total[m]++;
    if (r.correct === true) t.right[m]++;
    t.ids.add(r.itemId);
  }
  if (tally.size < 2) return null;
  const subjects = [...tally.keys()].sort((x, y) => x.localeCompare(y));
  return {
    subjects,
    accuracy: models.map((_, m) =>
      subjects.map((s) => {
        const t = tally.get(s)!;
        return t.total[m] ? t.right[m] / t.total[m] : null;
      }),
    ),
    items: subjects.map((s) => tally.get(s)!.ids.size),
  };
}

export function subjectHeatmap(a: Analysis, items: readonly ItemResult[]): string {
  const models = modelOrder(a);
  const s = subjectMatrix(items, models, a.settings.baseline);
  if (!s) return '';
  const chart = matrixHeatmap({
    rows: models,
    columns: s.subjects.map((x, k) => `${x} (${s.items[k]})`),
    kind: 'subject-heatmap',
    values: s.accuracy,
    label: `Accuracy (%) of each model (rows, in leaderboard order) in each subject (columns, items in brackets) under ${a.settings.baseline}`,
    tooltip: (m, subject, v) => `${m} in ${subject}: ${pct(v)}%`,
  });
  return `<h3>Every model in every subject (${escapeHtml(a.settings.baseline)})</h3>
<p class="note">Accuracy in percent; each column is shaded from its lowest to its highest value, so subjects of different difficulty compare
within themselves.</p><div class="figure">${chart}</div>`;
}

/** Most rows shown in the table of items every model fails; the rest are counted. */
const MAX_FAILED = 200;

/** Items that every model answers wrongly under the baseline: often a wrong or ambiguous answer key. */
export function allFailSection(a: Analysis, items: readonly ItemResult[], prompts: PromptSet): string {
  const models = new Set(a.models);
  const byItem = new Map<string, { subject: string | null; wrong: number; seen: number }>();
  for (const r of items) {
    if (r.condition !== a.settings.baseline || !models.has(r.model)) continue;
    let e = byItem.get(r.itemId);
    if (!e) byItem.set(r.itemId, (e = { subject: r.subject ?? null, wrong: 0, seen: 0 }));
    e.seen++;
    if (r.correct === false) e.wrong++;
  }
  const failed = [...byItem].filter(([, e]) => e.seen === models.size && e.wrong === e.seen);
  if (failed.length === 0) return '';
  const text = new Map(prompts.items.map((it) => [it.id, it]));
  const letter = (i: number) => String.fromCharCode(65 + i);
  const rows = failed.slice(0, MAX_FAILED).map(([id, e]) => {
    const it = text.get(id);
    return [
      { text: id, cls: 'name mono' },
      { text: e.subject ?? '–', cls: 'details' },
      { text: it ? it.question.slice(0, 160) + (it.question.length > 160 ? '…' : '') : '–', cls: 'details' },
      {
        text: it && it.answer !== undefined ? `${letter(it.answer)}. ${it.choices[it.answer] ?? ''}`.slice(0, 80) : '–',
        cls: 'details',
      },
    ];
  });
  return `<section id="all-wrong"><h2>Items every model gets wrong</h2>
<p class="note">${plural(failed.length, 'item')} of ${byItem.size.toLocaleString('en')} ${failed.length === 1 ? 'is' : 'are'} answered wrongly by all
${plural(models.size, 'model')} under ${escapeHtml(a.settings.baseline)}: candidates for a wrong or ambiguous answer key, worth a look
before trusting the ranking on them.${failed.length > MAX_FAILED ? ` The first ${MAX_FAILED} are listed.` : ''}</p>
<details${failed.length <= 20 ? ' open' : ''}><summary>List of the items</summary>${htmlTable({
    id: 'all-wrong-table',
    csv: 'items-every-model-fails',
    cls: 'compact',
    columns: [{ text: 'item' }, { text: 'subject' }, { text: 'question' }, { text: 'answer key' }],
    rows,
  })}</details></section>`;
}
