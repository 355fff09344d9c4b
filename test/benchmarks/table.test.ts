import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadBenchmark } from '../../src/benchmarks/load.js';
import { rejectsUserError, spec, tempDir, writeFiles } from './helpers.js';

describe('generic JSONL', () => {
  it('maps fields, an array of choices and index answers', async () => {
    const dir = await writeFiles(await tempDir(), {
      'qa.jsonl': [
        '{"question":"2+2?","options":["3","4","5"],"label":1,"topic":"math"}',
        '{"question":"Capital of France?","options":["Paris","Rome"],"label":"0","topic":"geo"}',
      ].join('\n'),
    });
    const b = await loadBenchmark(
      spec({
        format: 'jsonl',
        path: 'qa.jsonl',
        fields: { question: 'question', choices: 'options', answer: 'label', subject: 'topic' },
      }),
      { baseDir: dir },
    );
    assert.deepEqual(b.items, [
      { id: 'qa/0', subject: 'math', question: '2+2?', choices: ['3', '4', '5'], answer: 1 },
      { id: 'qa/1', subject: 'geo', question: 'Capital of France?', choices: ['Paris', 'Rome'], answer: 0 },
    ]);
    assert.deepEqual(b.files, [path.join(dir, 'qa.jsonl')]);
    assert.equal(b.fewshotPool.size, 0);
  });

  it('maps several choice fields, letter answers and explicit ids', async () => {
    const dir = await writeFiles(await tempDir(), {
      'qa.jsonl': '{"uid":"q-1","q":"Pick B","A":"x","B":"y","C":7,"ans":" b "}\n',
    });
    const b = await loadBenchmark(
      spec({
        format: 'jsonl',
        path: 'qa.jsonl',
        answerFormat: 'letter',
        fields: { id: 'uid', question: 'q', choices: ['A', 'B', 'C'], answer: 'ans' },
      }),
      { baseDir: dir },
    );
    assert.deepEqual(b.items, [{ id: 'q-1', question: 'Pick B', choices: ['x', 'y', '7'], answer: 1 }]);
  });

  it('matches text answers exactly, then ignoring surrounding spaces, and refuses ambiguity', async () => {
    const dir = await writeFiles(await tempDir(), {
      'qa.jsonl': [
        '{"q":"a","c":["red","blue"],"gold":"blue"}',
        '{"q":"b","c":["red","blue "],"gold":"blue"}',
        '{"q":"c","c":["red","red"],"gold":"red"}',
        '{"q":"d","c":["red","blue"],"gold":"green"}',
      ].join('\n'),
    });
    const b = await loadBenchmark(
      spec({
        format: 'jsonl',
        path: 'qa.jsonl',
        answerFormat: 'text',
        onBadRow: 'skip',
        fields: { question: 'q', choices: 'c', answer: 'gold' },
      }),
      { baseDir: dir },
    );
    assert.deepEqual(
      b.items.map((i) => i.answer),
      [1, 1],
    );
    assert.deepEqual(
      b.skipped.map((s) => [s.line, s.reason]),
      [
        [3, 'answer "red" matches several choices (A, B)'],
        [4, 'answer "green" matches none of the choices'],
      ],
    );
  });

  it('groups a few-shot file by subject and keeps its ids apart from the items', async () => {
    const dir = await writeFiles(await tempDir(), {
      'test/qa.jsonl': '{"q":"x","c":["a","b"],"a":0,"s":"one"}\n',
      'shots/qa.jsonl':
        '{"q":"s1","c":["a","b"],"a":1,"s":"one"}\n{"q":"s2","c":["a","b"],"a":1,"s":"two"}\n{"q":"s3","c":["a","b"],"a":0,"s":"one"}\n',
    });
    const b = await loadBenchmark(
      spec({
        format: 'jsonl',
        path: 'test/qa.jsonl',
        fewshotPath: 'shots/qa.jsonl',
        fields: { question: 'q', choices: 'c', answer: 'a', subject: 's' },
      }),
      { baseDir: dir },
    );
    assert.deepEqual(
      b.items.map((i) => i.id),
      ['qa/0'],
    );
    assert.deepEqual([...b.fewshotPool.keys()], ['one', 'two']);
    assert.deepEqual(
      b.fewshotPool.get('one')!.map((i) => i.id),
      ['fewshot/qa/0', 'fewshot/qa/2'],
    );
    assert.equal(b.files.length, 2);
  });

  it("puts few-shot items without a subject under ''", async () => {
    const dir = await writeFiles(await tempDir(), {
      'qa.jsonl': '{"q":"x","c":["a","b"],"a":0}\n',
      'dev.jsonl': '{"q":"s","c":["a","b"],"a":1}\n',
    });
    const b = await loadBenchmark(
      spec({
        format: 'jsonl',
        path: 'qa.jsonl',
        fewshotPath: 'dev.jsonl',
        fields: { question: 'q', choices: 'c', answer: 'a' },
      }),
      { baseDir: dir },
    );
    assert.deepEqual(
      b.fewshotPool.get('')!.map((i) => i.id),
      ['dev/0'],
    );
  });
});

describe('generic CSV', () => {
  it('maps header columns to fields', async () => {
    const dir = await writeFiles(await tempDir(), {
      'qa.csv': 'id,question,A,B,C,answer,extra\nk1,"Which, exactly?",one,two,three,C,ignored\nk2,Next,x,y,z,a,\n',
    });
    const b = await loadBenchmark(
      spec({
        format: 'csv',
        path: 'qa.csv',
        answerFormat: 'letter',
        fields: { id: 'id', question: 'question', choices: ['A', 'B', 'C'], answer: 'answer' },
      }),
      { baseDir: dir },
    );
    assert.deepEqual(b.items, [
      { id: 'k1', question: 'Which, exactly?', choices: ['one', 'two', 'three'], answer: 2 },
      { id: 'k2', question: 'Next', choices: ['x', 'y', 'z'], answer: 0 },
    ]);
  });

  it('names headerless columns by position and takes the width from the first row', async () => {
    const dir = await writeFiles(await tempDir(), { 'qa.csv': 'Q1,a,b,1\nQ2,a,b\nQ3,c,d,0\n' });
    const s = spec({
      format: 'csv',
      path: 'qa.csv',
      header: false,
      onBadRow: 'skip',
      fields: { question: '0', choices: ['1', '2'], answer: '3' },
    });
    const b = await loadBenchmark(s, { baseDir: dir });
    assert.deepEqual(
      b.items.map((i) => [i.id, i.answer]),
      [
        ['qa/0', 1],
        ['qa/2', 0],
      ],
    );
    assert.deepEqual(b.skipped, [{ file: path.join(dir, 'qa.csv'), line: 2, reason: 'expected 4 columns, found 3' }]);
  });

  it('reads a JSON array of choices from one cell', async () => {
    const dir = await writeFiles(await tempDir(), { 'qa.csv': 'q,choices,gold\nPick,"[""x, y"",""z""]",z\n' });
    const b = await loadBenchmark(
      spec({
        format: 'csv',
        path: 'qa.csv',
        answerFormat: 'text',
        fields: { question: 'q', choices: 'choices', answer: 'gold' },
      }),
      { baseDir: dir },
    );
    assert.deepEqual(b.items[0].choices, ['x, y', 'z']);
    assert.equal(b.items[0].answer, 1);
  });

  it('refuses a field missing from the header, listing the columns', async () => {
    const dir = await writeFiles(await tempDir(), { 'qa.csv': 'q,a,b,ans\nx,1,2,0\n' });
    const s = spec({
      format: 'csv',
      path: 'qa.csv',
      fields: { question: 'question', choices: ['a', 'b'], answer: 'ans' },
    });
    await rejectsUserError(
      loadBenchmark(s, { baseDir: dir }),
      `${path.join(dir, 'qa.csv')}:1`,
      /column "question" is not in the header; columns: "q", "a", "b", "ans"/,
    );
  });

  it('refuses a repeated header column and non-numeric names without a header', async () => {
    const dir = await writeFiles(await tempDir(), { 'qa.csv': 'q,a,a,ans\nx,1,2,0\n' });
    const s = spec({ format: 'csv', path: 'qa.csv', fields: { question: 'q', choices: ['a', 'ans'], answer: 'ans' } });
    await rejectsUserError(loadBenchmark(s, { baseDir: dir }), /qa\.csv:1$/, /appears more than once/);
    const headerless = spec({
      format: 'csv',
      path: 'qa.csv',
      header: false,
      fields: { question: 'q', choices: ['1', '2'], answer: '3' },
    });
    await rejectsUserError(loadBenchmark(headerless, { baseDir: dir }), 'benchmark.fields', /0-based position/);
  });
});
