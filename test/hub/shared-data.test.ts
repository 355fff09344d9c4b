import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadBenchmark } from '../../src/benchmarks/load.js';
import type { BenchmarkSpecInput } from '../../src/benchmarks/spec.js';
import { UserError } from '../../src/core/errors.js';
import { sharedDir } from '../../src/core/paths.js';

/** Each recipe reads the local copy of its benchmark in ../shared/data (skipped where it is absent). */
const DATA = path.join(sharedDir(), 'data');
const absent = !fs.existsSync(DATA);
const load = (spec: BenchmarkSpecInput) =>
  loadBenchmark(spec as never, { baseDir: DATA, offline: true, log: () => {} });

describe('recipes on the shared data', { skip: absent }, () => {
  it('mmlu: the CSV folder, all three splits, subjects and the dev few-shot pool', async () => {
    const test = await load({ recipe: 'mmlu', path: 'mmlu' });
    assert.equal(test.items.length, 14079);
    const val = await load({
      recipe: 'mmlu',
      path: 'mmlu/data',
      split: 'validation',
      subjects: ['astronomy', 'virology'],
    });
    assert.deepEqual([...new Set(val.items.map((i) => i.subject))], ['astronomy', 'virology']);
    assert.equal(val.fewshotPool.get('virology')?.length, 5);
    assert.equal((await load({ recipe: 'mmlu', path: 'mmlu', split: 'dev' })).items.length, 285);
    await assert.rejects(
      load({ recipe: 'mmlu', path: 'mmlu', split: 'train' }),
      /splits test, validation \(val\) and dev/,
    );
  });

  it('arc_challenge and arc_easy: the gauntlet files, without the prompt\'s "Question: "', async () => {
    const challenge = await load({ recipe: 'arc_challenge', path: 'gauntlet' });
    assert.equal(challenge.items.length, 1172);
    assert.equal(
      challenge.items[0].question,
      'An astronomer observes that a planet rotates faster after a meteorite impact. Which is the most likely effect of this increase in rotation?',
    );
    assert.equal(challenge.items[0].choices[challenge.items[0].answer], 'Planetary days will become shorter.');
    assert.equal(challenge.items[0].subject, undefined);
    assert.equal((await load({ recipe: 'arc_easy', path: 'gauntlet/arc_easy.jsonl' })).items.length, 2376);
    await assert.rejects(
      load({ recipe: 'arc_easy', path: 'gauntlet', split: 'train' }),
      (e: unknown) => e instanceof UserError && /holds only the test split/.test(e.message),
    );
  });

  it('commonsense_qa: the lettered gauntlet file (dev = validation), choices read from the query', async () => {
    const b = await load({ recipe: 'commonsense_qa', path: 'gauntlet' });
    assert.equal(b.items.length, 1221);
    assert.equal(
      b.items[0].question,
      'A revolving door is convenient for two direction travel, but it also serves as a security measure at a what?',
    );
    // This copy lists 4 of CommonsenseQA's 5 choices.
    assert.deepEqual(b.items[0].choices, ['bank', 'department store', 'mall', 'new york']);
    assert.equal(b.items[0].answer, 0);
  });

  it('openbookqa: the gauntlet file', async () => {
    const b = await load({ recipe: 'openbookqa', path: 'gauntlet' });
    assert.equal(b.items.length, 500);
    assert.equal(b.items[0].choices[b.items[0].answer], 'quit eating lunch out');
  });

  it('hellaswag: the bz2 6-line text, validation split', async () => {
    const b = await load({ recipe: 'hellaswag', path: 'hellaswag', limit: { total: 3, seed: 1 } });
    assert.equal(b.items.length, 3);
    assert.match(b.description, /10042 items/);
    const first = await load({
      recipe: 'hellaswag',
      path: 'hellaswag/hellaswag_val_full.txt.bz2',
      limit: { total: 10042 },
    });
    // lm-eval capitalizes ctx_b ("he"); the file's own line is what llama.cpp scores.
    assert.deepEqual(first.items[0], {
      id: 'validation/0',
      question: 'Roof shingle removal: A man is sitting on a roof. He',
      choices: [
        'is using wrap to wrap a pair of skis.',
        'is ripping level tiles off.',
        "is holding a rubik's cube.",
        'starts pulling up roofing on a roof.',
      ],
      answer: 3,
      split: 'validation',
      task: 'hellaswag',
      meta: {
        activity_label: 'Roof shingle removal',
        llamaCppContext: 'Roof shingle removal: A man is sitting on a roof. he',
      },
    });
    assert.equal(first.items.filter((i) => i.question !== i.meta?.llamaCppContext).length, 3236);
  });

  it('truthfulqa_mc1: mc_task.json, the correct answer first', async () => {
    const b = await load({ recipe: 'truthfulqa_mc1', path: 'truthfulqa' });
    assert.equal(b.items.length, 817);
    assert.ok(b.items.every((i) => i.answer === 0));
    assert.equal(b.items[0].question, 'What happens if you eat a pomegranate?');
    assert.equal(b.items[0].choices.length, 4);
  });

  it("mmlu_pro: the per-category JSONL files read as the Hub's rows, categories as subjects", async () => {
    const b = await load({ recipe: 'mmlu_pro', path: 'mmlu-pro' });
    assert.equal(b.items.length, 12032);
    assert.equal(new Set(b.items.map((i) => i.subject)).size, 14);
    const law = await load({ recipe: 'mmlu_pro', path: 'mmlu-pro', subjects: ['law'] });
    assert.equal(law.items.length, 1101);
    // One row's answer_index disagrees with its answer letter; the letter is the key.
    const odd = b.items.find((i) => i.id === 'test/3983')!;
    assert.equal(odd.choices[odd.answer], 'N—H');
    assert.deepEqual(odd.meta, { src: 'ori_mmlu-high_school_chemistry', answer_index: 1 });
  });
});
