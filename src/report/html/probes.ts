/**
 * The Goodhart panel: per model, the three probes beside the leaderboard — accuracy without the
 * question, answers that follow where the gold used to be, and Min-K% familiarity with the text.
 */
import type { Probes } from '../../probes/index.js';
import { escapeHtml } from '../escape.js';
import { fixed, isNum, pct, pctRange } from '../format.js';
import { htmlTable, type Cell } from './table.js';

const flagged = (text: string, flag: boolean): Cell => ({
  text: flag ? `${text} ⚑` : text,
  cls: flag ? 'flag' : undefined,
});

export function probeSection(probes: Probes, models: string[]): string {
  const rows = models.map((model) => {
    const co = probes.choicesOnly?.perModel.find((m) => m.model === model);
    const memory = probes.answerOrderMemory.filter((m) => m.model === model && isNum(m.expected));
    // The condition with the strongest evidence (Holm over every model × condition), else the largest excess.
    const strength = (m: (typeof memory)[number]) => (m.holmP ?? 1) + (m.excess > 0 ? 0 : 1);
    const worst = memory.reduce<(typeof memory)[number] | undefined>(
      (w, m) => (!w || strength(m) < strength(w) || (strength(m) === strength(w) && m.excess > w.excess) ? m : w),
      undefined,
    );
    const memoryFlag = worst?.flagged === true;
    const mk = probes.minK?.find((m) => m.model === model);
    return [
      model,
      co ? flagged(`${pct(co.accuracy)}% [${pctRange(co.ci)}] vs ${pct(co.chance)}%`, co.aboveChance) : '–',
      worst
        ? flagged(
            `${pct(worst.rate)}% [${pctRange(worst.ci)}] vs ${pct(worst.expected)}% (${worst.condition})`,
            memoryFlag,
          )
        : '–',
      mk
        ? flagged(`${fixed(mk.shift, 3)} [${fixed(mk.shiftCI[0], 3)}, ${fixed(mk.shiftCI[1], 3)}]`, mk.shiftCI[0] > 0)
        : '–',
      mk ? { text: fixed(mk.auc, 3), sort: mk.auc } : '–',
    ];
  });
  const flaggedItems = probes.choicesOnly?.flaggedItems.slice(0, 20) ?? [];
  return `<section id="probes"><h2>Goodhart panel</h2>
<p class="lede">Did a model learn the skill, or the benchmark? ⚑ marks an interval clear of its reference. Signs, not verdicts.</p>
${htmlTable({
  id: 'probe-table',
  columns: [
    { text: 'model' },
    { text: 'choices only (vs chance)', title: 'accuracy with the question hidden' },
    { text: 'answers at the old gold position (vs own rate)', title: 'after the gold moves' },
    { text: 'Min-K% shift (benchmark − control)', numeric: true },
    { text: 'Min-K% AUC', numeric: true },
  ],
  rows,
})}
${flaggedItems.length ? `<p class="note">Items most models answer without the question: ${flaggedItems.map((f) => escapeHtml(`${f.itemId} (${f.modelsCorrect}/${f.models})`)).join(', ')}.</p>` : ''}
<ul class="notes">${probes.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}${(probes.notApplicable ?? []).map((n) => `<li>${escapeHtml(`${n.probe}: not applicable — ${n.reason}.`)}</li>`).join('')}</ul>
</section>`;
}
