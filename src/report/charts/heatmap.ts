/**
 * Heatmap of Kendall τ-b between every pair of conditions, on a diverging purple–orange scale
 * (colour-blind safe): orange = the two leaderboards agree, purple = they reverse. Each cell also
 * prints its value, so the chart reads in greyscale.
 */
import type { Num } from '../format.js';
import { fixed, isNum } from '../format.js';
import { clip, svgRoot, tag, text, textWidth, title } from './svg.js';

export interface TauPair {
  a: string;
  b: string;
  tau: Num;
}

/** ColorBrewer PuOr, from −1 (purple) through 0 (near white) to +1 (orange). */
const STOPS: [number, [number, number, number]][] = [
  [-1, [84, 39, 136]],
  [-0.5, [153, 142, 195]],
  [0, [247, 247, 247]],
  [0.5, [241, 163, 64]],
  [1, [179, 88, 6]],
];

function tauColour(t: number): string {
  const v = Math.max(-1, Math.min(1, t));
  const k = STOPS.findIndex(([s]) => s >= v);
  if (k <= 0) return rgb(STOPS[0][1]);
  const [s0, c0] = STOPS[k - 1];
  const [s1, c1] = STOPS[k];
  const f = (v - s0) / (s1 - s0);
  return rgb(c0.map((c, i) => c + (c1[i] - c) * f) as [number, number, number]);
}

const rgb = (c: [number, number, number]) => `rgb(${c.map((x) => Math.round(x)).join(',')})`;

export function tauHeatmap(conditions: string[], pairs: TauPair[], baseline: string): string {
  const tau = new Map<string, Num>();
  for (const p of pairs) {
    tau.set(`${p.a}\u0000${p.b}`, p.tau);
    tau.set(`${p.b}\u0000${p.a}`, p.tau);
  }
  const n = conditions.length;
  const cell = Math.max(26, Math.min(46, 560 / Math.max(1, n)));
  const labelW = Math.min(170, Math.max(...conditions.map((c) => textWidth(clip(c, 24), 11)))) + 12;
  const top = labelW * 0.7 + 10;
  const left = labelW + 4;
  const legendH = 46;
  const width = left + n * cell + 16;
  const height = top + n * cell + legendH;
  const parts: string[] = [];
  conditions.forEach((c, i) => {
    const cls = c === baseline ? 'col-label marked' : 'col-label';
    const name = clip(c, 24);
    const x = left + i * cell + cell / 2;
    parts.push(
      text(left - 6, top + i * cell + cell / 2 + 4, name, { 'text-anchor': 'end', class: cls }),
      text(x, top - 6, name, { transform: `rotate(-45 ${x} ${top - 6})`, class: cls }),
    );
  });
  conditions.forEach((a, i) =>
    conditions.forEach((b, j) => {
      const t: Num = i === j ? 1 : (tau.get(`${a}\u0000${b}`) ?? null);
      const x = left + j * cell;
      const y = top + i * cell;
      const defined = isNum(t);
      parts.push(
        tag(
          'g',
          { class: 'cell mark' },
          title(
            i === j
              ? a
              : `${a} vs ${b}: Kendall τ-b ${defined ? t.toFixed(3) : 'undefined (every model tied under one of them)'}`,
          ),
          tag('rect', {
            x,
            y,
            width: cell - 1,
            height: cell - 1,
            fill: defined ? tauColour(t) : '#ddd',
            class: defined ? 'heat' : 'heat undefined',
          }),
          cell >= 30
            ? text(x + cell / 2, y + cell / 2 + 4, defined ? fixed(t) : '–', {
                'text-anchor': 'middle',
                class: defined && lightTextOn(tauColour(t)) ? 'cell-value light' : 'cell-value',
              })
            : '',
        ),
      );
    }),
  );
  // Legend: the scale from −1 to 1.
  const ly = top + n * cell + 16;
  const lw = Math.min(220, n * cell);
  for (let k = 0; k < 20; k++) {
    parts.push(
      tag('rect', {
        x: left + (k * lw) / 20,
        y: ly,
        width: lw / 20 + 0.5,
        height: 10,
        fill: tauColour(-1 + (2 * k + 1) / 20),
      }),
    );
  }
  parts.push(
    text(left, ly + 24, '−1 reversed', { class: 'tick-label' }),
    text(left + lw / 2, ly + 24, '0', { 'text-anchor': 'middle', class: 'tick-label' }),
    text(left + lw, ly + 24, 'same order +1', { 'text-anchor': 'end', class: 'tick-label' }),
  );
  return svgRoot(
    width,
    height,
    'Kendall τ-b between the leaderboards of every pair of conditions',
    'heatmap',
    ...parts,
  );
}

export interface MatrixHeatmapInput {
  rows: string[];
  columns: string[];
  /** values[r][c] in [0, 1]; null where there is no value. */
  values: (number | null)[][];
  /** Tooltip of one cell. */
  tooltip: (row: string, column: string, value: number | null) => string;
  label: string;
  kind: string;
  markedColumn?: string;
  /** A column's value shown relative to its mean (a diverging scale), e.g. subjects of unequal difficulty. */
  centreColumns?: boolean;
}

/** WCAG relative luminance of an "rgb(r,g,b)" colour. */
function luminance(colour: string): number {
  const [r, g, b] = (colour.match(/\d+/g) ?? ['0', '0', '0'])
    .map((x) => Number(x) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** White text where it contrasts more with the fill than the ink colour (#1d2733) does. */
const INK_LUMINANCE = 0.0195;
const lightTextOn = (fill: string): boolean => {
  const l = luminance(fill);
  return 1.05 / (l + 0.05) > (l + 0.05) / (INK_LUMINANCE + 0.05);
};

/** Light to dark blue (ColorBrewer Blues), for accuracies in [0, 1]. */
const BLUES: [number, [number, number, number]][] = [
  [0, [247, 251, 255]],
  [0.5, [107, 174, 214]],
  [1, [8, 48, 107]],
];

function blue(v: number): string {
  const x = Math.max(0, Math.min(1, v));
  const k = Math.max(
    1,
    BLUES.findIndex(([s]) => s >= x),
  );
  const [s0, c0] = BLUES[k - 1];
  const [s1, c1] = BLUES[k];
  const f = (x - s0) / (s1 - s0);
  return rgb(c0.map((c, i) => c + (c1[i] - c) * f) as [number, number, number]);
}

/**
 * Accuracy of each row (model) in each column (condition or subject), printed in every cell in
 * percent so the chart reads without colour. Columns are coloured from their own lowest to
 * highest value, so differences between models within a column show even when columns differ.
 */
export function matrixHeatmap(o: MatrixHeatmapInput): string {
  const cell = Math.max(24, Math.min(44, 900 / Math.max(1, o.columns.length)));
  const rowLabelW = Math.min(190, Math.max(...o.rows.map((r) => textWidth(clip(r, 30), 11)))) + 10;
  const colLabelW = Math.min(150, Math.max(...o.columns.map((c) => textWidth(clip(c, 24), 11))));
  const top = colLabelW * 0.72 + 12;
  const left = rowLabelW + 4;
  const width = left + o.columns.length * cell + colLabelW * 0.72;
  const height = top + o.rows.length * 22 + 8;
  const range = o.columns.map((_, c) => {
    const vs = o.values.map((row) => row[c]).filter(isNum);
    return vs.length ? [Math.min(...vs), Math.max(...vs)] : [0, 1];
  });
  const parts: string[] = [];
  o.columns.forEach((c, j) => {
    const x = left + j * cell + cell / 2;
    parts.push(
      tag(
        'g',
        { class: 'col-label-g' },
        title(c),
        text(x, top - 6, clip(c, 24), {
          transform: `rotate(-45 ${x} ${top - 6})`,
          class: c === o.markedColumn ? 'col-label marked' : 'col-label',
        }),
      ),
    );
  });
  o.rows.forEach((r, i) => {
    const y = top + i * 22;
    parts.push(
      tag('g', {}, title(r), text(left - 6, y + 15, clip(r, 30), { 'text-anchor': 'end', class: 'row-label' })),
    );
    o.columns.forEach((c, j) => {
      const v = o.values[i][j];
      const [lo, hi] = range[j];
      const shade = isNum(v) ? (hi > lo ? (v - lo) / (hi - lo) : 0.5) : 0;
      const fill = isNum(v) ? blue(0.1 + 0.85 * shade) : 'rgb(221,221,221)';
      parts.push(
        tag(
          'g',
          { class: 'cell mark' },
          title(o.tooltip(r, c, v)),
          tag('rect', { x: left + j * cell, y, width: cell - 1, height: 21, fill, class: 'heat' }),
          text(left + j * cell + cell / 2, y + 15, isNum(v) ? String(Math.round(100 * v)) : '–', {
            'text-anchor': 'middle',
            class: lightTextOn(fill) ? 'cell-value light' : 'cell-value',
          }),
        ),
      );
    });
  });
  return svgRoot(width, height, o.label, o.kind, ...parts);
}
