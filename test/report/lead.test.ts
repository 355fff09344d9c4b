import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { ItemResult } from '../../src/core/results.js';
import { browserData } from '../../src/report/browser.js';
import { headline, headlineHtml, headlineText } from '../../src/report/headline.js';
import { renderReport } from '../../src/report/index.js';
import { readReportInput } from '../../src/report/input.js';
import { packBrowserData, readEmbeddedData, unpackBrowserData } from '../../src/report/payload.js';
import { spreadLabels } from '../../src/report/charts/bump.js';
import { runCli, tempDir } from '../helpers.js';
import { writeSimulatedRun } from './helpers.js';

const readItems = (dir: string) =>
  fs
    .readFileSync(path.join(dir, 'items.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ItemResult);
const writeItems = (dir: string, items: ItemResult[]) =>
  fs.writeFileSync(path.join(dir, 'items.jsonl'), items.map((r) => JSON.stringify(r)).join('\n') + '\n');

test('the embedded item data reads back: every result, its scores at three decimals', async () => {
  const dir = path.join(tempDir(), 'run');
  writeSimulatedRun(dir, { unscoredRate: 0.1 });
  const input = await readReportInput(dir);
  const data = browserData(
    input.items,
    input.analysis.models,
    input.summary.conditions,
    input.summary.baseline,
    input.prompts,
    1000,
  );
  const packed = packBrowserData(data);
  const back = unpackBrowserData(packed.json, packed.scores);
  const round = (x: number | null) => (x === null || !Number.isFinite(x) ? null : Math.round(x * 1000) / 1000);
  assert.deepEqual(
    back.results,
    data.results.map((m) => m.map((c) => c.map((r) => r && { ...r, scores: r.scores.map(round) }))),
  );
  assert.deepEqual(back.flips, data.flips);
  assert.deepEqual(back.items, data.items);
  assert.ok(
    data.results.flat(2).some((r) => r?.correct === null),
    'unscored results are among them',
  );
  // The report carries the same data.
  assert.deepEqual(readEmbeddedData(renderReport(input).html).results, back.results);
});

test('the headline states the figures of the analysis, names isolated', async () => {
  const dir = path.join(tempDir(), 'run');
  const rlo = 'evil\u202Eledom';
  writeSimulatedRun(dir, { models: 4, conditions: 5 }, (m) => (m === 'model-01' ? rlo : m));
  const input = await readReportInput(dir);
  const a = input.analysis;
  const text = headlineText(headline(a));
  assert.match(
    text,
    new RegExp(
      `^${a.rankShifts.modelsMovedBeyondNoise} of 4 models swap order with another model beyond noise.*\\(${a.rankShifts.modelsMoved} change rank at all`,
    ),
  );
  const robustLeader = a.robust!.entries[0].model;
  assert.ok(text.includes(`\u2068${robustLeader}\u2069 leads the robust leaderboard`), text);
  const biggest = a.goodhartGap.reduce((x, y) => (y.gap > x.gap ? y : x));
  assert.ok(text.includes(`Goodhart gap is \u2068${biggest.model}\u2069's`), text);
  const html = renderReport(input).html;
  // Every occurrence of the hostile name in the headline sits inside <bdi>.
  const head = html.match(/<p class="headline" id="headline">([\s\S]*?)<\/p>/)![1];
  assert.equal(head, headlineHtml(headline(a)));
  assert.equal(head.split(rlo).length - 1, head.split(`<bdi>${rlo}</bdi>`).length - 1);
  assert.ok(head.includes(`<bdi>${robustLeader}</bdi>`));
  // The headline and the robust leaderboard come before what was run.
  assert.ok(html.indexOf('id="headline"') < html.indexOf('id="leaderboard-table"'));
  assert.ok(html.indexOf('id="leaderboard-table"') < html.indexOf('id="models-table"'));
  assert.match(html, /<details class="about">/);
});

test('the leading table is in robust rank order and the gap table largest first', async () => {
  const dir = path.join(tempDir(), 'run');
  writeSimulatedRun(dir, { models: 6, conditions: 6 });
  const input = await readReportInput(dir);
  const html = renderReport(input).html;
  const table = (csv: string) => html.match(new RegExp(`data-csv="${csv}">[\\s\\S]*?</table>`))![0];
  const firstColumn = (t: string, k: number) =>
    [...t.matchAll(/<tr[^>]*><td[\s\S]*?<\/tr>/g)].map((row) => [...row[0].matchAll(/data-sort="([^"]*)"/g)][k]?.[1]);
  const ranks = firstColumn(table('robust-leaderboard'), 0).map(Number);
  assert.deepEqual(
    ranks,
    [...ranks].sort((x, y) => x - y),
  );
  const names = [...table('robust-leaderboard').matchAll(/class="name"><bdi>([^<]*)<\/bdi>/g)].map((m) => m[1]);
  assert.deepEqual(
    names,
    input.analysis.robust!.entries.map((e) => e.model),
  );
  const gaps = [...table('goodhart-gap').matchAll(/<tr[^>]*>[\s\S]*?<\/tr>/g)]
    .slice(1)
    .map((row) => Number([...row[0].matchAll(/data-sort="([^"]*)"/g)][2][1]));
  assert.equal(gaps.length, 6);
  assert.deepEqual(
    gaps,
    [...gaps].sort((x, y) => y - x),
  );
});

test('a single-condition run shows subjects and the items every model fails, and no empty panels', async () => {
  const dir = path.join(tempDir(), 'run');
  writeSimulatedRun(dir, { models: 4, conditions: 1, items: 60 });
  // Two items every model gets wrong.
  const items = readItems(dir).map((r) =>
    r.itemId === 'sim/3' || r.itemId === 'sim/8' ? { ...r, correct: false } : r,
  );
  writeItems(dir, items);
  const { html, markdown } = renderReport(await readReportInput(dir));
  for (const kind of ['leaderboard-robust', 'bump', 'gap', 'model-accuracy', 'recall', 'condition-heatmap']) {
    assert.doesNotMatch(html, new RegExp(`data-chart="${kind}"`), `no ${kind} chart`);
  }
  assert.match(html, /data-chart="subject-heatmap"/);
  assert.match(html, /data-chart="leaderboard-baseline"/);
  assert.doesNotMatch(html, />robust %</);
  const wrong = html.match(/<section id="all-wrong">[\s\S]*?<\/section>/)![0];
  const expected = [...new Set(items.map((r) => r.itemId))].filter((id) =>
    items.filter((r) => r.itemId === id).every((r) => r.correct === false),
  );
  assert.ok(expected.includes('sim/3') && expected.includes('sim/8'));
  assert.match(wrong, new RegExp(`${expected.length} items of 60 are answered wrongly by all\\s+4 models`));
  assert.deepEqual(
    [...wrong.matchAll(/<td class="name mono"><bdi>([^<]*)</g)].map((m) => m[1]).sort(),
    expected.sort(),
  );
  assert.match(markdown, /leads 4 models on 60 items/);
});

test('report --compare: models added and removed, paired changes, rank moves beyond noise', async () => {
  const root = tempDir();
  const a = path.join(root, 'a');
  const b = path.join(root, 'b');
  writeSimulatedRun(a, { models: 4, conditions: 3, items: 200 });
  writeSimulatedRun(b, { models: 4, conditions: 3, items: 200 }, (m) => (m === 'model-04' ? 'model-old' : m));
  // In B, model-01 gets every item wrong: it falls in rank beyond noise and loses accuracy.
  writeItems(
    b,
    readItems(b).map((r) => (r.model === 'model-01' ? { ...r, correct: false } : r)),
  );
  const run = await runCli(['report', a, '--compare', b]);
  assert.equal(run.code, 0, run.stderr);
  const html = fs.readFileSync(path.join(a, 'report.html'), 'utf8');
  const section = html.match(/<section id="compare">[\s\S]*?<\/section>/)![0];
  assert.match(
    section,
    /Models added here: <bdi>model-04<\/bdi>\. Models only in the other run: <bdi>model-old<\/bdi>\./,
  );
  assert.match(section, /1 model \(<bdi>model-01<\/bdi>\)/);
  const row = section.match(/<tr[^>]*><td class="name"><bdi>model-01<\/bdi>[\s\S]*?<\/tr>/)![0];
  const cells = [...row.matchAll(/data-sort="([^"]*)"/g)].map((m) => Number(m[1]));
  const scored = (dir: string) =>
    new Set(
      readItems(dir)
        .filter((r) => r.model === 'model-01' && r.condition === 'baseline' && r.correct !== null)
        .map((r) => r.itemId),
    );
  const shared = [...scored(a)].filter((id) => scored(b).has(id)).length;
  assert.ok(shared > 150);
  assert.equal(cells[0], shared, 'the items both runs scored');
  assert.equal(cells[2], 0, 'nothing right in the other run');
  assert.ok(cells[4] > 0, 'the paired interval is above zero');
  assert.match(row, /moved/);

  const bad = await runCli(['report', a, '--compare', root]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr.split('\n')[0], /--compare: no summary\.json in .*: is this a run folder\?/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
});

test('bump chart end labels keep a line apart', () => {
  assert.deepEqual(spreadLabels([10, 12, 13, 50], 14), [10, 24, 38, 52]);
  assert.deepEqual(spreadLabels([0, 30, 60], 14), [0, 30, 60]);
});
