/**
 * Rank-shift bump chart: each model's rank (1 = top) under every condition, the baseline first
 * and marked. Models tied at a rank are spread a little so every line stays visible.
 */
import { clip, colourOf, dashOf, svgRoot, tag, text, textWidth, title } from './svg.js';

export interface BumpInput {
  models: string[];
  /** In display order; the baseline is drawn first whatever its position here. */
  conditions: string[];
  baseline: string;
  /** ranks[model][condition] */
  ranks: Record<string, Record<string, number>>;
}

const LABEL_GAP = 14;

/** Label positions for points at `ys` (sorted): each at its point, or just below the label above it when they would overlap. */
export function spreadLabels(ys: readonly number[], gap: number): number[] {
  const out = [...ys];
  for (let i = 1; i < out.length; i++) out[i] = Math.max(out[i], out[i - 1] + gap);
  return out;
}

/** A model's name beside its first (side −1) or last (side 1) point, with a leader line when moved. */
function endLabel(point: readonly [number, number], y: number, side: -1 | 1, model: string, colour: string): string {
  const x = point[0] + side * 12;
  const leader =
    Math.abs(y - point[1]) > 1
      ? tag('line', {
          x1: point[0] + side * 6,
          y1: point[1],
          x2: x - side * 2,
          y2: y,
          stroke: colour,
          'stroke-width': 1,
          class: 'leader',
        })
      : '';
  return (
    leader +
    text(x, y + 4, clip(model, 24), { 'text-anchor': side < 0 ? 'end' : 'start', class: 'series-label', fill: colour })
  );
}

export function bumpChart(input: BumpInput): string {
  const conditions = [input.baseline, ...input.conditions.filter((c) => c !== input.baseline)];
  const M = input.models.length;
  const colW = Math.max(48, Math.min(90, 720 / Math.max(1, conditions.length)));
  // End labels are bold: wider than the plain-text estimate.
  const labelW = Math.min(170, Math.max(...input.models.map((m) => textWidth(clip(m, 24)) * 1.12))) + 16;
  const rankW = 30;
  const headH = Math.min(130, Math.max(...conditions.map((c) => textWidth(clip(c, 24), 11))) * 0.64 + 24);
  const rowH = 30;
  const left = rankW + labelW;
  const top = headH + 12;
  // The last column's label is rotated up and to the right: leave room for it as well as for the end labels.
  const width = left + (conditions.length - 1) * colW + Math.max(labelW, (headH - 24) * 0.8 + 10);
  // Room for end labels pushed below the last rank line by ties.
  const height = top + Math.max((M - 1) * rowH, (M - 1) * LABEL_GAP + 10) + 40;
  const xOf = (k: number) => left + k * colW;

  // Spread ties: k-th of t models sharing a rank sits (k − (t−1)/2) × 7 px off the rank line.
  const yOf = new Map<string, number[]>();
  for (const m of input.models) yOf.set(m, []);
  conditions.forEach((c, k) => {
    const byRank = new Map<number, string[]>();
    for (const m of input.models) {
      const r = input.ranks[m]?.[c];
      if (r !== undefined) byRank.set(r, [...(byRank.get(r) ?? []), m]);
    }
    for (const [rank, ms] of byRank) {
      ms.forEach((m, j) => {
        yOf.get(m)![k] = top + (rank - 1) * rowH + (j - (ms.length - 1) / 2) * 7;
      });
    }
  });

  // End labels: in rank order, moved apart to at least a line's height, with a leader to their point.
  const labelY = (k: number): Map<string, number> => {
    const at = input.models
      .filter((m) => yOf.get(m)![k] !== undefined)
      .map((m) => ({ m, y: yOf.get(m)![k] }))
      .sort((a, b) => a.y - b.y);
    return new Map(
      spreadLabels(
        at.map((p) => p.y),
        LABEL_GAP,
      ).map((y, i) => [at[i].m, y]),
    );
  };
  const firstLabels = labelY(0);
  const lastLabels = labelY(conditions.length - 1);
  const parts: string[] = [
    tag('rect', {
      x: xOf(0) - colW / 2 + 4,
      y: top - 26,
      width: colW - 8,
      height: height - top + 10,
      class: 'baseline-band',
    }),
  ];
  for (let r = 1; r <= M; r++) {
    const y = top + (r - 1) * rowH;
    parts.push(
      tag('line', { x1: xOf(0), x2: xOf(conditions.length - 1), y1: y, y2: y, class: 'grid' }),
      text(4, y + 4, `#${r}`, { class: 'tick-label' }),
    );
  }
  conditions.forEach((c, k) => {
    const x = xOf(k);
    parts.push(
      tag(
        'g',
        { class: 'condition-label' },
        title(c === input.baseline ? `${c} (baseline)` : c),
        text(x, top - 30, clip(c, 24), {
          transform: `rotate(-40 ${x} ${top - 30})`,
          class: c === input.baseline ? 'col-label marked' : 'col-label',
        }),
      ),
    );
  });
  parts.push(text(xOf(0), height - 8, 'baseline', { 'text-anchor': 'middle', class: 'ref-label' }));

  input.models.forEach((m, i) => {
    const ys = yOf.get(m)!;
    const colour = colourOf(i);
    const pts = conditions.map((_, k) => (ys[k] === undefined ? null : ([xOf(k), ys[k]] as const)));
    const d = pts.map((p, k) => (p ? `${k === 0 || !pts[k - 1] ? 'M' : 'L'}${p[0]},${p[1].toFixed(1)}` : '')).join('');
    const marks = pts.map((p, k) =>
      p
        ? tag(
            'circle',
            { cx: p[0], cy: p[1], r: k === 0 ? 6 : 4.5, fill: colour, class: k === 0 ? 'dot marked' : 'dot' },
            title(`${m}: rank ${input.ranks[m][conditions[k]]} under ${conditions[k]}`),
          )
        : '',
    );
    const first = pts[0];
    const last = pts[pts.length - 1];
    parts.push(
      tag(
        'g',
        { class: 'series mark', 'data-model': m },
        tag('path', {
          d,
          fill: 'none',
          stroke: colour,
          'stroke-width': 2.5,
          'stroke-dasharray': dashOf(i),
          class: 'line',
        }),
        ...marks,
        first ? endLabel(first, firstLabels.get(m)!, -1, m, colour) : '',
        last && conditions.length > 1 ? endLabel(last, lastLabels.get(m)!, 1, m, colour) : '',
      ),
    );
  });
  return svgRoot(
    width,
    height,
    `Rank of each model under each condition (1 = top); the baseline, ${input.baseline}, is the first column`,
    'bump',
    ...parts,
  );
}
