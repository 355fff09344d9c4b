import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadBenchmark } from '../../src/benchmarks/load.js';
import type { BenchmarkSpecInput } from '../../src/benchmarks/spec.js';
import { UserError } from '../../src/core/errors.js';
import { sharedDir } from '../../src/core/paths.js';
import { seedDataset } from '../../src/hub/datasets.js';
import { readManifest } from '../../src/hub/manifest.js';
import { datasetCacheDir, parseDatasetRef } from '../../src/hub/refs.js';
import { fileHits, parquet, useFakeHub } from './helpers.js';

const silent = { baseDir: '/', log: () => {} };
const load = (spec: BenchmarkSpecInput, offline = false) => loadBenchmark(spec as never, { ...silent, offline });

const mmluRepo = {
  owner: 'cais',
  name: 'mmlu',
  files: {
    'README.md': '# MMLU',
    'all/test-00000-of-00001.parquet': parquet({
      question: ['What is the largest organ?', 'Which bone is in the ear?', 'What is a virion?'],
      subject: ['anatomy', 'anatomy', 'virology'],
      choices: [
        ['skin', 'liver', 'heart', 'lung'],
        ['femur', 'stapes', 'ulna', 'rib'],
        ['a virus particle', 'a cell', 'a toxin', 'a gene'],
      ],
      answer: [0, 1, 0],
    }),
    'all/dev-00000-of-00001.parquet': parquet({
      question: ['Dev anatomy?', 'Dev virology?'],
      subject: ['anatomy', 'virology'],
      choices: [
        ['a', 'b', 'c', 'd'],
        ['e', 'f', 'g', 'h'],
      ],
      answer: [3, 2],
    }),
    'anatomy/test-00000-of-00001.parquet': parquet({
      question: ['not this one'],
      subject: ['anatomy'],
      choices: [['a', 'b', 'c', 'd']],
      answer: [0],
    }),
  },
};

describe('Hub datasets by reference', () => {
  it("downloads the recipe's config and split, reuses the cache, and runs offline afterwards", async () => {
    const f = await useFakeHub({ repos: [mmluRepo] });
    try {
      const b = await load({ recipe: 'mmlu' });
      assert.deepEqual(
        b.items.map((i) => [i.id, i.subject, i.answer]),
        [
          ['anatomy/test/0', 'anatomy', 0],
          ['anatomy/test/1', 'anatomy', 1],
          ['virology/test/0', 'virology', 0],
        ],
      );
      assert.deepEqual(b.items[1].choices, ['femur', 'stapes', 'ulna', 'rib']);
      assert.deepEqual(
        b.fewshotPool.get('anatomy')?.map((i) => [i.id, i.answer]),
        [['anatomy/dev/0', 3]],
      );
      assert.match(b.description, /^mmlu hf:\/\/datasets\/cais\/mmlu all\/test \(1 file\), few-shot pool from dev/);
      const dir = datasetCacheDir(parseDatasetRef('cais/mmlu'));
      assert.ok(fs.existsSync(path.join(dir, 'all', 'test-00000-of-00001.parquet')));
      assert.equal(fs.existsSync(path.join(dir, 'anatomy')), false, 'only the files the benchmark needs');
      assert.deepEqual(readManifest(dir)?.selections['all/test'], [
        { path: 'all/test-00000-of-00001.parquet', config: 'all' },
      ]);
      const downloads = fileHits(f.hub).length;

      const again = await load({ recipe: 'mmlu', subjects: ['virology'] });
      assert.deepEqual(
        again.items.map((i) => i.id),
        ['virology/test/0'],
      );
      assert.equal(fileHits(f.hub).length, downloads, 'nothing downloaded twice');

      const before = f.hub.hits.length;
      const offline = await load({ recipe: 'mmlu' }, true);
      assert.deepEqual(offline.items, b.items);
      assert.equal(f.hub.hits.length, before, 'offline: no request at all');
    } finally {
      await f.done();
    }
  });

  it('uses the cached copy, with a warning, when the Hub cannot be reached', async () => {
    const f = await useFakeHub({ repos: [mmluRepo] });
    try {
      await load({ recipe: 'mmlu' });
      await f.hub.close();
      const logged: string[] = [];
      const b = await loadBenchmark({ recipe: 'mmlu' } as never, { baseDir: '/', log: (l) => logged.push(l) });
      assert.equal(b.items.length, 3);
      assert.match(logged.join('\n'), /cannot reach the Hugging Face Hub[\s\S]*using the cached copy/);
    } finally {
      await f.done();
    }
  });

  it('reads JSONL with nested choices from a one-config dataset (data/<split>-*.jsonl)', async () => {
    const rows = [
      {
        id: 'q1',
        question: 'Where do you keep milk?',
        question_concept: 'milk',
        choices: { label: ['A', 'B', 'C'], text: ['fridge', 'oven', 'shelf'] },
        answerKey: 'A',
      },
      {
        id: 'q2',
        question: 'What do birds do?',
        question_concept: 'bird',
        choices: { label: ['A', 'B', 'C'], text: ['swim', 'fly', 'dig'] },
        answerKey: 'B',
      },
    ];
    const f = await useFakeHub({
      repos: [
        {
          owner: 'tau',
          name: 'commonsense_qa',
          files: {
            'data/validation-00000-of-00001.jsonl': rows.map((r) => JSON.stringify(r)).join('\n'),
            'data/train-00000-of-00001.jsonl': '{}',
          },
        },
      ],
    });
    try {
      const b = await load({ recipe: 'commonsense_qa' });
      assert.deepEqual(b.items, [
        {
          id: 'validation/q1',
          question: 'Where do you keep milk?',
          choices: ['fridge', 'oven', 'shelf'],
          answer: 0,
          meta: { question_concept: 'milk' },
          split: 'validation',
          task: 'commonsense_qa',
        },
        {
          id: 'validation/q2',
          question: 'What do birds do?',
          choices: ['swim', 'fly', 'dig'],
          answer: 1,
          meta: { question_concept: 'bird' },
          split: 'validation',
          task: 'commonsense_qa',
        },
      ]);
    } finally {
      await f.done();
    }
  });

  it('selects KMMLU subjects as configs from data/<Subject>-<split>.csv and fetches only those', async () => {
    const csv = (q: string, a: number) =>
      `question,answer,A,B,C,D,Category,Human Accuracy\n"${q}",${a},w,x,y,z,cat,0.5\n`;
    const files = {
      'data/Accounting-test.csv': csv('회계?', 2),
      'data/Law-test.csv': csv('법?', 4),
      'data/Law-dev.csv': csv('법 dev?', 1),
      'data/Agricultural-Sciences-test.csv': csv('농업?', 1),
    };
    const f = await useFakeHub({ repos: [{ owner: 'HAERAE-HUB', name: 'KMMLU', files }] });
    try {
      const law = await load({ recipe: 'kmmlu', subjects: ['Law'] });
      assert.deepEqual(law.items, [
        {
          id: 'Law/test/0',
          subject: 'Law',
          question: '법?',
          choices: ['w', 'x', 'y', 'z'],
          answer: 3,
          split: 'test',
          task: 'kmmlu',
        },
      ]);
      assert.deepEqual(
        law.fewshotPool.get('Law')?.map((i) => i.answer),
        [0],
      );
      assert.deepEqual(
        fileHits(f.hub)
          .map((h) => path.posix.basename(h.path))
          .sort(),
        ['Law-dev.csv', 'Law-test.csv'],
      );
      const all = await load({ recipe: 'kmmlu' });
      assert.deepEqual(
        all.items.map((i) => i.subject),
        ['Accounting', 'Agricultural-Sciences', 'Law'],
      );
    } finally {
      await f.done();
    }
  });

  it(
    "HellaSwag: the Hub's rows and llama.cpp's text file give identical items",
    { skip: !fs.existsSync(path.join(sharedDir(), 'data', 'hellaswag')) },
    async () => {
      // The first three validation rows as the Hub holds them (ctx_a and ctx_b apart; ActivityNet rows, no markers).
      const local = (
        await load({ recipe: 'hellaswag', path: path.join(sharedDir(), 'data', 'hellaswag'), limit: { total: 10042 } })
      ).items.slice(0, 3);
      const shard = parquet({
        ind: [24, 92, 106],
        activity_label: ['Roof shingle removal', 'Clean and jerk', 'Canoeing'],
        ctx_a: [
          'A man is sitting on a roof.',
          'A lady walks to a barbell. She bends down and grabs the pole.',
          'Two women in a child are shown in a canoe while a man pulls the canoe while standing in the water, with other individuals visible in the background.',
        ],
        ctx_b: ['he', 'the lady', 'the child and a different man'],
        endings: local.map((i) => i.choices),
        label: local.map((i) => String(i.answer)),
      });
      const f = await useFakeHub({
        repos: [
          {
            owner: 'Rowan',
            name: 'hellaswag',
            files: { 'hellaswag.py': '# script', 'README.md': '#' },
            parquetApi: { 'default/validation': [shard] },
          },
        ],
      });
      try {
        const hub = await load({ recipe: 'hellaswag' });
        assert.deepEqual(hub.items, local);
        assert.equal(
          hub.items[2].question,
          'Canoeing: Two women in a child are shown in a canoe while a man pulls the canoe while standing in the water, with other individuals visible in the background. The child and a different man',
        );
      } finally {
        await f.done();
      }
    },
  );

  it("falls back to the Hub's Parquet conversion for a dataset kept as a loading script", async () => {
    const shard = parquet({
      ind: [24, 92],
      activity_label: ['Roof shingle removal', 'Clean and jerk'],
      ctx_a: ['A man is sitting on a roof.', 'A lady walks to a barbell. She bends down and grabs the pole.'],
      ctx_b: ['he', 'the lady'],
      endings: [
        [
          'is using wrap [title] to wrap skis.',
          'is ripping  level tiles off.',
          'is holding a cube.',
          'starts pulling up roofing.',
        ],
        ['swings.', 'pulls.', 'pulls a rope.', 'stands and lifts.'],
      ],
      label: ['3', '3'],
    });
    const f = await useFakeHub({
      repos: [
        {
          owner: 'Rowan',
          name: 'hellaswag',
          files: { 'hellaswag.py': '# script', 'README.md': '#' },
          parquetApi: { 'default/validation': [shard] },
        },
      ],
    });
    try {
      const b = await load({ recipe: 'hellaswag' });
      assert.deepEqual(b.items[0], {
        id: 'validation/0',
        question: 'Roof shingle removal: A man is sitting on a roof. He',
        choices: [
          'is using wrap. to wrap skis.',
          'is ripping level tiles off.',
          'is holding a cube.',
          'starts pulling up roofing.',
        ],
        answer: 3,
        meta: {
          activity_label: 'Roof shingle removal',
          llamaCppContext: 'Roof shingle removal: A man is sitting on a roof. he',
        },
        split: 'validation',
        task: 'hellaswag',
      });
      assert.equal(
        b.items[1].question,
        'Clean and jerk: A lady walks to a barbell. She bends down and grabs the pole. The lady',
      );
      const offline = await load({ recipe: 'hellaswag' }, true);
      assert.deepEqual(offline.items, b.items);
    } finally {
      await f.done();
    }
  });

  it('names the missing config/split and what the repository has', async () => {
    const f = await useFakeHub({
      repos: [
        { owner: 'allenai', name: 'ai2_arc', files: { 'ARC-Easy/test-00000-of-00001.parquet': parquet({ q: ['x'] }) } },
      ],
    });
    try {
      await assert.rejects(
        load({ recipe: 'arc_challenge' }),
        (e: unknown) =>
          e instanceof UserError &&
          /no data files for config "ARC-Challenge", split "test"/.test(e.message) &&
          /folders: ARC-Easy/.test(e.message),
      );
    } finally {
      await f.done();
    }
  });

  it('offline without a cached copy: says what is missing, where it looked, and how to seed it', async () => {
    const f = await useFakeHub({ repos: [mmluRepo] });
    try {
      const where = datasetCacheDir(parseDatasetRef('cais/mmlu'));
      const expected = (e: unknown) =>
        e instanceof UserError &&
        e.message.includes('offline, and hf://datasets/cais/mmlu is not in the cache') &&
        e.message.includes(where) &&
        /goodhart cache add-dataset hf:\/\/datasets\/cais\/mmlu/.test(e.message);
      await assert.rejects(load({ recipe: 'mmlu' }, true), expected);
      process.env.GOODHART_OFFLINE = '1';
      await assert.rejects(load({ recipe: 'mmlu' }), expected);
      assert.equal(f.hub.hits.length, 0);
    } finally {
      await f.done();
    }
  });

  it(
    'runs MMLU by reference from a cache seeded with the MMLU CSV folder, without the network',
    { skip: !fs.existsSync(path.join(sharedDir(), 'data', 'mmlu')) },
    async () => {
      const f = await useFakeHub({ repos: [] });
      try {
        const seeded = seedDataset(parseDatasetRef('hf://datasets/cais/mmlu'), path.join(sharedDir(), 'data', 'mmlu'));
        assert.ok(seeded.files > 170);
        const b = await load({ recipe: 'mmlu', subjects: ['anatomy'] }, true);
        assert.equal(b.items.length, 135);
        assert.equal(b.items[0].id, 'anatomy/test/0');
        assert.equal(b.fewshotPool.get('anatomy')?.length, 5);
        const online = await load({ recipe: 'mmlu', subjects: ['anatomy'], split: 'validation' });
        assert.equal(online.items.length, 14);
        assert.equal(f.hub.hits.length, 0, 'a seeded entry is used as it is');
        assert.throws(
          () => seedDataset(parseDatasetRef('cais/mmlu'), path.join(sharedDir(), 'data', 'mmlu')),
          /already in the cache/,
        );
      } finally {
        await f.done();
      }
    },
  );
});
