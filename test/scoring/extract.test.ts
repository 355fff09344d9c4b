import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { makeExtractor } from '../../src/scoring/extract.js';

const LETTERS = 'ABCDEFGHIJ'.split('');

interface Published {
  file: string;
  question_id: number;
  options: number;
  answer: string;
  pred: string | null;
  generated_text: string;
}

const data = JSON.parse(fs.readFileSync(new URL('./data/mmlu-pro-responses.json', import.meta.url), 'utf8')) as {
  records: Published[];
};

test('MMLU-Pro extraction reproduces the published prediction of each real response', () => {
  const extract = makeExtractor('mmlu-pro', LETTERS);
  assert.ok(data.records.length >= 8);
  let filled = 0;
  for (const r of data.records) {
    const got = extract(r.generated_text);
    if (got === null) {
      // Nothing read: the published pred is the random fill (Llama-3.1 file) or null (Llama-2 file).
      filled++;
      assert.ok(r.pred === null || LETTERS.includes(r.pred), `${r.file} ${r.question_id}`);
      continue;
    }
    assert.equal(got, r.pred, `${r.file} question ${r.question_id}: read ${got}, published ${r.pred}`);
  }
  // The data holds both kinds: answers read by the first and the last pattern, and unreadable ones.
  assert.ok(filled >= 2 && filled < data.records.length);
});

test('MMLU-Pro cascade: each pattern in order, as the Python code reads it', () => {
  const extract = makeExtractor('mmlu-pro', LETTERS);
  // Expected values are what compute_accuracy.py's extract_answer(text, 'l2') returns for these texts.
  assert.equal(extract('so the answer is (C). Then the answer is D'), 'C');
  assert.equal(extract('the answer is B'), 'B');
  assert.equal(extract('Answer: E\nmore text Answer: F'), 'E');
  assert.equal(extract('first line\nfinal answer:\n  G and then A'), 'G');
  assert.equal(extract('Answer: B, no wait, Answer: C\nAnswer: D'), 'C');
  assert.equal(extract('x\nanswer: Q answer: B'), 'B');
  assert.equal(extract('I think A is wrong, so B.\nMaybe C'), 'C');
  assert.equal(extract('The B-coordinate is J-shaped'), 'J');
  assert.equal(extract('No capital letters here.'), null);
  // Python's \b is Unicode-aware: "éA" has no boundary before A.
  assert.equal(extract('éA only'), null);
  assert.equal(extract('the answer is (K)'), null);
});

test('leading-letter reads a label only at the start', () => {
  const extract = makeExtractor('leading-letter', ['A', 'B', 'C', 'D']);
  assert.equal(extract(' B'), 'B');
  assert.equal(extract(' (C) because'), 'C');
  assert.equal(extract('D. Paris'), 'D');
  assert.equal(extract(' Because A'), null);
  assert.equal(extract(''), null);
});

test('labels are the shown symbols, longest first', () => {
  const roman = makeExtractor('leading-letter', ['I', 'II', 'III', 'IV']);
  assert.equal(roman(' IV. four'), 'IV');
  assert.equal(roman(' I'), 'I');
  const digits = makeExtractor('mmlu-pro', ['1', '2', '3', '4']);
  assert.equal(digits('so the answer is (3).'), '3');
});

test('custom patterns: {label} stands for any label; a bad pattern names its place', () => {
  const extract = makeExtractor({ patterns: ['Final: \\[{label}\\]', { regex: 'ANSWER {label}', flags: 'i' }] }, [
    'A',
    'B',
  ]);
  assert.equal(extract('Final: [B]'), 'B');
  assert.equal(extract('answer A'), 'A');
  assert.equal(extract('nothing'), null);
  assert.throws(
    () => makeExtractor({ patterns: ['(unclosed'] }, ['A'], 'conditions.0.generation.extraction'),
    /conditions\.0\.generation\.extraction\.patterns\.0/,
  );
});
