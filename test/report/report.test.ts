import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { analyzeRun } from '../../src/analysis/index.js';
import type { ItemResult } from '../../src/core/results.js';
import { renderReport } from '../../src/report/index.js';
import { readReportInput } from '../../src/report/input.js';
import { readEmbeddedData } from '../../src/report/payload.js';
import { subjectRankings } from '../../src/report/subjects.js';
import { tempDir } from '../helpers.js';
import { writeSimulatedRun } from './helpers.js';

const dataOf = (html: string) => readEmbeddedData(html);

test('the HTML report is self-contained, marks simulated models and draws every chart', async () => {
  const dir = path.join(tempDir(), 'run');
  writeSimulatedRun(dir);
  const { html } = renderReport(await readReportInput(dir));
  assert.match(html, /class="banner"[^>]*>.*Simulated models/s);
  assert.doesNotMatch(html, /\b(src|href)="(https?:)?\/\//, 'nothing is fetched');
  for (const kind of [
    'leaderboard-baseline',
    'leaderboard-robust',
    'gap',
    'bump',
    'heatmap',
    'condition-heatmap',
    'subject-heatmap',
    'model-accuracy',
    'recall',
    'prior',
  ]) {
    assert.match(html, new RegExp(`data-chart="${kind}"`), `has the ${kind} chart`);
  }
  // The CSP allows exactly the inline script that is there.
  const script = html.match(/<script>([\s\S]*)<\/script>\s*<\/body>/)![1];
  const hash = createHash('sha256').update(script, 'utf8').digest('base64');
  assert.ok(html.replace(/&#39;/g, "'").includes(`script-src 'sha256-${hash}'`));
  const data = dataOf(html);
  assert.equal(data.items.length, 40);
  assert.equal(data.results.length, 3);
  assert.equal(data.prompts[0][0], null, 'no study to re-render prompts from');
  assert.match(html, /no study to re-render its prompts from/);
});

test('big runs embed a capped number of items and say which', async () => {
  const dir = path.join(tempDir(), 'run');
  writeSimulatedRun(dir);
  const input = await readReportInput(dir, { maxItems: 10 });
  const data = dataOf(renderReport(input).html);
  assert.equal(data.items.length, 10);
  assert.match(data.note, /^10 of 40 items are included: /);
  // Items whose answer changes for some model come first (the simulated run has more than 10).
  assert.ok(data.items.every((_: unknown, i: number) => data.flips.some((f) => f[i])));
  assert.match(data.note, /the first 10 of the \d+ items whose answer changes/);
});

test('an analysis.json written by the run is used as is', async () => {
  const dir = path.join(tempDir(), 'run');
  const summary = writeSimulatedRun(dir);
  const items = fs
    .readFileSync(path.join(dir, 'items.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ItemResult);
  const analysis = analyzeRun(
    { items, conditions: summary.conditions, baseline: summary.baseline },
    { seed: 1, bootstrap: 17 },
  );
  fs.writeFileSync(path.join(dir, 'analysis.json'), JSON.stringify(analysis));
  const { html } = renderReport(await readReportInput(dir));
  assert.match(html, /17 paired bootstrap resamples/);
});

test('per-subject rankings put the subject where conditions disagree most first', () => {
  const results: ItemResult[] = [];
  // In "flips" model b wins at the baseline and a under "other"; in "steady" a wins under both.
  const outcome: Record<string, Record<string, Record<string, boolean>>> = {
    flips: { base: { a: false, b: true }, other: { a: true, b: false } },
    steady: { base: { a: true, b: false }, other: { a: true, b: false } },
  };
  for (const subject of ['steady', 'flips']) {
    for (const condition of ['base', 'other']) {
      for (const model of ['a', 'b']) {
        results.push({
          model,
          condition,
          itemId: `${subject}/1`,
          subject,
          order: [0, 1],
          goldPosition: 0,
          scores: [0, -1],
          predicted: 0,
          correct: outcome[subject][condition][model],
          tie: false,
        });
      }
    }
  }
  const rankings = subjectRankings(results, ['a', 'b'], ['base', 'other'], 'base');
  assert.deepEqual(
    rankings.map((s) => s.subject),
    ['flips', 'steady'],
  );
  assert.equal(rankings[0].minTau, -1);
  assert.equal(rankings[0].minTauCondition, 'other');
  assert.deepEqual(rankings[0].ranks, [
    [2, 1],
    [1, 2],
  ]);
  assert.equal(rankings[1].meanTau, 1);
});
