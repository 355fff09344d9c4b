/**
 * The report in a real browser (Debian's Chromium through playwright-core): a real run on a few
 * MMLU items plus questions made of HTML and script, with the two tiny GGUF models.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { loadBenchmark } from '../../src/benchmarks/load.js';
import { readEmbeddedData } from '../../src/report/payload.js';
import type { BrowserData } from '../../src/report/browser.js';
import type { ItemResult } from '../../src/core/results.js';
import { repoRoot, runCli, sharedDir, tempDir } from '../helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = path.join(repoRoot, 'test-output', 'report');
const XSS_MODEL = 'tiny "<b>random</b>"';

const XSS_ITEMS = [
  {
    id: 'xss/script',
    subject: 'markup <i>subject</i>',
    question: '<script>alert(1)</script> Which of these is plain text?',
    choices: [
      '<img src=x onerror=alert(1)>',
      '</script><script>alert(2)</script>',
      'plain & simple',
      'line\u2028separator',
    ],
    answer: 2,
  },
  {
    id: 'xss/img',
    subject: 'markup <i>subject</i>',
    question: '<img src=x onerror=alert(1)> What does this show?',
    choices: ['<b>bold</b>', '"><svg onload=alert(3)>', '{{7*7}}', "' onmouseover='alert(4)"],
    answer: 0,
  },
];

async function buildRun(): Promise<{
  out: string;
  results: ItemResult[];
  mmlu: { id: string; subject: string; question: string; choices: string[] }[];
}> {
  const dir = tempDir('goodhart-report-');
  const mmlu = await loadBenchmark(
    {
      format: 'mmlu',
      path: path.join(sharedDir(), 'data', 'mmlu', 'data'),
      subjects: ['anatomy', 'astronomy'],
      limit: { perSubject: 4, seed: 3 },
    } as never,
    { baseDir: dir },
  );
  const rows = [
    ...mmlu.items.map((i) => ({
      id: i.id,
      subject: i.subject!,
      question: i.question,
      choices: i.choices,
      answer: i.answer,
    })),
    ...XSS_ITEMS,
  ];
  fs.writeFileSync(path.join(dir, 'questions.jsonl'), rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  fs.writeFileSync(
    path.join(dir, 'study.yaml'),
    `name: report-browser
seed: 5
benchmark:
  format: jsonl
  path: questions.jsonl
  fields: { id: id, question: question, choices: choices, answer: answer, subject: subject }
models:
  - name: stories260K
    path: \${GOODHART_SHARED}/models/stories260K.gguf
    threads: 1
  - name: '${XSS_MODEL}'
    path: \${GOODHART_SHARED}/models/llama-2-tiny-random.gguf
    threads: 1
conditions:
  - { name: base, scoring: symbol }
  - { name: pmi, scoring: cloze, normalization: pmi }
  - { name: shuffled, scoring: symbol, perturbations: [{ shuffle: { seed: 2 } }] }
  - { name: circ, scoring: symbol, perturbations: [circular] }
baseline: base
`,
  );
  const out = path.join(dir, 'out');
  const run = await runCli([
    'run',
    path.join(dir, 'study.yaml'),
    '--out',
    out,
    '--store',
    path.join(dir, 'store.sqlite'),
    '-q',
  ]);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /report\.html/);
  const results = fs
    .readFileSync(path.join(out, 'items.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as ItemResult);
  return { out, results, mmlu: rows.slice(0, mmlu.items.length) };
}

/** Pick model, condition and item in the browser by their names. */
async function pick(page: Page, data: BrowserData, model: number, condition: string, itemId: string): Promise<void> {
  await page.selectOption('#pick-model', String(model));
  await page.selectOption('#pick-condition', String(data.conditions.findIndex((c) => c.name === condition)));
  await page.selectOption('#pick-item', String(data.items.findIndex((i) => i.id === itemId)));
}

const columnValues = (page: Page, table: string, column: number) =>
  page.$$eval(
    `${table} tbody tr`,
    (rows, k) => rows.map((r) => Number((r as HTMLTableRowElement).cells[k].dataset.sort)),
    column,
  );

test('the report renders, sorts, browses items and runs no script from the data', async () => {
  assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is needed for this test: apt-get install chromium (.ci/run does it)`);
  const { out, results, mmlu } = await buildRun();
  const markdown = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
  assert.match(markdown, /## Baseline leaderboard \(base\)/);
  assert.ok(markdown.includes('tiny &quot;&lt;b&gt;random&lt;/b&gt;&quot;'), 'names are escaped in report.md');
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.doesNotMatch(html, /<script>alert|<img src=x|<svg onload|<b>/);
  const data = readEmbeddedData(html);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const dialogs: string[] = [];
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:')) requests.push(r.url());
    });
    await page.goto(pathToFileURL(path.join(out, 'report.html')).href);
    await page.waitForSelector('body[data-browser="ready"]');
    fs.mkdirSync(OUTPUT, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT, 'first-screen.png') });

    assert.equal(await page.locator('.banner').count(), 0, 'real models: no simulation banner');
    assert.match(await page.locator('header').innerText(), /report-browser/);
    await page.locator('details.about > summary').click();
    const about = await page.locator('#about').innerText();
    assert.match(about, /10 items[\s\S]*seed\s*5[\s\S]*goodhart \d[\s\S]*gguf:sha256:[\s\S]*base ★/i);
    const expectedMarks: Record<string, number> = {
      'leaderboard-baseline': 2,
      'leaderboard-robust': 2,
      gap: 2,
      bump: 2,
      heatmap: 49,
      'condition-heatmap': 14,
      'subject-heatmap': 6,
      'model-accuracy': 14,
      recall: 8,
      prior: 8,
    };
    for (const [kind, marks] of Object.entries(expectedMarks)) {
      assert.ok(await page.locator(`svg[data-chart="${kind}"]`).first().isVisible(), `${kind} is shown`);
      assert.equal(await page.locator(`svg[data-chart="${kind}"] .mark`).count(), marks, `${kind} has its marks`);
      const box = await page.locator(`svg[data-chart="${kind}"] .mark`).first().boundingBox();
      assert.ok(box && box.width > 0 && box.height > 0, `${kind} marks have a size`);
    }
    assert.ok(
      (await page.locator('svg[data-chart="model-accuracy"] .axis-label', { hasText: 'accuracy' }).count()) > 0,
      'axes are labelled',
    );
    assert.equal(await page.locator('#probe-table tbody tr').count(), 2, 'the Goodhart panel has a row per model');

    // Sort the leaderboard by accuracy, then the other way.
    const headers = await page.$$eval('#leaderboard-table thead tr:last-child th', (ths) =>
      ths.map((th) => th.textContent!.trim()),
    );
    const acc = headers.indexOf('robust %');
    const button = page.locator('#leaderboard-table thead tr:last-child th').nth(acc).locator('button');
    await button.click();
    const up = await columnValues(page, '#leaderboard-table', acc);
    assert.deepEqual(
      up,
      [...up].sort((a, b) => a - b),
    );
    assert.equal(await page.locator('#leaderboard-table th[aria-sort="ascending"]').count(), 1);
    await button.click();
    const down = await columnValues(page, '#leaderboard-table', acc);
    assert.deepEqual(
      down,
      [...up].sort((a, b) => b - a),
    );

    // An MMLU item under the shuffled condition: the prompt lists the choices in the recorded order.
    const item = mmlu[0];
    await pick(page, data, 1, 'shuffled', item.id);
    const result = results.find((r) => r.model === XSS_MODEL && r.condition === 'shuffled' && r.itemId === item.id)!;
    const expected =
      `The following are multiple choice questions (with answers) about ${item.subject.replace(/_/g, ' ')}.\n\n${item.question.trim()}\n` +
      result.order.map((o, k) => `${'ABCD'[k]}. ${item.choices[o]}`).join('\n') +
      '\nAnswer:';
    assert.equal(await page.locator('#item-prompt').textContent(), expected);
    const rows = page.locator('#item-choices tbody tr');
    assert.equal(await rows.count(), 4);
    for (let k = 0; k < 4; k++) {
      assert.equal(await rows.nth(k).locator('td').nth(1).textContent(), item.choices[result.order[k]]);
      assert.equal(
        await rows.nth(k).locator('td').nth(3).textContent(),
        result.scores[k]!.toFixed(3).replace('-', '−'),
      );
    }
    assert.match((await rows.nth(result.predicted!).locator('td').nth(4).textContent()) ?? '', /predicted/);

    // The markup items show as text under every condition, and nothing runs.
    for (const x of XSS_ITEMS) {
      await pick(page, data, 0, 'base', x.id);
      const prompt = await page.locator('#item-prompt').textContent();
      assert.ok(prompt!.includes(x.question), 'the question shows as text');
      const shown = await page.$$eval('#item-choices tbody tr td:nth-child(2)', (tds) =>
        tds.map((td) => td.textContent),
      );
      assert.deepEqual(shown, x.choices);
      for (const chip of await page.locator('#item-strip button').all()) await chip.click();
    }
    await page.fill('#pick-search', 'xss/');
    assert.equal(await page.locator('#pick-item option').count(), 2);
    await page.fill('#pick-search', '');
    await page.check('#pick-flips');
    const flips = data.flips[0].filter(Boolean).length;
    assert.equal(await page.locator('#pick-item option').count(), flips);

    const injected = await page.evaluate(() => ({
      elements: document.querySelectorAll('img, iframe, object, embed, b, i').length,
      scripts: document.querySelectorAll('script').length,
      handlers: [...document.querySelectorAll('*')].flatMap((e) =>
        [...e.attributes].filter((a) => a.name.startsWith('on')).map((a) => a.name),
      ),
    }));
    assert.deepEqual(injected, { elements: 0, scripts: 3, handlers: [] });
    assert.deepEqual(dialogs, [], 'no script from the data ran');
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, [], 'the report fetches nothing');
  } finally {
    await browser.close();
  }
});
