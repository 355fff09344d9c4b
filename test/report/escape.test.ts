import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, escapeMarkdownCell, jsonForScript } from '../../src/report/escape.js';
import { pct, pctRange, rankRange, signedPct } from '../../src/report/format.js';
import { tag, text } from '../../src/report/charts/svg.js';
import { htmlTable } from '../../src/report/html/table.js';

const NASTY = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '"quoted" & \'single\'',
  '</script><!--',
  'a\u2028b\u2029c',
];

test('escapeHtml leaves no markup', () => {
  assert.equal(escapeHtml('<img src=x onerror=alert(1)>'), '&lt;img src=x onerror=alert(1)&gt;');
  assert.equal(escapeHtml(`"a" & 'b'`), '&quot;a&quot; &amp; &#39;b&#39;');
  for (const s of NASTY) assert.doesNotMatch(escapeHtml(s), /[<>"']/);
});

test('JSON for a script element cannot close it and parses back to the same value', () => {
  const value = { texts: NASTY, nested: { '</script>': ['<!--', '-->', '&amp;'] } };
  const json = jsonForScript(value);
  assert.doesNotMatch(json, /[<>&\u2028\u2029]/);
  assert.deepEqual(JSON.parse(json), value);
});

test('a Markdown cell cannot end a row, break the table or inject HTML', () => {
  assert.equal(escapeMarkdownCell('a | b'), 'a \\| b');
  assert.equal(escapeMarkdownCell('line one\nline two\r\n'), 'line one line two');
  assert.equal(escapeMarkdownCell('<script>alert(1)</script>'), '&lt;script&gt;alert(1)&lt;/script&gt;');
  assert.equal(escapeMarkdownCell('back\\slash'), 'back\\\\slash');
  assert.equal(escapeMarkdownCell('[link](javascript:x) *em* `code`'), '\\[link\\](javascript:x) \\*em\\* \\`code\\`');
  assert.equal(escapeMarkdownCell('τ_k'), 'τ\\_k');
});

test('numbers print with real minus signs and never as -0.0', () => {
  assert.equal(pct(0.1234), '12.3');
  assert.equal(pct(-0.0001), '0.0');
  assert.equal(pct(-0.25), '−25.0');
  assert.equal(pct(Number.NaN), '–');
  assert.equal(pct(null), '–');
  assert.equal(signedPct(0.05), '+5.0');
  assert.equal(signedPct(-0.05), '−5.0');
  assert.equal(signedPct(0.00001), '0.0');
  assert.equal(pctRange([-0.1, 0.2]), '−10.0 to 20.0');
  assert.equal(pctRange(null), '–');
  assert.equal(rankRange([2, 2]), '2');
  assert.equal(rankRange([1, 3]), '1–3');
});

test('SVG elements and HTML tables escape text and attribute values', () => {
  const svg = tag('g', { 'data-model': '"><script>alert(1)</script>' }, text(0, 0, '<img src=x onerror=alert(1)>'));
  assert.doesNotMatch(svg, /<script|<img/);
  assert.match(svg, /&lt;img src=x onerror=alert\(1\)&gt;/);
  const table = htmlTable({
    columns: [{ text: '<b>h</b>' }],
    rows: [[{ text: '<script>alert(1)</script>', title: '"x', sort: '<y>' }]],
  });
  assert.doesNotMatch(table, /<script|<b>/);
  assert.match(table, /data-sort="&lt;y&gt;"/);
});
