/**
 * Dot-and-whisker rows: an estimate with its interval per row. Used for leaderboards (rows in
 * rank order, tied groups as shaded bands), accuracy by condition and the Goodhart gap.
 */
import { isNum, type Num } from '../format.js';
import { bottomAxis, clip, linear, svgRoot, tag, text, textWidth, ticks, title } from './svg.js';

export interface IntervalRow {
  label: string;
  /** Left of the label, e.g. the rank. */
  prefix?: string;
  value: Num;
  ci: readonly Num[] | null;
  /** Rows with the same group number share a band; bands alternate shading. */
  group?: number;
  /** Drawn emphasised (e.g. the baseline condition or a flagged model). */
  marked?: boolean;
  /** Text at the right end of the row (e.g. "G2", "flagged"). */
  note?: string;
  tooltip: string;
  colour?: string;
}

export interface RefLine {
  value: number;
  label: string;
}

export interface IntervalChartOptions {
  label: string;
  kind: string;
  domain: [number, number];
  format: (v: number) => string;
  axisLabel: string;
  refLines?: RefLine[];
  width?: number;
}

const ROW = 26;

export function intervalChart(rows: IntervalRow[], o: IntervalChartOptions): string {
  const width = o.width ?? 460;
  const prefixW = rows.some((r) => r.prefix) ? 28 : 0;
  const labelW = Math.min(200, Math.max(60, ...rows.map((r) => textWidth(clip(r.label)))));
  const noteW = rows.some((r) => r.note) ? Math.max(...rows.map((r) => textWidth(r.note ?? '', 11))) + 10 : 0;
  const left = 8 + prefixW + labelW + 10;
  const right = width - 14 - noteW;
  const refs = (o.refLines ?? []).filter((r) => r.value >= o.domain[0] && r.value <= o.domain[1]);
  // Reference labels stack above the plot so that close lines do not print over each other.
  const top = 22 + 12 * Math.max(0, refs.length - 1);
  const plotBottom = top + rows.length * ROW;
  const x = linear(o.domain, [left, right]);
  const clamp = (v: number) => Math.min(right, Math.max(left, x(v)));
  const parts: string[] = [];

  // Tied-group bands: one band per run of rows sharing a group, shading alternates.
  let start = 0;
  let band = 0;
  rows.forEach((r, i) => {
    const next = rows[i + 1];
    if (next && next.group !== undefined && next.group === r.group) return;
    if (r.group !== undefined) {
      // A shaded band, and a bar at its left edge that keeps 3:1 contrast where shading cannot.
      const y0 = top + start * ROW;
      const y1 = top + (i + 1) * ROW;
      parts.push(
        tag(
          'g',
          {},
          title(`tied group ${r.group}`),
          tag('rect', {
            x: 2,
            y: y0,
            width: width - 4,
            height: y1 - y0,
            class: band % 2 === 0 ? 'band band-even' : 'band band-odd',
          }),
          tag('line', { x1: 3.5, x2: 3.5, y1: y0 + 3, y2: y1 - 3, class: 'band-edge' }),
        ),
      );
      band++;
    }
    start = i + 1;
  });

  parts.push(
    bottomAxis({
      scale: x,
      values: ticks(o.domain[0], o.domain[1], 5),
      format: o.format,
      y: plotBottom + 4,
      gridTop: top - 4,
      label: o.axisLabel,
    }),
  );
  refs.forEach((ref, k) => {
    parts.push(
      tag('line', { x1: x(ref.value), x2: x(ref.value), y1: top - 6 - 12 * k, y2: plotBottom + 4, class: 'ref' }),
      text(x(ref.value) + 3, top - 10 - 12 * k, ref.label, { class: 'ref-label' }),
    );
  });

  rows.forEach((r, i) => {
    const cy = top + i * ROW + ROW / 2;
    const mark: string[] = [title(r.tooltip)];
    if (r.prefix) mark.push(text(8 + prefixW - 6, cy + 4, r.prefix, { 'text-anchor': 'end', class: 'row-prefix' }));
    mark.push(text(8 + prefixW, cy + 4, clip(r.label), { class: r.marked ? 'row-label marked' : 'row-label' }));
    if (r.ci && isNum(r.ci[0]) && isNum(r.ci[1])) {
      mark.push(
        tag('line', { x1: clamp(r.ci[0]), x2: clamp(r.ci[1]), y1: cy, y2: cy, class: 'whisker', stroke: r.colour }),
        ...[r.ci[0], r.ci[1]].map((v) =>
          tag('line', { x1: clamp(v), x2: clamp(v), y1: cy - 5, y2: cy + 5, class: 'whisker', stroke: r.colour }),
        ),
      );
    }
    if (isNum(r.value)) {
      mark.push(
        r.marked
          ? tag('rect', {
              x: clamp(r.value) - 5,
              y: cy - 5,
              width: 10,
              height: 10,
              class: 'dot marked',
              fill: r.colour,
            })
          : tag('circle', { cx: clamp(r.value), cy, r: 5, class: 'dot', fill: r.colour }),
      );
    }
    if (r.note) mark.push(text(width - 8, cy + 4, r.note, { 'text-anchor': 'end', class: 'row-note' }));
    parts.push(tag('g', { class: 'row mark' }, ...mark));
  });
  return svgRoot(width, plotBottom + 46, o.label, o.kind, ...parts);
}
