/**
 * The report as a reader meets it, in a real browser (Debian's Chromium through playwright-core):
 * the answer on the first screen, nothing wider than the window on a laptop or a phone, links to
 * a picked item, and tables as CSV files.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { writeReport } from '../../src/report/index.js';
import { readEmbeddedData } from '../../src/report/payload.js';
import { repoRoot, tempDir } from '../helpers.js';
import { writeSimulatedRun } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = path.join(repoRoot, 'test-output', 'report');
// A long name, one with a right-to-left override, and one with characters a URL must encode.
const NAMES: Record<string, string> = {
  'model-02': 'a-rather-long-model-name-with-many-parts_5shots',
  'model-03': 'right\u202Eto left',
  'model-04': 'm #4 & co?',
};

let browser: Browser;
const runs: Record<string, string> = {};

before(async () => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is needed for this test: apt-get install chromium (.ci/run does it)`);
  const root = tempDir('goodhart-layout-');
  runs.multi = path.join(root, 'multi');
  writeSimulatedRun(runs.multi, { models: 12, conditions: 8, items: 120, subjects: 6 }, (m) => NAMES[m] ?? m);
  runs.single = path.join(root, 'single');
  writeSimulatedRun(runs.single, { models: 29, conditions: 1, items: 300, subjects: 14 }, (m) => NAMES[m] ?? m);
  for (const dir of Object.values(runs)) await writeReport(dir);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  fs.mkdirSync(OUTPUT, { recursive: true });
});

after(async () => {
  await browser?.close();
});

async function open(run: string, width: number, height: number, hash = ''): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height }, acceptDownloads: true });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(path.join(runs[run], 'report.html')).href + hash);
  await page.waitForSelector('body[data-browser="ready"]');
  assert.deepEqual(errors, []);
  return page;
}

test('the first screen at 1440 × 900 holds the headline and the top of the leading leaderboard', async () => {
  for (const run of ['multi', 'single']) {
    const page = await open(run, 1440, 900);
    await page.screenshot({ path: path.join(OUTPUT, `first-screen-${run}.png`) });
    const headline = await page.locator('#headline').boundingBox();
    assert.ok(
      headline && headline.y >= 0 && headline.y + headline.height <= 900,
      `${run}: the headline is on the first screen`,
    );
    assert.match(
      await page.locator('#headline').innerText(),
      run === 'multi' ? /leads the robust leaderboard/ : /leads 29 models/,
    );
    const rows = page.locator('#leaderboard-table tbody tr');
    for (let k = 0; k < 3; k++) {
      const box = await rows.nth(k).boundingBox();
      assert.ok(box && box.y + box.height <= 900, `${run}: leaderboard row ${k + 1} is on the first screen`);
    }
    if (run === 'multi') assert.match(await page.locator('#leaderboard h2').innerText(), /^Robust leaderboard/);
    // What was run is there, collapsed.
    assert.equal(await page.locator('details.about').getAttribute('open'), null);
    await page.close();
  }
});

test('nothing is wider than the window at 1440 and 390 px; narrow screens drop secondary columns and say so', async () => {
  for (const run of ['multi', 'single']) {
    for (const [width, height] of [
      [1440, 900],
      [390, 844],
    ]) {
      const page = await open(run, width, height);
      // Open everything collapsed, so hidden content is measured too.
      await page.evaluate(() =>
        document.querySelectorAll('details').forEach((d) => {
          d.open = true;
        }),
      );
      const overflow = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        tables: [...document.querySelectorAll('.table-wrap')]
          .filter((w) => w.scrollWidth > w.clientWidth + 1)
          .map((w) => w.querySelector('table')?.id || w.querySelector('table')?.getAttribute('data-csv')),
      }));
      assert.ok(overflow.page <= width, `${run} at ${width}: page is ${overflow.page} px wide`);
      if (width === 1440) assert.deepEqual(overflow.tables, [], `${run} at 1440: no table scrolls sideways`);
      else {
        assert.ok(
          !overflow.tables.includes('leaderboard-table') && !overflow.tables.includes('robust-leaderboard'),
          `${run} at 390: the leaderboard fits (${overflow.tables})`,
        );
        assert.ok(await page.locator('#leaderboard .narrow-cue').isVisible(), 'the hidden columns are named');
        assert.equal(await page.locator('#leaderboard-table th.secondary').first().isVisible(), false);
      }
      await page.screenshot({ path: path.join(OUTPUT, `${run}-${width}.png`) });
      await page.close();
    }
  }
});

test('a picked model, condition and item is a link that opens the same view', async () => {
  const page = await open('multi', 1280, 900);
  const data = readEmbeddedData(fs.readFileSync(path.join(runs.multi, 'report.html'), 'utf8'));
  const model = data.models.indexOf(NAMES['model-04']);
  const condition = data.conditions.length - 1;
  const item = 7;
  await page.selectOption('#pick-model', String(model));
  await page.selectOption('#pick-condition', String(condition));
  await page.selectOption('#pick-item', String(item));
  const url = page.url();
  const params = new URLSearchParams(new URL(url).hash.slice(1));
  assert.deepEqual(
    [params.get('model'), params.get('condition'), params.get('item')],
    [NAMES['model-04'], data.conditions[condition].name, data.items[item].id],
  );
  await page.close();

  const again = await open('multi', 1280, 900, new URL(url).hash);
  assert.equal(await again.inputValue('#pick-model'), String(model));
  assert.equal(await again.inputValue('#pick-condition'), String(condition));
  assert.equal(await again.inputValue('#pick-item'), String(item));
  assert.equal(await again.locator('#item-title').textContent(), data.items[item].id);
  const r = data.results[model][condition][item]!;
  assert.equal(
    await again.locator('#item-choices tbody tr').nth(0).locator('td').nth(3).textContent(),
    r.scores[0]!.toFixed(3).replace('-', '−'),
  );
  // A search that matches nothing shows no item rather than the last one.
  await again.fill('#pick-search', 'no item has this text');
  assert.equal(await again.locator('#item-view').isVisible(), false);
  assert.match((await again.locator('#item-count').textContent()) ?? '', /^No item matches/);
  await again.close();
});

test('every table downloads as CSV, rows as shown', async () => {
  const page = await open('multi', 1440, 900);
  const tables = await page.locator('table[data-csv]').count();
  assert.equal(await page.locator('button.csv').count(), tables);
  const download = page.waitForEvent('download');
  await page.locator('#leaderboard-table').locator('xpath=../following-sibling::button[1]').click();
  const file = await download;
  assert.equal(file.suggestedFilename(), 'robust-leaderboard.csv');
  const csv = fs
    .readFileSync((await file.path())!, 'utf8')
    .trimEnd()
    .split('\r\n');
  const header = csv[0].split(',');
  assert.deepEqual(header.slice(0, 3), ['robust rank', 'robust model', 'robust robust %']);
  const shown = await page.$$eval('#leaderboard-table tbody tr', (rows) =>
    rows.map((r) => (r as HTMLTableRowElement).cells[1].textContent!.trim()),
  );
  assert.equal(csv.length, 1 + shown.length);
  // The right-to-left name arrives as its own text, without the isolates used on screen.
  assert.deepEqual(
    csv.slice(1).map((line) => line.match(/^\d+,("(?:[^"]|"")*"|[^,]*)/)![1].replace(/^"|"$/g, '')),
    shown,
  );
  assert.ok(csv.some((line) => line.includes(NAMES['model-03'])));
  await page.close();
});

test('flag text and tied-group marks meet WCAG AA contrast', async () => {
  const page = await open('multi', 1440, 900);
  // A string, so the page runs exactly this code (no helpers added by the test's compiler).
  const ratio = (await page.evaluate(`(() => {
    const lum = (c) => {
      const [r, g, b] = c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map((x) => Number(x) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const contrast = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
    const probe = document.createElement('span');
    probe.className = 'flag';
    document.body.append(probe);
    const flag = getComputedStyle(probe).color;
    const edge = getComputedStyle(document.querySelector('svg .band-edge')).stroke;
    const band = getComputedStyle(document.querySelector('svg .band-even')).fill;
    return { flag: contrast(flag, 'rgb(255,255,255)'), flagOnBand: contrast(flag, band), edge: contrast(edge, 'rgb(255,255,255)') };
  })()`)) as { flag: number; flagOnBand: number; edge: number };
  assert.ok(
    ratio.flag >= 4.5 && ratio.flagOnBand >= 4.5,
    `flag text ${ratio.flag.toFixed(2)}:1, on a band ${ratio.flagOnBand.toFixed(2)}:1`,
  );
  assert.ok(ratio.edge >= 3, `tied-group edge ${ratio.edge.toFixed(2)}:1`);
  await page.close();
});
