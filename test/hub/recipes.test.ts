import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadBenchmark } from '../../src/benchmarks/load.js';
import { RECIPES } from '../../src/benchmarks/recipes.js';
import { parseBenchmarkSpec, type BenchmarkSpecInput } from '../../src/benchmarks/spec.js';
import { UserError } from '../../src/core/errors.js';
import { selectDataFiles } from '../../src/hub/layout.js';
import { parquet, tempDir, writeFiles } from './helpers.js';

const map = (name: keyof typeof RECIPES, row: Record<string, unknown>, config = 'default', split = 'test') =>
  RECIPES[name].mapRow(row, { config, split });
const load = (spec: BenchmarkSpecInput, baseDir: string) => loadBenchmark(spec as never, { baseDir, log: () => {} });

describe("recipes map each dataset's rows onto items", () => {
  it('mmlu (cais/mmlu): question, subject, choices, answer index', () => {
    assert.deepEqual(
      map('mmlu', { question: 'Q?', subject: 'anatomy', choices: ['a', 'b', 'c', 'd'], answer: 2 }, 'all'),
      { question: 'Q?', choices: ['a', 'b', 'c', 'd'], answer: 2, subject: 'anatomy' },
    );
    assert.match(map('mmlu', { question: 'Q?', choices: ['a'], answer: 'x' }) as string, /answer/);
  });

  it('arc (allenai/ai2_arc): choices {text, label}, answerKey a letter or a digit', () => {
    const row = {
      id: 'Mercury_1',
      question: 'Q?',
      choices: { text: ['w', 'x', 'y', 'z'], label: ['A', 'B', 'C', 'D'] },
      answerKey: 'C',
    };
    assert.deepEqual(map('arc_challenge', row), {
      question: 'Q?',
      choices: ['w', 'x', 'y', 'z'],
      answer: 2,
      id: 'Mercury_1',
    });
    assert.equal(
      (
        map('arc_easy', { ...row, choices: { text: ['w', 'x', 'y'], label: ['1', '2', '3'] }, answerKey: '2' }) as {
          answer: number;
        }
      ).answer,
      1,
    );
    assert.equal(
      (
        map('arc_easy', { ...row, choices: { text: ['w', 'x', 'y'], label: ['1', '2', '3'] }, answerKey: 'B' }) as {
          answer: number;
        }
      ).answer,
      1,
    );
    assert.match(
      map('arc_easy', { ...row, answerKey: 'E' }) as string,
      /answer key "E" is not one of the labels A, B, C, D/,
    );
  });

  it("hellaswag (Rowan/hellaswag): lm-eval's preprocessing, label as text", () => {
    const row = {
      ind: 7,
      activity_label: 'Baking cookies',
      ctx_a: 'A woman mixes dough.',
      ctx_b: 'SHE then',
      endings: ['[header] bakes it.', 'eats  it.', 'x', 'y'],
      label: '1',
      split: 'val',
    };
    // Exactly lm-eval's: the strip comes before the markers go, so a space can be left in front.
    // Ids count rows, as llama.cpp's text file of the split does; its line (no capitalization) is kept for the llama.cpp protocol.
    assert.deepEqual(map('hellaswag', row), {
      question: 'Baking cookies: A woman mixes dough. She then',
      choices: [' bakes it.', 'eats it.', 'x', 'y'],
      answer: 1,
      meta: { activity_label: 'Baking cookies', llamaCppContext: 'Baking cookies: A woman mixes dough. SHE then' },
    });
    assert.match(map('hellaswag', { ...row, label: '' }) as string, /no answers/);
  });

  it('truthfulqa_mc1 (truthfulqa/truthful_qa multiple_choice): mc1_targets {choices, labels}', () => {
    const row = {
      question: 'Q?',
      mc1_targets: { choices: ['right', 'wrong', 'also wrong'], labels: [1, 0, 0] },
      mc2_targets: { choices: [], labels: [] },
    };
    assert.deepEqual(map('truthfulqa_mc1', row, 'multiple_choice', 'validation'), {
      question: 'Q?',
      choices: ['right', 'wrong', 'also wrong'],
      answer: 0,
    });
    assert.match(
      map('truthfulqa_mc1', { ...row, mc1_targets: { choices: ['a', 'b'], labels: [1, 1] } }) as string,
      /2 correct answers/,
    );
  });

  it('commonsense_qa (tau/commonsense_qa): question, choices {label, text}, answerKey', () => {
    const row = {
      id: 'abc',
      question: 'Q?',
      question_concept: 'c',
      choices: { label: ['A', 'B', 'C', 'D', 'E'], text: ['v', 'w', 'x', 'y', 'z'] },
      answerKey: 'E',
    };
    assert.deepEqual(map('commonsense_qa', row), {
      question: 'Q?',
      choices: ['v', 'w', 'x', 'y', 'z'],
      answer: 4,
      id: 'abc',
      meta: { question_concept: 'c' },
    });
    assert.match(map('commonsense_qa', { ...row, answerKey: '' }) as string, /answer key is empty/);
  });

  it('openbookqa (allenai/openbookqa main): question_stem, choices, answerKey', () => {
    const row = {
      id: '7-980',
      question_stem: 'The sun is',
      choices: { text: ['hot', 'cold', 'wet', 'blue'], label: ['A', 'B', 'C', 'D'] },
      answerKey: 'A',
    };
    assert.deepEqual(map('openbookqa', row), {
      question: 'The sun is',
      choices: ['hot', 'cold', 'wet', 'blue'],
      answer: 0,
      id: '7-980',
    });
  });

  it('mmlu_pro (TIGER-Lab/MMLU-Pro): options without N/A, the answer letter as the key, category as subject', () => {
    const row = {
      question_id: 70,
      question: 'Q?',
      options: ['a', 'N/A', 'c', 'd'],
      answer: 'C',
      answer_index: 2,
      cot_content: '',
      category: 'law',
      src: 'ori_mmlu-law',
    };
    assert.deepEqual(map('mmlu_pro', row), {
      question: 'Q?',
      choices: ['a', 'c', 'd'],
      answer: 1,
      id: '70',
      subject: 'law',
      meta: { src: 'ori_mmlu-law' },
    });
    const disagreeing = map('mmlu_pro', { ...row, options: ['a', 'b', 'c', 'd'], answer: 'C', answer_index: 1 }) as {
      answer: number;
      meta: unknown;
    };
    assert.equal(disagreeing.answer, 2);
    assert.deepEqual(disagreeing.meta, { src: 'ori_mmlu-law', answer_index: 1 });
    assert.match(map('mmlu_pro', { ...row, answer: 'B', answer_index: 1 }) as string, /N\/A/);
  });

  it('kmmlu (HAERAE-HUB/KMMLU): A-D columns, 1-based answer as text, subject from the config', () => {
    const row = {
      question: '질문?',
      answer: '4',
      A: 'ㄱ',
      B: 'ㄴ',
      C: 'ㄷ',
      D: 'ㄹ',
      Category: 'accounting',
      'Human Accuracy': '0.3',
    };
    assert.deepEqual(map('kmmlu', row, 'Accounting'), {
      question: '질문?',
      choices: ['ㄱ', 'ㄴ', 'ㄷ', 'ㄹ'],
      answer: 3,
      subject: 'Accounting',
    });
    assert.equal((map('kmmlu', row, 'default') as { subject: string }).subject, 'accounting');
  });
});

describe('Hub layouts on disk', () => {
  it("finds a split by the Hub's layouts", () => {
    const paths = [
      'all/test-00000-of-00001.parquet',
      'all/dev-00000-of-00001.parquet',
      'anatomy/test-00000-of-00001.parquet',
      'README.md',
    ];
    assert.deepEqual(selectDataFiles(paths, 'all', 'test'), [
      { path: 'all/test-00000-of-00001.parquet', config: 'all' },
    ]);
    assert.deepEqual(
      selectDataFiles(
        [
          'data/test-00000-of-00002.parquet',
          'data/test-00001-of-00002.parquet',
          'data/validation-00000-of-00001.parquet',
        ],
        undefined,
        'test',
      ).length,
      2,
    );
    assert.deepEqual(selectDataFiles(['default/validation/0000.parquet'], 'default', 'validation'), [
      { path: 'default/validation/0000.parquet', config: 'default' },
    ]);
    assert.deepEqual(
      selectDataFiles(
        ['data/Law-test.csv', 'data/Law-dev.csv', 'data/Agricultural-Sciences-test.csv'],
        '*',
        'test',
      ).map((f) => f.config),
      ['Agricultural-Sciences', 'Law'],
    );
    assert.deepEqual(selectDataFiles(['data/testing.jsonl', 'data/.hidden/test.jsonl'], undefined, 'test'), []);
  });

  it("reads nested Parquet structs (snappy or gzip) from a local folder in the Hub's layout", async () => {
    const dir = writeFiles(tempDir(), {
      'ARC-Challenge/test-00000-of-00001.parquet': parquet({
        id: ['a1', 'a2'],
        question: ['Q1?', 'Q2?'],
        choices: [
          { text: ['x', 'y', 'z'], label: ['A', 'B', 'C'] },
          { text: ['p', 'q', 'r', 's'], label: ['1', '2', '3', '4'] },
        ],
        answerKey: ['B', '4'],
      }),
      'ARC-Easy/test-00000-of-00001.parquet': parquet(
        { id: ['e1'], question: ['Q?'], choices: [{ text: ['x', 'y'], label: ['A', 'B'] }], answerKey: ['A'] },
        'GZIP',
      ),
    });
    const b = await load({ recipe: 'arc_challenge', path: '.' }, dir);
    assert.deepEqual(
      b.items.map((i) => [i.id, i.choices.length, i.answer]),
      [
        ['test/a1', 3, 1],
        ['test/a2', 4, 3],
      ],
    );
    assert.deepEqual(b.files, [path.join(dir, 'ARC-Challenge', 'test-00000-of-00001.parquet')]);
    const gzipped = await load({ recipe: 'arc_easy', path: '.' }, dir);
    assert.deepEqual(
      gzipped.items.map((i) => i.id),
      ['test/e1'],
    );
  });

  it('maps any dataset with fields, dotted names and 1-based answers; bad rows name file:line', async () => {
    const dir = writeFiles(tempDir(), {
      'data/test.jsonl': [
        '{"uid":"u1","body":{"q":"Q1?"},"opts":["a","b"],"gold":2}',
        '{"uid":"u2","body":{"q":"Q2?"},"opts":["a","b"],"gold":5}',
      ].join('\n'),
    });
    const spec = {
      format: 'hf',
      path: dir,
      fields: { id: 'uid', question: 'body.q', choices: 'opts', answer: 'gold' },
      answerFormat: 'index1',
    } as const;
    await assert.rejects(
      load(spec, '/'),
      (e: unknown) =>
        e instanceof UserError &&
        e.message.includes(`${path.join(dir, 'data', 'test.jsonl')}:2`) &&
        /answer 4 out of range/.test(e.message),
    );
    const b = await load({ ...spec, onBadRow: 'skip' }, '/');
    assert.deepEqual(b.items, [{ id: 'test/u1', question: 'Q1?', choices: ['a', 'b'], answer: 1, split: 'test' }]);
    assert.equal(b.skipped.length, 1);
  });

  it('validates the spec: a recipe or fields, dataset or path', () => {
    assert.deepEqual(parseBenchmarkSpec({ recipe: 'mmlu' }), {
      recipe: 'mmlu',
      answerFormat: 'index',
      onBadRow: 'error',
    });
    const fails = (raw: unknown, pattern: RegExp, key: string) =>
      assert.throws(
        () => parseBenchmarkSpec(raw),
        (e: unknown) => e instanceof UserError && pattern.test(e.message) && e.where === key,
      );
    fails({ recipe: 'mmlux' }, /mmlu/, 'benchmark.recipe');
    fails({ format: 'hf' }, /give recipe/, 'benchmark.recipe');
    fails({ recipe: 'mmlu', dataset: 'a/b', path: 'x' }, /not both/, 'benchmark.path');
    fails({ recipe: 'mmlu', dataset: 'https://example.com/x' }, /hf:\/\/datasets/, 'benchmark.dataset');
    fails({ recipe: 'mmlu', fields: { question: 'q', choices: 'c', answer: 'a' } }, /not both/, 'benchmark.fields');
  });
});
