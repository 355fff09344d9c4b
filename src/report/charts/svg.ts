/**
 * A small SVG vocabulary for the report's charts: elements built as strings with every text and
 * attribute value escaped, linear scales, tick choice and axes. Charts are drawn server-side so
 * the report reads the same with scripts off and in print.
 */
import { escapeHtml } from '../escape.js';

export type Attrs = Record<string, string | number | boolean | null | undefined>;

/** One element; children are already-built markup. Attributes that are null/undefined/false are left out. */
export function tag(name: string, attrs: Attrs, ...children: string[]): string {
  const a = Object.entries(attrs)
    .map(([k, v]) =>
      v === null || v === undefined || v === false
        ? ''
        : ` ${k}="${escapeHtml(v === true ? k : typeof v === 'number' ? round(v) : v)}"`,
    )
    .join('');
  return children.length ? `<${name}${a}>${children.join('')}</${name}>` : `<${name}${a}/>`;
}

/** A text element whose content is escaped. */
export const text = (x: number, y: number, content: string, attrs: Attrs = {}): string =>
  tag('text', { x, y, ...attrs }, escapeHtml(content));

/** A hover tooltip (and accessible name) for the enclosing element. */
export const title = (content: string): string => tag('title', {}, escapeHtml(content));

const round = (v: number): string => String(Math.round(v * 100) / 100);

export type Scale = (v: number) => number;

export function linear(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** About `count` round ticks covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step)
    out.push(Math.round(v / step) * step);
  return out;
}

/** A domain of round numbers holding every value, clamped to [min, max]. */
export function niceDomain(values: readonly number[], min = 0, max = 1, step = 0.1): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return [min, max];
  let lo = Math.max(min, Math.floor(Math.min(...finite) / step - 1e-9) * step);
  let hi = Math.min(max, Math.ceil(Math.max(...finite) / step + 1e-9) * step);
  if (hi - lo < step) [lo, hi] = [Math.max(min, lo - step), Math.min(max, hi + step)];
  return [lo, hi];
}

/** Okabe–Ito colours, distinguishable with the common forms of colour blindness (yellow left out: too pale on white). */
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000'];
/** Beyond the palette, lines repeat colours with a dash pattern. */
const DASHES = [null, '6 3', '2 3', '8 3 2 3'];

export const colourOf = (i: number): string => PALETTE[i % PALETTE.length];
export const dashOf = (i: number): string | null => DASHES[Math.floor(i / PALETTE.length) % DASHES.length];

/** Rough width of a label at the chart font size, for laying out margins. */
export const textWidth = (s: string, size = 12): number => Math.ceil(s.length * size * 0.58);

/** Labels are cut to keep layouts sane; the full text stays in a tooltip. */
export function clip(s: string, max = 28): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

export interface AxisOptions {
  scale: Scale;
  values: number[];
  format: (v: number) => string;
  /** y of the axis line (bottom axis) and the extent of the grid lines above it. */
  y: number;
  gridTop: number;
  label?: string;
  labelX?: number;
}

/** A bottom axis with light vertical grid lines. */
export function bottomAxis(o: AxisOptions): string {
  const marks = o.values.map((v) => {
    const x = o.scale(v);
    return (
      tag('line', { x1: x, x2: x, y1: o.gridTop, y2: o.y, class: 'grid' }) +
      tag('line', { x1: x, x2: x, y1: o.y, y2: o.y + 4, class: 'tick' }) +
      text(x, o.y + 16, o.format(v), { 'text-anchor': 'middle', class: 'tick-label' })
    );
  });
  const [x0, x1] = [o.scale(o.values[0]), o.scale(o.values[o.values.length - 1])];
  const label = o.label
    ? text(o.labelX ?? (x0 + x1) / 2, o.y + 34, o.label, { 'text-anchor': 'middle', class: 'axis-label' })
    : '';
  return tag(
    'g',
    { class: 'axis' },
    ...marks,
    tag('line', { x1: x0, x2: x1, y1: o.y, y2: o.y, class: 'domain' }),
    label,
  );
}

/** The root element: scales with the page, named for screen readers. */
export function svgRoot(width: number, height: number, label: string, kind: string, ...children: string[]): string {
  return tag(
    'svg',
    {
      xmlns: 'http://www.w3.org/2000/svg',
      viewBox: `0 0 ${width} ${height}`,
      width,
      height,
      role: 'img',
      'aria-label': label,
      class: `chart chart-${kind}`,
      'data-chart': kind,
    },
    title(label),
    ...children,
  );
}

export const percentTick = (v: number): string => `${Math.round(v * 1000) / 10}%`;
