import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../src/core/errors.js';
import { resolveStudy } from '../../src/study/load.js';
import { studySchema } from '../../src/study/schema.js';

const resolve = (benchmark: object, conditions: object[], baseline?: string) =>
  resolveStudy(
    studySchema.parse({
      name: 's',
      benchmark,
      models: [{ name: 'm', backend: 'sim', ability: 0.5 }],
      conditions,
      ...(baseline ? { baseline } : {}),
    }),
    'study.yaml',
  );

describe('conditions by protocol', () => {
  it("lm-eval takes the task's scoring and metric; explicit keys refine it", () => {
    const study = resolve(
      { recipe: 'hellaswag' },
      [
        { name: 'a', protocol: 'lm-eval' },
        { name: 'b', protocol: 'lm-eval', normalization: 'none' },
      ],
      'a',
    );
    assert.deepEqual(
      study.conditions.map((c) => [c.method, c.normalization]),
      [
        ['cloze', 'char'],
        ['cloze', 'none'],
      ],
    );
    const mmlu = resolve({ format: 'mmlu', path: 'x' }, [{ name: 'a', protocol: 'lm-eval' }], 'a');
    assert.deepEqual([mmlu.conditions[0].method, mmlu.conditions[0].normalization], ['symbol', 'none']);
  });

  it('llama.cpp: its template, cloze, per-token mean; only where llama.cpp defines it', () => {
    const study = resolve({ recipe: 'hellaswag' }, [{ name: 'l', protocol: 'llama.cpp' }], 'l');
    assert.deepEqual(
      [study.conditions[0].method, study.conditions[0].normalization, study.conditions[0].info.factors.template],
      ['cloze', 'token', 'llama.cpp'],
    );
    assert.throws(
      () => resolve({ recipe: 'mmlu' }, [{ name: 'l', protocol: 'llama.cpp' }], 'l'),
      (e: unknown) =>
        e instanceof UserError &&
        /conditions\.0\.protocol/.test(e.message) &&
        /defined for hellaswag, not mmlu/.test(e.message),
    );
  });

  it("open-llm-leaderboard-v1: the leaderboard's shot counts, before the condition's own steps", () => {
    const arc = resolve(
      { recipe: 'arc_challenge' },
      [{ name: 'v1', protocol: 'open-llm-leaderboard-v1', perturbations: [{ shuffle: { seed: 2 } }] }],
      'v1',
    );
    assert.deepEqual(arc.conditions[0].chain, [
      { name: 'fewshot', args: { k: 25, seed: 0, shuffle: false } },
      { name: 'shuffle', args: { seed: 2 } },
    ]);
    assert.equal(
      resolve({ recipe: 'hellaswag' }, [{ name: 'v1', protocol: 'open-llm-leaderboard-v1' }], 'v1').conditions[0].info
        .factors.shots,
      '10-shot',
    );
    assert.deepEqual(
      resolve({ recipe: 'truthfulqa_mc2' }, [{ name: 'v1', protocol: 'open-llm-leaderboard-v1' }], 'v1').conditions[0]
        .chain,
      [],
    );
    assert.throws(
      () => resolve({ recipe: 'truthfulqa_mc1' }, [{ name: 'v1', protocol: 'open-llm-leaderboard-v1' }], 'v1'),
      /use recipe truthfulqa_mc2/,
    );
    assert.throws(
      () => resolve({ recipe: 'piqa' }, [{ name: 'v1', protocol: 'open-llm-leaderboard-v1' }], 'v1'),
      /did not publish piqa/,
    );
  });

  it('without a baseline, a condition "lm-eval" is added first and is the baseline; an existing one is used', () => {
    const study = resolve({ recipe: 'winogrande' }, [{ name: 'sym', scoring: 'symbol' }]);
    assert.equal(study.spec.baseline, 'lm-eval');
    assert.deepEqual(
      study.conditions.map((c) => [c.name, c.method, c.normalization]),
      [
        ['lm-eval', 'cloze', 'none'],
        ['sym', 'symbol', 'none'],
      ],
    );
    // The filled-in spec resolves to the same conditions (the report re-renders prompts from it).
    assert.deepEqual(resolveStudy(studySchema.parse(study.spec), 'study.yaml').conditions, study.conditions);
    const own = resolve({ recipe: 'winogrande' }, [{ name: 'lm-eval', scoring: 'symbol' }]);
    assert.deepEqual(
      own.conditions.map((c) => c.name),
      ['lm-eval'],
    );
  });

  it('a condition needs scoring or a protocol', () => {
    assert.throws(
      () =>
        studySchema.parse({
          name: 's',
          benchmark: { recipe: 'mmlu' },
          models: [{ name: 'm', backend: 'sim', ability: 0.5 }],
          conditions: [{ name: 'x' }],
        }),
      /give scoring \(symbol, hybrid, cloze or generate\) or a protocol/,
    );
  });
});
