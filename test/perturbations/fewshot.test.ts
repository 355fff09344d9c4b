import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../src/core/errors.js';
import { goldPosition, type Item } from '../../src/core/types.js';
import { applyChain, type PerturbationStep } from '../../src/perturbations/registry.js';
import { renderPrompt } from '../../src/perturbations/templates.js';
import { biology, biologyCtx, biologyDev, ctxWith } from './fixtures.js';

const shotsOf = (chain: PerturbationStep[], ctx = biologyCtx, item = biology) => applyChain(item, chain, ctx).shots;
const ids = (shots: { item: Item }[]) => shots.map((s) => s.item.id);
const itemIds = (items: Item[]) => items.map((item) => item.id);

describe('fewshot', () => {
  it('takes the first k pool items in file order, in their original order, answered with the gold', () => {
    const shots = shotsOf([{ name: 'fewshot', args: { k: 2 } }]);
    assert.deepEqual(ids(shots), itemIds(biologyDev.slice(0, 2)));
    assert.deepEqual(
      shots.map((s) => s.order),
      [
        [0, 1, 2, 3],
        [0, 1, 2, 3],
      ],
    );
    assert.deepEqual(
      shots.map((s) => s.answerPosition),
      [2, 1],
    );
  });

  it('k = 0 shows no shots', () => {
    assert.deepEqual(shotsOf([{ name: 'fewshot', args: { k: 0 } }]), []);
  });

  it('skips the test item when it is in the pool', () => {
    const ctx = ctxWith([biology, ...biologyDev]);
    assert.deepEqual(ids(shotsOf([{ name: 'fewshot', args: { k: 3 } }], ctx)), itemIds(biologyDev));
  });

  it('says when the pool is too small', () => {
    assert.throws(
      () => shotsOf([{ name: 'fewshot', args: { k: 4 } }]),
      (e: unknown) =>
        e instanceof UserError &&
        /k=4 but the few-shot pool has only 3 items for subject "high_school_biology"/.test(e.message),
    );
    assert.throws(
      () => shotsOf([{ name: 'fewshot', args: { k: 3 } }], ctxWith([biology, ...biologyDev.slice(1)])),
      UserError,
    );
  });

  it('shuffle draws a seeded sample, the same every time', () => {
    const pool = Array.from({ length: 20 }, (_, i) => ({ ...biologyDev[0], id: `dev/${i}` }));
    const draw = (seed: number, ctxSeed = 1) =>
      ids(shotsOf([{ name: 'fewshot', args: { k: 5, shuffle: true, seed } }], ctxWith(pool, ctxSeed))).join();
    assert.equal(draw(1), draw(1));
    assert.notEqual(draw(1), draw(2));
    assert.notEqual(draw(1, 1), draw(1, 2));
    assert.notEqual(draw(1), itemIds(pool.slice(0, 5)).join());
  });

  it('replaces earlier shots', () => {
    const shots = shotsOf([
      { name: 'self-shot', args: { answer: 'correct' } },
      { name: 'fewshot', args: { k: 1 } },
    ]);
    assert.deepEqual(ids(shots), [biologyDev[0].id]);
  });
});

describe('fewshot-same-answer', () => {
  it('reorders every shot so that its gold sits at the position', () => {
    const shots = shotsOf([{ name: 'fewshot-same-answer', args: { k: 3, position: 'D' } }]);
    assert.deepEqual(ids(shots), itemIds(biologyDev));
    for (const shot of shots) {
      assert.equal(shot.answerPosition, 3);
      assert.equal(shot.order[3], shot.item.answer);
    }
    // Red blood cells (index 2) swapped with White blood cells (index 3); the others stay.
    assert.deepEqual(shots[0].order, [0, 1, 3, 2]);
    const { context } = renderPrompt(
      applyChain(biology, [{ name: 'fewshot-same-answer', args: { k: 3, position: 'D' } }], biologyCtx),
      'symbol',
    );
    assert.equal(context.match(/\nAnswer: D\n\n/g)?.length, 3);
    assert.match(
      context,
      /What carries oxygen in blood\?\nA\. Platelets\nB\. Plasma\nC\. White blood cells\nD\. Red blood cells\nAnswer: D/,
    );
  });

  it('picks the same shots as fewshot with the same args', () => {
    const args = { k: 2, shuffle: true, seed: 4 };
    assert.deepEqual(
      ids(shotsOf([{ name: 'fewshot-same-answer', args: { ...args, position: 0 } }])),
      ids(shotsOf([{ name: 'fewshot', args }])),
    );
  });

  it("refuses a position beyond a shot's choices", () => {
    assert.throws(() => shotsOf([{ name: 'fewshot-same-answer', args: { k: 1, position: 'E' } }]), UserError);
  });
});

describe('self-shot', () => {
  it('shows the test item itself, in its shown order, with the correct answer', () => {
    const p = applyChain(
      biology,
      [
        { name: 'reverse', args: {} },
        { name: 'self-shot', args: { answer: 'correct' } },
      ],
      biologyCtx,
    );
    assert.equal(p.shots.length, 1);
    assert.equal(p.shots[0].item, biology);
    assert.deepEqual(p.shots[0].order, p.order);
    assert.equal(p.shots[0].answerPosition, goldPosition(p));
    const { context } = renderPrompt(p, 'hybrid');
    assert.match(context, /\nD\. Nucleus\nAnswer: Mitochondrion\n\nWhich organelle/);
  });

  it('with a wrong answer, picks a seeded non-gold position', () => {
    const wrongFor = (id: string, seed = 1) =>
      applyChain({ ...biology, id }, [{ name: 'self-shot', args: { answer: 'wrong' } }], ctxWith([], seed)).shots[0]
        .answerPosition;
    const testIds = Array.from({ length: 40 }, (_, i) => `bio/${i}`);
    for (const id of testIds) {
      assert.notEqual(wrongFor(id), biology.answer);
      assert.equal(wrongFor(id), wrongFor(id));
    }
    assert.deepEqual(new Set(testIds.map((id) => wrongFor(id))), new Set([0, 2, 3]), 'every wrong position is used');
  });

  it('needs a wrong choice to exist', () => {
    const single = { ...biology, choices: ['Only'], answer: 0 };
    assert.throws(() => applyChain(single, [{ name: 'self-shot', args: { answer: 'wrong' } }], biologyCtx), UserError);
  });

  it('carries detached symbols along with the lines', () => {
    const p = applyChain(
      biology,
      [
        { name: 'shuffle-pairs', args: { seed: 2 } },
        { name: 'self-shot', args: { answer: 'correct' } },
      ],
      biologyCtx,
    );
    const { context } = renderPrompt(p, 'symbol');
    const [shotBlock, testBlock] = context.split('\n\n').slice(1);
    assert.equal(shotBlock.replace(/ [A-D]$/, ''), testBlock);
  });
});
