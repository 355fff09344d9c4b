import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadBenchmark } from '../../src/benchmarks/load.js';
import type { BenchmarkSpec } from '../../src/benchmarks/spec.js';
import { rejectsUserError, spec, tempDir, writeFiles } from './helpers.js';

/**
 * Each case puts one bad row between good rows, after a row spanning two physical lines (or a
 * blank line), so the reported line must be the physical line where the bad row starts.
 */
interface Case {
  name: string;
  format: 'mmlu' | 'csv' | 'jsonl' | 'gauntlet';
  bad: string | Uint8Array;
  reason: RegExp;
}

const enc = new TextEncoder();
const withInvalidUtf8 = (before: string, after: string) =>
  new Uint8Array([...enc.encode(before), 0xff, 0xfe, ...enc.encode(after)]);

const cases: Case[] = [
  { name: 'unterminated quote', format: 'mmlu', bad: '"open question,a,b,c,d,A', reason: /unterminated quoted field/ },
  { name: 'text after closing quote', format: 'mmlu', bad: '"q"x,a,b,c,d,A', reason: /after a closing quote/ },
  { name: 'too few columns', format: 'mmlu', bad: 'q,a,b,c,A', reason: /expected 6 columns.*found 5/ },
  { name: 'too many columns', format: 'mmlu', bad: 'q,a,b,c,d,e,A', reason: /found 7/ },
  { name: 'answer not a letter', format: 'mmlu', bad: 'q,a,b,c,d,2', reason: /answer "2" is not a letter A-D/ },
  { name: 'answer letter out of range', format: 'mmlu', bad: 'q,a,b,c,d,E', reason: /not a letter A-D/ },
  { name: 'empty question', format: 'mmlu', bad: ' ,a,b,c,d,A', reason: /empty question/ },
  { name: 'empty choice', format: 'mmlu', bad: 'q,a,,c,d,A', reason: /empty choice B/ },
  { name: 'invalid UTF-8', format: 'mmlu', bad: withInvalidUtf8('q', ',a,b,c,d,A'), reason: /invalid UTF-8/ },
  { name: 'csv wrong column count', format: 'csv', bad: '9,q,"[""a"",""b""]"', reason: /expected 4 columns, found 3/ },
  {
    name: 'csv index out of range',
    format: 'csv',
    bad: '9,q,"[""a"",""b""]",2',
    reason: /answer 2 out of range for 2 choices/,
  },
  { name: 'csv negative index', format: 'csv', bad: '9,q,"[""a"",""b""]",-1', reason: /out of range/ },
  { name: 'csv fewer than 2 choices', format: 'csv', bad: '9,q,"[""a""]",0', reason: /fewer than 2 choices/ },
  { name: 'csv choices not JSON', format: 'csv', bad: '9,q,a;b,0', reason: /not a JSON array/ },
  {
    name: 'csv duplicate id',
    format: 'csv',
    bad: '1,q,"[""a"",""b""]",0',
    reason: /duplicate id "1" \(first seen on line 2\)/,
  },
  {
    name: 'csv broken quoting',
    format: 'csv',
    bad: '9,"q,"[""a"",""b""]",0',
    reason: /after a closing quote|unterminated/,
  },
  {
    name: 'csv invalid UTF-8',
    format: 'csv',
    bad: withInvalidUtf8('9,q', ',"[""a"",""b""]",0'),
    reason: /invalid UTF-8/,
  },
  { name: 'jsonl invalid JSON', format: 'jsonl', bad: '{"id": 9, "q": "x",', reason: /invalid JSON/ },
  { name: 'jsonl not an object', format: 'jsonl', bad: '[1, 2]', reason: /expected a JSON object/ },
  {
    name: 'jsonl index out of range',
    format: 'jsonl',
    bad: '{"id":9,"q":"x","c":["a","b"],"a":5}',
    reason: /answer 5 out of range/,
  },
  {
    name: 'jsonl non-integer index',
    format: 'jsonl',
    bad: '{"id":9,"q":"x","c":["a","b"],"a":0.5}',
    reason: /not an integer index/,
  },
  {
    name: 'jsonl missing question',
    format: 'jsonl',
    bad: '{"id":9,"c":["a","b"],"a":0}',
    reason: /question field "q" is missing/,
  },
  {
    name: 'jsonl empty question',
    format: 'jsonl',
    bad: '{"id":9,"q":"","c":["a","b"],"a":0}',
    reason: /empty question/,
  },
  {
    name: 'jsonl empty choice',
    format: 'jsonl',
    bad: '{"id":9,"q":"x","c":["a"," "],"a":0}',
    reason: /empty choice B/,
  },
  {
    name: 'jsonl one choice',
    format: 'jsonl',
    bad: '{"id":9,"q":"x","c":["a"],"a":0}',
    reason: /fewer than 2 choices/,
  },
  {
    name: 'jsonl choice not text',
    format: 'jsonl',
    bad: '{"id":9,"q":"x","c":["a",null],"a":0}',
    reason: /choice B is not text/,
  },
  {
    name: 'jsonl duplicate id',
    format: 'jsonl',
    bad: '{"id":1,"q":"x","c":["a","b"],"a":0}',
    reason: /duplicate id "1" \(first seen on line 1\)/,
  },
  {
    name: 'jsonl empty id',
    format: 'jsonl',
    bad: '{"id":"","q":"x","c":["a","b"],"a":0}',
    reason: /id field "id" is missing or empty/,
  },
  {
    name: 'jsonl invalid UTF-8',
    format: 'jsonl',
    bad: withInvalidUtf8('{"id":9,"q":"x', '","c":["a","b"],"a":0}'),
    reason: /invalid UTF-8/,
  },
  {
    name: 'gauntlet gold out of range',
    format: 'gauntlet',
    bad: '{"query":"x","choices":["a","b"],"gold":2}',
    reason: /answer 2 out of range/,
  },
  {
    name: 'gauntlet gold not an integer',
    format: 'gauntlet',
    bad: '{"query":"x","choices":["a","b"],"gold":"1"}',
    reason: /"gold" "1" is not an integer/,
  },
  { name: 'gauntlet missing query', format: 'gauntlet', bad: '{"choices":["a","b"],"gold":1}', reason: /"query"/ },
];

/** Write a file with good rows around the bad one; returns the spec, the data file and the bad row's line. */
async function setUp(
  c: Case,
  onBadRow: 'error' | 'skip',
): Promise<{ s: BenchmarkSpec; file: string; line: number; good: number }> {
  const dir = await tempDir();
  const join = (before: string, after: string) =>
    typeof c.bad === 'string'
      ? before + c.bad + after
      : new Uint8Array([...enc.encode(before), ...c.bad, ...enc.encode(after)]);
  if (c.format === 'mmlu') {
    const content = join('"first\nquestion",a,b,c,d,A\n', '\nlast,a,b,c,d,D\n');
    await writeFiles(dir, { 'test/x_test.csv': content, 'dev/x_dev.csv': 'q,a,b,c,d,B\n' });
    return {
      s: spec({ format: 'mmlu', path: dir, onBadRow }),
      file: path.join(dir, 'test', 'x_test.csv'),
      line: 3,
      good: 2,
    };
  }
  if (c.format === 'csv') {
    const content = join(
      'id,question,choices,answer\n1,"two\nlines","[""a"",""b""]",1\n',
      '\n3,last,"[""a"",""b""]",0\n',
    );
    await writeFiles(dir, { 'd.csv': content });
    const fields = { id: 'id', question: 'question', choices: 'choices', answer: 'answer' };
    return {
      s: spec({ format: 'csv', path: 'd.csv', fields, onBadRow }),
      file: path.join(dir, 'd.csv'),
      line: 4,
      good: 2,
    };
  }
  const good =
    c.format === 'jsonl' ? '{"id":1,"q":"x","c":["a","b"],"a":1}' : '{"query":"x","choices":["a","b"],"gold":1}';
  const good2 =
    c.format === 'jsonl' ? '{"id":3,"q":"y","c":["a","b"],"a":0}' : '{"query":"y","choices":["a","b"],"gold":0}';
  await writeFiles(dir, { 'd.jsonl': join(`${good}\n\n`, `\n${good2}\n`) });
  const s =
    c.format === 'jsonl'
      ? spec({
          format: 'jsonl',
          path: 'd.jsonl',
          fields: { id: 'id', question: 'q', choices: 'c', answer: 'a' },
          onBadRow,
        })
      : spec({ format: 'gauntlet', path: 'd.jsonl', onBadRow });
  return { s, file: path.join(dir, 'd.jsonl'), line: 3, good: 2 };
}

describe('bad rows', () => {
  for (const c of cases) {
    it(`${c.name}: error at file:line`, async () => {
      const { s, file, line } = await setUp(c, 'error');
      await rejectsUserError(loadBenchmark(s, { baseDir: path.dirname(file) }), `${file}:${line}`, c.reason);
    });
    it(`${c.name}: listed under skip`, async () => {
      const { s, file, line, good } = await setUp(c, 'skip');
      const b = await loadBenchmark(s, { baseDir: path.dirname(file) });
      assert.equal(b.items.length, good);
      assert.equal(b.skipped.length, 1, JSON.stringify(b.skipped));
      assert.equal(b.skipped[0].file, file);
      assert.equal(b.skipped[0].line, line);
      assert.match(b.skipped[0].reason, c.reason);
      assert.match(b.description, /1 bad row\(s\) skipped/);
    });
  }

  it('keeps row-index ids stable when a bad row is skipped', async () => {
    const { s } = await setUp(cases[2], 'skip');
    const b = await loadBenchmark(s, { baseDir: '/' });
    assert.deepEqual(
      b.items.map((i) => i.id),
      ['x/test/0', 'x/test/2'],
    );
  });

  it('reports an all-bad file as having no usable items', async () => {
    const dir = await writeFiles(await tempDir(), { 'd.jsonl': '{"query":"x","choices":["a"],"gold":0}\n' });
    await rejectsUserError(
      loadBenchmark(spec({ format: 'gauntlet', path: 'd.jsonl', onBadRow: 'skip' }), { baseDir: dir }),
      path.join(dir, 'd.jsonl'),
      /no usable items \(1 bad row/,
    );
  });
});

describe('file problems', () => {
  const jsonlSpec = (p: string) =>
    spec({ format: 'jsonl', path: p, fields: { question: 'q', choices: 'c', answer: 'a' } });

  it('names a missing file', async () => {
    const dir = await tempDir();
    await rejectsUserError(
      loadBenchmark(jsonlSpec('missing.jsonl'), { baseDir: dir }),
      path.join(dir, 'missing.jsonl'),
      /file not found/,
    );
  });

  it('names a folder given as a file', async () => {
    const dir = await writeFiles(await tempDir(), { 'sub/a.txt': 'x' });
    await rejectsUserError(loadBenchmark(jsonlSpec('sub'), { baseDir: dir }), path.join(dir, 'sub'), /found a folder/);
  });

  for (const [name, content] of [
    ['zero bytes', ''],
    ['whitespace only', ' \n\r\n'],
    ['BOM only', '\ufeff'],
  ] as const) {
    it(`names an empty file (${name})`, async () => {
      const dir = await writeFiles(await tempDir(), { 'e.jsonl': content, 'e.csv': content });
      await rejectsUserError(
        loadBenchmark(jsonlSpec('e.jsonl'), { baseDir: dir }),
        path.join(dir, 'e.jsonl'),
        /file is empty/,
      );
      const csv = spec({ format: 'csv', path: 'e.csv', fields: { question: 'q', choices: ['a', 'b'], answer: 'n' } });
      await rejectsUserError(loadBenchmark(csv, { baseDir: dir }), path.join(dir, 'e.csv'), /file is empty/);
    });
  }

  it('names a CSV with a header but no rows', async () => {
    const dir = await writeFiles(await tempDir(), { 'h.csv': 'q,a,b,n\n' });
    const csv = spec({ format: 'csv', path: 'h.csv', fields: { question: 'q', choices: ['a', 'b'], answer: 'n' } });
    await rejectsUserError(loadBenchmark(csv, { baseDir: dir }), path.join(dir, 'h.csv'), /no data rows/);
  });
});

describe('BOM and CRLF', () => {
  it('load the same items as plain LF files', async () => {
    const mmluRows = ['"multi\nline, ""quoted""",a,b,c,d,B', 'q2,a,b,c,d,C'];
    const jsonlRows = ['{"q":"x","c":["a","b"],"a":1}', '{"q":"y","c":["a","b"],"a":0}'];
    const csvRows = ['q,a,b,n', '"x\ny",a,b,1', 'z,a,b,0'];
    const write = async (eol: string, bom: string) =>
      writeFiles(await tempDir(), {
        'test/s_test.csv': bom + mmluRows.join('\n').replace(/\n/g, eol) + eol,
        'dev/s_dev.csv': bom + mmluRows[1] + eol,
        'd.jsonl': bom + jsonlRows.join(eol) + eol,
        'd.csv': bom + csvRows.join('\n').replace(/\n/g, eol) + eol,
      });
    const load = async (dir: string) => [
      await loadBenchmark(spec({ format: 'mmlu', path: dir }), { baseDir: dir }),
      await loadBenchmark(
        spec({ format: 'jsonl', path: 'd.jsonl', fields: { question: 'q', choices: 'c', answer: 'a' } }),
        { baseDir: dir },
      ),
      await loadBenchmark(
        spec({ format: 'csv', path: 'd.csv', fields: { question: 'q', choices: ['a', 'b'], answer: 'n' } }),
        { baseDir: dir },
      ),
    ];
    const plain = await load(await write('\n', ''));
    const windows = await load(await write('\r\n', '\ufeff'));
    for (let k = 0; k < plain.length; k++) {
      assert.deepEqual(windows[k].items, plain[k].items);
      assert.deepEqual(windows[k].skipped, []);
    }
    assert.equal(plain[0].items[0].question, 'multi\nline, "quoted"');
    assert.equal(plain[2].items[0].question, 'x\ny');
  });
});
