/**
 * The design section (from design.json, written by `goodhart design`): the recommendation, each
 * candidate protocol's stability and items needed, and two charts — expected τ between
 * replications by number of items, and the robust ranking's τ by number of perturbation conditions.
 */
import type { Design } from '../../analysis/design.js';
import { escapeHtml } from '../escape.js';
import { spreadLabels } from '../charts/bump.js';
import { bottomAxis, clip, colourOf, dashOf, linear, svgRoot, tag, text, ticks, title } from '../charts/svg.js';
import { htmlTable } from './table.js';

const count = (n: number | null) => (n === null ? 'never' : n.toLocaleString('en-US'));
const fixed = (x: number | null, d = 2) => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(d));

interface Line {
  label: string;
  points: [number, number][];
}

/** A small line chart of τ (0–1) against x; `logX` for item counts. */
function tauChart(lines: Line[], o: { xLabel: string; logX: boolean; label: string; marker?: number }): string {
  const width = 640;
  const height = 260;
  const left = 48;
  const right = 160;
  const top = 12;
  const bottom = 44;
  const xs = lines.flatMap((l) => l.points.map(([x]) => x));
  const tx = (v: number) => (o.logX ? Math.log10(v) : v);
  const x = linear([tx(Math.min(...xs)), tx(Math.max(...xs))], [left, width - right]);
  const y = linear([0, 1], [height - bottom, top]);
  const xTicks = o.logX
    ? [100, 300, 1000, 3000, 10000, 30000, 100000].filter((v) => v >= Math.min(...xs) && v <= Math.max(...xs))
    : ticks(Math.min(...xs), Math.max(...xs), 6).filter(Number.isInteger);
  const axis = bottomAxis({
    scale: (v) => x(tx(v)),
    values: xTicks,
    format: (v) => v.toLocaleString('en-US'),
    y: height - bottom,
    gridTop: top,
    label: o.xLabel,
  });
  const yAxis = [0, 0.25, 0.5, 0.75, 1]
    .map(
      (v) =>
        tag('line', { x1: left, x2: width - right, y1: y(v), y2: y(v), class: 'grid' }) +
        text(left - 6, y(v) + 4, v.toFixed(2), { 'text-anchor': 'end', class: 'tick-label' }),
    )
    .join('');
  const marker =
    o.marker === undefined
      ? ''
      : tag('line', {
          x1: x(tx(o.marker)),
          x2: x(tx(o.marker)),
          y1: top,
          y2: height - bottom,
          class: 'marker',
          'stroke-dasharray': '3 3',
          stroke: '#555',
        });
  // End labels in the order of their lines' last points, pushed apart where they would overlap.
  const ends = lines.map((l, i) => ({ i, y: y(l.points[l.points.length - 1][1]) })).sort((a, b) => a.y - b.y);
  const labelY = new Map(
    spreadLabels(
      ends.map((e) => e.y),
      13,
    ).map((v, k) => [ends[k].i, v]),
  );
  const paths = lines.map((l, i) => {
    const d = l.points.map(([px, py], k) => `${k ? 'L' : 'M'}${x(tx(px)).toFixed(1)},${y(py).toFixed(1)}`).join('');
    return tag(
      'g',
      { class: 'series' },
      tag(
        'path',
        { d, fill: 'none', stroke: colourOf(i), 'stroke-width': 2, 'stroke-dasharray': dashOf(i) },
        title(l.label),
      ),
      text(width - right + 6, (labelY.get(i) ?? 0) + 4, clip(l.label, 22), {
        fill: colourOf(i),
        class: 'series-label',
      }),
    );
  });
  return svgRoot(
    width,
    height,
    o.label,
    'design',
    yAxis,
    axis,
    marker,
    ...paths,
    text(12, top + (height - bottom - top) / 2, 'expected τ', {
      transform: `rotate(-90 12 ${top + (height - bottom - top) / 2})`,
      'text-anchor': 'middle',
      class: 'axis-label',
    }),
  );
}

export function designSection(d: Design | null): string {
  if (!d) return '';
  const s = d.settings;
  const recommendation = `<ul class="headline-list">${d.recommendation.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`;
  const table = htmlTable({
    id: 'design-protocols',
    caption: `Stability of each candidate protocol (τ: expected Kendall τ between two independent replications of ${d.items.toLocaleString('en-US')} items)`,
    columns: [
      { text: 'protocol' },
      { text: 'τ', numeric: true },
      { text: 'τ, new conditions', numeric: true, cls: 'secondary' },
      { text: 'split-half τ observed / predicted', numeric: true, cls: 'secondary' },
      { text: 'median rank-interval width', numeric: true, cls: 'secondary' },
      { text: 'separable adjacent pairs', numeric: true },
      { text: `items for ${Math.round(s.pairShare * 100)}% of pairs`, numeric: true },
      { text: `items for ${(s.targetSeparation * 100).toFixed(1)} points`, numeric: true, cls: 'secondary' },
      { text: `items for τ ${s.targetTau}`, numeric: true },
    ],
    rows: d.candidates.map((c) => [
      { text: c.name, cls: 'name' },
      { text: fixed(c.expectedTau), sort: c.expectedTau },
      { text: fixed(c.expectedTauNewConditions), sort: c.expectedTauNewConditions },
      `${fixed(c.splitHalf.observed)} / ${fixed(c.splitHalf.predicted)}`,
      { text: fixed(c.medianRankIntervalWidth, 1), sort: c.medianRankIntervalWidth },
      { text: `${c.separableAdjacentPairs} of ${c.adjacentPairs.length}`, sort: c.separableAdjacentPairs },
      { text: count(c.itemsForPairShare), sort: c.itemsForPairShare ?? Infinity },
      { text: count(c.itemsForTargetSeparation), sort: c.itemsForTargetSeparation ?? Infinity },
      { text: count(c.itemsForTargetTau), sort: c.itemsForTargetTau ?? Infinity },
    ]),
  });
  const byItems = tauChart(
    d.candidates.map((c) => ({ label: c.name, points: c.tauByItems.map((p) => [p.items, p.tau] as [number, number]) })),
    {
      xLabel: 'items per replication',
      logX: true,
      label: 'Expected τ between replications by number of items',
      marker: d.items,
    },
  );
  const curve = d.conditionsNeeded;
  const byConditions = curve
    ? tauChart(
        [
          {
            label: `${d.items.toLocaleString('en-US')} items`,
            points: curve.byConditions.map((r) => [r.conditions, r.tau] as [number, number]),
          },
          {
            label: 'unlimited items',
            points: curve.byConditions.map((r) => [r.conditions, r.tauUnlimitedItems] as [number, number]),
          },
        ],
        {
          xLabel: 'perturbation conditions',
          logX: false,
          label: 'Robust ranking: expected τ by number of perturbation conditions',
          marker: curve.perturbations.length,
        },
      ) +
      `<p class="note">${escapeHtml(`Settles (within 0.01 of τ ${fixed(curve.tauUnlimitedConditions)} with unlimited conditions) at ${curve.conditionsToSettle ?? 'more than 1000'} conditions; the pilot has ${curve.perturbations.length} (${curve.perturbations.join(', ')}).`)}</p>`
    : '<p class="note">No perturbation conditions in this run: how many a robust score needs is not applicable.</p>';
  const pairs = d.candidates
    .map((c) =>
      htmlTable({
        id: `design-pairs-${c.name}`,
        caption: `Items needed per adjacent pair under ${c.name} (power ${s.power}, α ${s.alpha} per pair, if the true difference is the pilot's)`,
        columns: [
          { text: 'pair' },
          { text: 'difference', numeric: true },
          { text: 'Holm p', numeric: true },
          { text: 'power now', numeric: true },
          { text: 'items needed', numeric: true },
          { text: 'range', numeric: true, cls: 'secondary' },
        ],
        rows: c.adjacentPairs.map((p) => [
          { text: `${p.a} > ${p.b}`, cls: 'name' },
          { text: (p.difference * 100).toFixed(1), sort: p.difference },
          { text: fixed(p.holmP, 3), sort: p.holmP },
          { text: fixed(p.powerAtPilot), sort: p.powerAtPilot },
          { text: count(p.itemsNeeded), sort: p.itemsNeeded ?? Infinity },
          `${count(p.itemsNeededRange[0])}–${count(p.itemsNeededRange[1])}`,
        ]),
      }),
    )
    .join('');
  return (
    `<section id="design"><h2>Designing the leaderboard</h2>${recommendation}${table}` +
    `<div class="chart-row">${byItems}${byConditions}</div>` +
    `<details><summary>Items needed per adjacent pair</summary>${pairs}</details>` +
    `<p class="note">${escapeHtml('From goodhart design on this run as a pilot; formulas and their checks against simulated replications in docs/design.md.')}</p></section>`
  );
}
