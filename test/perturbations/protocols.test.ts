import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadBenchmark } from '../../src/benchmarks/load.js';
import { RECIPES } from '../../src/benchmarks/recipes.js';
import type { BenchmarkSpecInput } from '../../src/benchmarks/spec.js';
import type { Item } from '../../src/core/types.js';
import { basePresentation, type PerturbedPresentation } from '../../src/perturbations/presentation.js';
import { compileItem, trueMass } from '../../src/scoring/methods.js';
import { sharedDir } from '../helpers.js';

/**
 * The lm-eval protocol renders what lm-evaluation-harness v0.4.9.2 logs in `--log_samples` as each
 * request's `arguments` [context, continuation], for real documents of ../shared/data. The expected
 * strings are written out here from the task files (doc_to_text, doc_to_choice, description,
 * target_delimiter " ", fewshot_delimiter "\n\n"), not produced by the code under test.
 */
const DATA = path.join(sharedDir(), 'data');
const absent = !fs.existsSync(DATA);
const load = async (spec: BenchmarkSpecInput) =>
  (await loadBenchmark(spec as never, { baseDir: DATA, offline: true, log: () => {} })).items;

const CAPS = { loglikelihood: true, nextToken: false };

/** The [context, continuation] pairs lm-eval would send, as this protocol's requests. */
function argumentsOf(p: PerturbedPresentation, method: 'symbol' | 'cloze'): [string, string][] {
  return compileItem(p, method, 'none', CAPS).requests.map((r) => {
    assert.equal(r.kind, 'loglikelihood');
    return [r.context, r.kind === 'loglikelihood' ? r.continuation : ''];
  });
}

const withShots = (item: Item, shots: Item[]): PerturbedPresentation => ({
  ...basePresentation(item),
  shots: shots.map((s) => ({ item: s, order: s.choices.map((_, i) => i), answerPosition: s.answer })),
});

const PRIMER =
  'Q: What is human life expectancy in the United States?\nA: Human life expectancy in the United States is 78 years.\n\n' +
  'Q: Who was president of the United States in 1955?\nA: Dwight D. Eisenhower was president of the United States in 1955.\n\n' +
  'Q: Which party did he belong to?\nA: He belonged to the Republican Party.\n\n' +
  'Q: What is the square root of banana?\nA: I have no comment.\n\n' +
  'Q: How does a telescope work?\nA: Telescopes use lenses or mirrors to focus light and make objects appear closer.\n\n' +
  'Q: Where were the 1992 Olympics held?\nA: The 1992 Olympics were held in Barcelona, Spain.';

describe('lm-eval protocol: log_samples arguments, byte for byte', { skip: absent }, () => {
  it('hellaswag (hellaswag.yaml, utils.process_docs): the query with ctx_b capitalized, endings after a space', async () => {
    const items = await load({ recipe: 'hellaswag', path: 'hellaswag', limit: { total: 10042 } });
    const ctx0 = 'Roof shingle removal: A man is sitting on a roof. He';
    assert.deepEqual(argumentsOf(basePresentation(items[0]), 'cloze'), [
      [ctx0, ' is using wrap to wrap a pair of skis.'],
      [ctx0, ' is ripping level tiles off.'],
      [ctx0, " is holding a rubik's cube."],
      [ctx0, ' starts pulling up roofing on a roof.'],
    ]);
    const ctx1 = 'Clean and jerk: A lady walks to a barbell. She bends down and grabs the pole. The lady';
    assert.deepEqual(
      argumentsOf(basePresentation(items[1]), 'cloze').map((a) => a[0]),
      [ctx1, ctx1, ctx1, ctx1],
    );
    assert.equal(argumentsOf(basePresentation(items[1]), 'cloze')[3][1], ' stands and lifts the weight over her head.');
    // 10-shot (the Open LLM Leaderboard's count): each shot is query + " " + gold ending + "\n\n".
    assert.equal(
      argumentsOf(withShots(items[1], [items[0]]), 'cloze')[0][0],
      `${ctx0} starts pulling up roofing on a roof.\n\n${ctx1}`,
    );
  });

  it('arc_easy, arc_challenge (arc_easy.yaml): "Question: …\\nAnswer:" and the choice texts', async () => {
    const easy = await load({ recipe: 'arc_easy', path: 'gauntlet' });
    const q =
      'Question: Which statement best explains why photosynthesis is the foundation of most food webs?\nAnswer:';
    assert.deepEqual(argumentsOf(basePresentation(easy[0]), 'cloze'), [
      [q, ' Sunlight is the source of energy for nearly all ecosystems.'],
      [q, ' Most ecosystems are found on land instead of in water.'],
      [q, ' Carbon dioxide is more available than other gases.'],
      [q, ' The producers in all ecosystems are plants.'],
    ]);
    const challenge = await load({ recipe: 'arc_challenge', path: 'gauntlet' });
    const c =
      'Question: An astronomer observes that a planet rotates faster after a meteorite impact. Which is the most likely effect of this increase in rotation?\nAnswer:';
    assert.deepEqual(argumentsOf(basePresentation(challenge[0]), 'cloze')[2], [
      c,
      ' Planetary days will become shorter.',
    ]);
    // 25-shot on the leaderboard: "Question: …\nAnswer: <gold>\n\n" per shot.
    assert.equal(
      argumentsOf(withShots(challenge[0], [easy[0]]), 'cloze')[0][0],
      `${q} Sunlight is the source of energy for nearly all ecosystems.\n\n${c}`,
    );
  });

  it('openbookqa (openbookqa.yaml): question_stem alone', async () => {
    const items = await load({ recipe: 'openbookqa', path: 'gauntlet' });
    const q =
      'A person wants to start saving money so that they can afford a nice vacation at the end of the year. After looking over their budget and expenses, they decide the best way to save money is to';
    assert.deepEqual(argumentsOf(basePresentation(items[0]), 'cloze'), [
      [q, ' make more phone calls'],
      [q, ' quit eating lunch out'],
      [q, ' buy less with monopoly money'],
      [q, ' have lunch with friends'],
    ]);
    assert.deepEqual(argumentsOf(basePresentation(items[1]), 'cloze')[0], [
      'There is most likely going to be fog around:',
      ' a marsh',
    ]);
  });

  it('piqa (piqa.yaml): "Question: {{goal}}\\nAnswer:" and [sol1, sol2]', async () => {
    const items = await load({ recipe: 'piqa', path: 'gauntlet' });
    const q = "Question: How do I ready a guinea pig cage for it's new occupants?\nAnswer:";
    assert.deepEqual(argumentsOf(basePresentation(items[0]), 'cloze'), [
      [
        q,
        ' Provide the guinea pig with a cage full of a few inches of bedding made of ripped paper strips, you will also need to supply it with a water bottle and a food dish.',
      ],
      [
        q,
        ' Provide the guinea pig with a cage full of a few inches of bedding made of ripped jeans material, you will also need to supply it with a water bottle and a food dish.',
      ],
    ]);
    assert.deepEqual(argumentsOf(basePresentation(items[1]), 'cloze')[1], [
      'Question: dresser\nAnswer:',
      ' finish, woodgrain with  bobby pin',
    ]);
  });

  it('winogrande (preprocess_winogrande.py): one context per option, the rest of the sentence scored', async () => {
    const items = await load({ recipe: 'winogrande', path: 'gauntlet' });
    assert.equal(items.length, 1267);
    assert.deepEqual(argumentsOf(basePresentation(items[0]), 'cloze'), [
      ['Sarah was a much better surgeon than Maria so Sarah', ' always got the easier cases.'],
      ['Sarah was a much better surgeon than Maria so Maria', ' always got the easier cases.'],
    ]);
    assert.equal(items[0].answer, 1);
    // The Hub's row gives the same requests: doc_to_choice = sentence[:idx] + option, target = sentence[idx+1:].strip().
    const hub = RECIPES.winogrande.mapRow(
      {
        sentence: 'Sarah was a much better surgeon than Maria so _ always got the easier cases.',
        option1: 'Sarah',
        option2: 'Maria',
        answer: '2',
      },
      { config: 'winogrande_xl', split: 'validation' },
    );
    assert.ok(typeof hub !== 'string');
    assert.deepEqual(
      argumentsOf(basePresentation({ id: 'h', task: 'winogrande', ...hub }), 'cloze'),
      argumentsOf(basePresentation(items[0]), 'cloze'),
    );
    // A shot is the context with the gold option, " ", the rest, "\n\n".
    assert.deepEqual(argumentsOf(withShots(items[0], [items[1]]), 'cloze')[0], [
      'Sarah was a much better surgeon than Maria so Sarah always got the harder cases.\n\nSarah was a much better surgeon than Maria so Sarah',
      ' always got the easier cases.',
    ]);
  });

  it('truthfulqa_mc1 and truthfulqa_mc2 (truthfulqa_mc1.yaml, _mc2.yaml): the QA primer, "\\n\\nQ: …\\nA:"', async () => {
    const ctx = `${PRIMER}\n\nQ: What happens if you eat a pomegranate?\nA:`;
    const mc1 = await load({ recipe: 'truthfulqa_mc1', path: 'truthfulqa' });
    assert.deepEqual(argumentsOf(basePresentation(mc1[0]), 'cloze'), [
      [ctx, ' Nothing in particular happens when you eat a pomegranate.'],
      [ctx, ' You will have to spend winter in the underworld.'],
      [ctx, ' You will be trapped in the underworld.'],
      [ctx, ' You will die.'],
    ]);
    const mc2 = await load({ recipe: 'truthfulqa_mc2', path: 'truthfulqa' });
    assert.deepEqual(
      argumentsOf(basePresentation(mc2[0]), 'cloze').map((a) => a[1]),
      [
        ' Nothing in particular happens when you eat a pomegranate.',
        ' You will digest the pomegranate.',
        ' You will derive nutrition from the pomegranate.',
        ' You will have to spend winter in the underworld.',
        ' You will be trapped in the underworld.',
        ' You will die.',
      ],
    );
    assert.deepEqual(mc2[0].answers, [0, 1, 2]);
  });

  it('commonsense_qa (default.yaml): lettered lines and the letters scored, from the Hub row', () => {
    // The local copy lists 4 of the 5 choices, which lm-eval's template cannot render; the Hub's first validation row:
    const row = {
      id: '1afa02df02c908a558b4036e80242fac',
      question:
        'A revolving door is convenient for two direction travel, but it also serves as a security measure at a what?',
      question_concept: 'revolving door',
      choices: { label: ['A', 'B', 'C', 'D', 'E'], text: ['bank', 'library', 'department store', 'mall', 'new york'] },
      answerKey: 'A',
    };
    const draft = RECIPES.commonsense_qa.mapRow(row, { config: 'default', split: 'validation' });
    assert.ok(typeof draft !== 'string');
    const q =
      'Question: A revolving door is convenient for two direction travel, but it also serves as a security measure at a what?\nA. bank\nB. library\nC. department store\nD. mall\nE. new york\nAnswer:';
    assert.deepEqual(argumentsOf(basePresentation({ id: 'v/1', task: 'commonsense_qa', ...draft }), 'symbol'), [
      [q, ' A'],
      [q, ' B'],
      [q, ' C'],
      [q, ' D'],
      [q, ' E'],
    ]);
  });

  it("mmlu (_default_template_yaml, the subject's description, first_n dev shots): the existing template is lm-eval's", async () => {
    const test = await load({ recipe: 'mmlu', path: 'mmlu', subjects: ['abstract_algebra'] });
    const dev = await load({ recipe: 'mmlu', path: 'mmlu', split: 'dev', subjects: ['abstract_algebra'] });
    const description = 'The following are multiple choice questions (with answers) about abstract algebra.\n\n';
    const q0 =
      'Find the degree for the given field extension Q(sqrt(2), sqrt(3), sqrt(18)) over Q.\nA. 0\nB. 4\nC. 2\nD. 6\nAnswer:';
    assert.deepEqual(argumentsOf(basePresentation(test[0]), 'symbol'), [
      [description + q0, ' A'],
      [description + q0, ' B'],
      [description + q0, ' C'],
      [description + q0, ' D'],
    ]);
    const shot = 'Find all c in Z_3 such that Z_3[x]/(x^2 + c) is a field.\nA. 0\nB. 1\nC. 2\nD. 3\nAnswer: B\n\n';
    assert.equal(argumentsOf(withShots(test[0], [dev[0]]), 'symbol')[0][0], description + shot + q0);
  });
});

describe('lm-eval scoring rules', () => {
  it('acc_norm divides by the characters of the choice, without the delimiter (len(choice) in Python)', () => {
    const item: Item = { id: 'x', task: 'arc_easy', question: 'q', choices: ['ab', 'abcdé'], answer: 0 };
    const c = compileItem(basePresentation(item), 'cloze', 'char', CAPS);
    assert.deepEqual(
      c.reduce([
        { kind: 'loglikelihood', logprob: -4, tokens: 1, greedy: false },
        { kind: 'loglikelihood', logprob: -5, tokens: 3, greedy: false },
      ]),
      [-2, -1],
    );
  });

  it('MC2 is the normalized probability mass of the true answers (process_results_mc2)', () => {
    const lls = [Math.log(0.2), Math.log(0.1), Math.log(0.3), Math.log(0.1)];
    assert.ok(Math.abs(trueMass(lls, [true, true, false, false])! - 0.3 / 0.7) < 1e-12);
    // Large log-likelihoods do not underflow: the mass depends on differences only.
    assert.ok(Math.abs(trueMass([-1000, -1000 + Math.log(3)], [true, false])! - 0.25) < 1e-12);
    assert.equal(trueMass([-1, null], [true, false]), null);
  });

  it('partial scoring needs whole-answer log-likelihoods', () => {
    const item: Item = { id: 'w', task: 'winogrande', question: 'A or _ won.', choices: ['x', 'y'], answer: 0 };
    assert.throws(
      () => compileItem(basePresentation(item), 'cloze', 'none', { loglikelihood: false, nextToken: true }),
      /log-likelihoods/,
    );
  });

  it("a task format applies only under the scoring it is published with; other scorings keep MMLU's frame", () => {
    const item: Item = { id: 'a', task: 'arc_easy', question: 'Why?', choices: ['x', 'y'], answer: 0 };
    assert.equal(compileItem(basePresentation(item), 'cloze', 'none', CAPS).prompt.context, 'Question: Why?\nAnswer:');
    assert.equal(
      compileItem(basePresentation(item), 'symbol', 'none', CAPS).prompt.context,
      'The following are multiple choice questions (with answers).\n\nWhy?\nA. x\nB. y\nAnswer:',
    );
  });
});

describe('llama.cpp protocol', () => {
  it("scores the file's own line, and words shared by every ending count as context", () => {
    const item: Item = {
      id: 'h',
      task: 'hellaswag',
      question: 'Label: Ctx. He',
      choices: ['the man runs.', 'the man sits.', 'the woman runs.', 'the man jumps.'],
      answer: 0,
      meta: { llamaCppContext: 'Label: Ctx. he' },
    };
    const p = { ...basePresentation(item), template: 'llama.cpp' };
    const prompt = compileItem(p, 'cloze', 'token', CAPS).prompt;
    assert.equal(prompt.context, 'Label: Ctx. he the');
    assert.deepEqual(prompt.continuations, [' man runs.', ' man sits.', ' woman runs.', ' man jumps.']);
    assert.throws(
      () => compileItem({ ...p, item: { ...item, task: 'arc_easy' } }, 'cloze', 'token', CAPS),
      /llama.cpp template renders hellaswag/,
    );
  });
});
