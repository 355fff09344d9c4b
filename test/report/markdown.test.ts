import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { readReportInput } from '../../src/report/input.js';
import { markdownTable, renderMarkdown } from '../../src/report/markdown.js';
import { subjectRankings } from '../../src/report/subjects.js';
import { tempDir } from '../helpers.js';
import { writeSimulatedRun } from './helpers.js';

/** The cells of a Markdown table row, splitting on unescaped pipes. */
const cellsOf = (line: string): string[] => line.slice(2, -2).split(/(?<!\\) \| /);

test('markdownTable aligns numeric columns right and escapes every cell', () => {
  const md = markdownTable(
    ['model', 'acc %'],
    [
      ['a|b', '12.5'],
      ['<i>x</i>', '7.0'],
    ],
    [false, true],
  );
  assert.equal(
    md,
    ['| model | acc % |', '| --- | ---: |', '| a\\|b | 12.5 |', '| &lt;i&gt;x&lt;/i&gt; | 7.0 |'].join('\n'),
  );
});

test('report.md has the key tables with one cell per column, even for hostile model names', async () => {
  const dir = path.join(tempDir(), 'run');
  writeSimulatedRun(dir, {}, (m) => (m === 'model-02' ? 'pipe|<b>bold</b>\nnewline' : m));
  const input = await readReportInput(dir);
  const md = renderMarkdown(
    input,
    subjectRankings(
      input.items,
      input.analysis.models,
      input.analysis.conditions.map((c) => c.name),
      input.summary.baseline,
    ),
  );
  for (const heading of [
    '## Baseline leaderboard',
    '## Robust leaderboard',
    '## Goodhart gap',
    '## Accuracy by condition',
    '## Rank under each condition',
    '## Agreement with the baseline',
    '## Subjects where the rankings disagree most',
  ]) {
    assert.ok(md.includes(heading), `has ${heading}`);
  }
  assert.match(md, /^> \*\*Simulated models:\*\*/m, 'a simulated run says so');
  assert.doesNotMatch(md, /<b>/);
  // Every table row has as many cells as its header.
  const lines = md.split('\n');
  const isRule = (line: string | undefined) => line !== undefined && /^\|( ---:? \|)+$/.test(line);
  assert.equal(lines.filter(isRule).length, 8, 'eight tables');
  for (let i = 0; i < lines.length; i++) {
    if (!isRule(lines[i + 1])) continue;
    const width = cellsOf(lines[i]).length;
    for (let j = i + 2; j < lines.length && lines[j].startsWith('| '); j++)
      assert.equal(cellsOf(lines[j]).length, width, lines[j]);
  }
  const base = lines.slice(lines.findIndex((l) => l.startsWith('## Baseline leaderboard')));
  assert.equal(base[2], '| rank | model | accuracy % | 95% CI | rank CI | tied group |');
  assert.equal(base.slice(4).filter((l) => l.startsWith('| ')).length >= 3, true);
  assert.ok(md.includes('pipe\\|&lt;b&gt;bold&lt;/b&gt; newline'));
});
