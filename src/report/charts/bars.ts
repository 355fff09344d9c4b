/**
 * Small vertical bar charts over answer positions: recall by gold position (the bias behind
 * RStd) and the PriDe prior. A dashed reference line gives what no bias would look like.
 */
import { isNum, type Num } from '../format.js';
import { linear, svgRoot, tag, text, ticks, title } from './svg.js';

export interface BarsInput {
  label: string;
  kind: string;
  categories: string[];
  values: Num[];
  /** Shown in each bar's tooltip (e.g. the number of items). */
  details?: string[];
  max: number;
  format: (v: number) => string;
  axisLabel: string;
  ref?: { value: number; label: string };
}

export function barChart(o: BarsInput): string {
  const left = 46;
  const top = 18;
  const plotH = 120;
  const barW = 28;
  const gap = 12;
  const width = left + o.categories.length * (barW + gap) + 70;
  const height = top + plotH + 44;
  const y = linear([0, o.max], [top + plotH, top]);
  const parts: string[] = [];
  for (const v of ticks(0, o.max, 4)) {
    parts.push(
      tag('line', { x1: left, x2: width - 70, y1: y(v), y2: y(v), class: 'grid' }),
      text(left - 6, y(v) + 4, o.format(v), { 'text-anchor': 'end', class: 'tick-label' }),
    );
  }
  o.categories.forEach((c, i) => {
    const x = left + gap / 2 + i * (barW + gap);
    const v = o.values[i];
    const detail = o.details?.[i] ? ` (${o.details[i]})` : '';
    parts.push(
      tag(
        'g',
        { class: 'bar mark' },
        title(`${c}: ${isNum(v) ? o.format(v) : 'no items'}${detail}`),
        isNum(v)
          ? tag('rect', { x, y: y(v), width: barW, height: Math.max(0.5, y(0) - y(v)), class: 'bar-fill' })
          : text(x + barW / 2, y(0) - 4, 'n/a', { 'text-anchor': 'middle', class: 'tick-label' }),
        text(x + barW / 2, top + plotH + 16, c, { 'text-anchor': 'middle', class: 'tick-label' }),
      ),
    );
  });
  if (o.ref && o.ref.value <= o.max) {
    parts.push(
      tag('line', { x1: left, x2: width - 70, y1: y(o.ref.value), y2: y(o.ref.value), class: 'ref' }),
      text(width - 66, y(o.ref.value) + 4, o.ref.label, { class: 'ref-label' }),
    );
  }
  parts.push(
    tag('line', { x1: left, x2: width - 70, y1: y(0), y2: y(0), class: 'domain' }),
    text(left + (width - 70 - left) / 2, height - 6, o.axisLabel, { 'text-anchor': 'middle', class: 'axis-label' }),
  );
  return svgRoot(width, height, o.label, o.kind, ...parts);
}
