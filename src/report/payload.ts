/**
 * The item browser's data as it is embedded in report.html: compact, so a report of 30 models ×
 * 30 conditions × 300 items stays a few megabytes. Each result keeps an index into a table of
 * choice layouts (order, labels, gold; the same for every model as a rule), a prediction code and
 * its scores at the three decimals the report shows, written as zigzag varints. Both parts are
 * gzip-compressed and base64-encoded; the report's script inflates them with DecompressionStream.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { BrowserData, BrowserResult } from './browser.js';

/** What the page's JSON part holds; `results` is rebuilt from `layout`, `outcome` and the score stream. */
export interface PackedData extends Omit<BrowserData, 'results' | 'flips'> {
  layouts: { order: number[]; labels: string[] | null; gold: number; scores: number }[];
  /** layout[m][c][i]: index into `layouts`, −1 when there is no result. */
  layout: number[][][];
  /** outcome[m][c][i] = predicted + 1 (0: none), × 6, + correct (0 wrong, 1 right, 2 unscored) × 2 + tie. */
  outcome: number[][][];
  /** flips[m]: one character per item, "1" when the model's answer changes between conditions. */
  flips: string[];
}

const SCORE_SCALE = 1000;

function pushVarint(out: number[], value: number | null): void {
  // 0 is null; otherwise zigzag of the scaled integer, plus one.
  if (value === null || !Number.isFinite(value)) {
    out.push(0);
    return;
  }
  const v = Math.round(value * SCORE_SCALE);
  let z = (v >= 0 ? 2 * v : -2 * v - 1) + 1;
  while (z >= 128) {
    out.push((z % 128) | 128);
    z = Math.floor(z / 128);
  }
  out.push(z);
}

export function packBrowserData(data: BrowserData): { json: string; scores: string } {
  const layouts: PackedData['layouts'] = [];
  const layoutIndex = new Map<string, number>();
  const bytes: number[] = [];
  const layoutOf = (r: BrowserResult): number => {
    const key = JSON.stringify([r.order, r.labels, r.gold, r.scores.length]);
    let k = layoutIndex.get(key);
    if (k === undefined) {
      layoutIndex.set(key, (k = layouts.length));
      layouts.push({ order: r.order, labels: r.labels, gold: r.gold, scores: r.scores.length });
    }
    return k;
  };
  const layout = data.results.map((byCondition) =>
    byCondition.map((byItem) =>
      byItem.map((r) => {
        if (!r) return -1;
        for (const s of r.scores) pushVarint(bytes, s);
        return layoutOf(r);
      }),
    ),
  );
  const outcome = data.results.map((byCondition) =>
    byCondition.map((byItem) =>
      byItem.map((r) =>
        r === null
          ? 0
          : ((r.predicted ?? -1) + 1) * 6 + (r.correct === null ? 2 : r.correct ? 1 : 0) * 2 + (r.tie ? 1 : 0),
      ),
    ),
  );
  const { results: _results, flips, ...rest } = data;
  const packed: PackedData = {
    ...rest,
    layouts,
    layout,
    outcome,
    flips: flips.map((f) => f.map((x) => (x ? '1' : '0')).join('')),
  };
  return {
    json: gzipSync(JSON.stringify(packed), { level: 9 }).toString('base64'),
    scores: gzipSync(Buffer.from(bytes), { level: 9 }).toString('base64'),
  };
}

/** The inverse of packBrowserData, for tests and tools that read a report back. */
export function unpackBrowserData(json: string, scores: string): BrowserData {
  const p = JSON.parse(gunzipSync(Buffer.from(json, 'base64')).toString('utf8')) as PackedData;
  const bytes = gunzipSync(Buffer.from(scores, 'base64'));
  let at = 0;
  const next = (): number | null => {
    let z = 0;
    let mul = 1;
    for (;;) {
      const b = bytes[at++];
      z += (b & 127) * mul;
      if (b < 128) break;
      mul *= 128;
    }
    if (z === 0) return null;
    const v = z - 1;
    return (v % 2 === 0 ? v / 2 : -(v + 1) / 2) / SCORE_SCALE;
  };
  const { layouts, layout, outcome, flips, ...rest } = p;
  const results = layout.map((byCondition, m) =>
    byCondition.map((byItem, c) =>
      byItem.map((k, i): BrowserResult | null => {
        if (k < 0) return null;
        const l = layouts[k];
        const code = outcome[m][c][i];
        const correct = Math.floor(code / 2) % 3;
        return {
          order: l.order,
          labels: l.labels,
          gold: l.gold,
          scores: Array.from({ length: l.scores }, next),
          predicted: Math.floor(code / 6) - 1 < 0 ? null : Math.floor(code / 6) - 1,
          correct: correct === 2 ? null : correct === 1,
          tie: code % 2 === 1,
        };
      }),
    ),
  );
  return { ...rest, results, flips: flips.map((f) => [...f].map((x) => x === '1')) };
}

/** The embedded data of a written report.html. */
export function readEmbeddedData(html: string): BrowserData {
  const part = (id: string) =>
    html.match(new RegExp(`<script type="application/gzip" id="${id}">([^<]*)</script>`))?.[1];
  const json = part('report-data');
  const scores = part('report-scores');
  if (json === undefined || scores === undefined) throw new Error('no embedded item data in this report');
  return unpackBrowserData(json, scores);
}
