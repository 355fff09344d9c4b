import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../src/core/errors.js';
import { goldPosition, type Item } from '../../src/core/types.js';
import { applyChain, type PerturbationStep } from '../../src/perturbations/registry.js';
import { renderPrompt } from '../../src/perturbations/templates.js';
import { ctxWith, wxyz } from './fixtures.js';

const ctx = ctxWith([]);
const apply = (chain: PerturbationStep[], item: Item = wxyz, seed = 1) => applyChain(item, chain, ctxWith([], seed));
const orderOf = (...chain: PerturbationStep[]) => apply(chain).order;
const isPermutation = (order: number[], n: number) =>
  [...order].sort((a, b) => a - b).join() === Array.from({ length: n }, (_, i) => i).join();

describe('shuffle', () => {
  it('permutes the texts while the symbols stay in order', () => {
    const p = apply([{ name: 'shuffle', args: { seed: 3 } }]);
    assert.ok(isPermutation(p.order, 4));
    assert.equal(p.labelOrder, undefined);
    const { context } = renderPrompt(p, 'symbol');
    const lines = context.split('\n').slice(-5, -1);
    assert.deepEqual(
      lines.map((l) => l[0]),
      ['A', 'B', 'C', 'D'],
    );
    assert.deepEqual(
      lines.map((l) => l.slice(3)),
      p.order.map((i) => wxyz.choices[i]),
    );
  });

  it('is deterministic and depends on its seed, the condition seed and the item id', () => {
    const shuffleOf = (seed: number, conditionSeed: number, id: string) =>
      apply([{ name: 'shuffle', args: { seed } }], { ...wxyz, id }, conditionSeed).order.join('');
    assert.equal(shuffleOf(1, 1, 'a'), shuffleOf(1, 1, 'a'));
    const ids = Array.from({ length: 40 }, (_, i) => `toy/${i}`);
    assert.ok(new Set(ids.map((id) => shuffleOf(1, 1, id))).size > 5, 'different items get their own permutation');
    assert.ok(
      ids.some((id) => shuffleOf(1, 1, id) !== shuffleOf(2, 1, id)),
      'the seed arg matters',
    );
    assert.ok(
      ids.some((id) => shuffleOf(1, 1, id) !== shuffleOf(1, 2, id)),
      'the condition seed matters',
    );
  });

  it('does not depend on which other items are in the run', () => {
    const other: Item = { ...wxyz, id: 'toy/other', choices: ['1', '2', '3', '4', '5'] };
    const chain = [{ name: 'shuffle', args: { seed: 9 } }];
    const alone = applyChain(wxyz, chain, ctx);
    const run = [other, wxyz, other].map((item) => applyChain(item, chain, ctx));
    assert.deepEqual(run[1], alone);
  });
});

describe('shuffle-pairs', () => {
  it('moves each line with the symbol of its original position', () => {
    const p = apply([{ name: 'shuffle-pairs', args: { seed: 3 } }]);
    assert.deepEqual(p.labelOrder, p.order, 'starting from the identity, each text keeps its own letter');
    const { context, continuations } = renderPrompt(p, 'symbol');
    for (const line of context.split('\n').slice(-5, -1)) {
      const [label, text] = [line[0], line.slice(3)];
      assert.equal(wxyz.choices['ABCD'.indexOf(label)], text);
    }
    assert.deepEqual(
      continuations,
      p.labelOrder!.map((i) => ` ${'ABCD'[i]}`),
    );
    assert.equal(wxyz.choices[p.order[goldPosition(p)]], 'x');
  });

  it('after another reordering, labels travel with the lines they were on', () => {
    const p = apply([
      { name: 'reverse', args: {} },
      { name: 'shuffle-pairs', args: { seed: 5 } },
    ]);
    // reversed: A. z, B. y, C. x, D. w — so z keeps A, y keeps B...
    const { context } = renderPrompt(p, 'symbol');
    for (const line of context.split('\n').slice(-5, -1)) {
      assert.equal('zyxw'['ABCD'.indexOf(line[0])], line.slice(3));
    }
  });

  it('the hybrid and cloze continuations are the texts in shown order', () => {
    const p = apply([{ name: 'shuffle-pairs', args: { seed: 3 } }]);
    assert.deepEqual(
      renderPrompt(p, 'hybrid').continuations,
      p.order.map((i) => ` ${wxyz.choices[i]}`),
    );
  });
});

describe('rotate', () => {
  it('brings the text at position k first', () => {
    assert.deepEqual(orderOf({ name: 'rotate', args: { k: 0 } }), [0, 1, 2, 3]);
    assert.deepEqual(orderOf({ name: 'rotate', args: { k: 1 } }), [1, 2, 3, 0]);
    assert.deepEqual(orderOf({ name: 'rotate', args: { k: 3 } }), [3, 0, 1, 2]);
    assert.deepEqual(orderOf({ name: 'rotate', args: { k: -1 } }), [3, 0, 1, 2]);
    assert.deepEqual(orderOf({ name: 'rotate', args: { k: 5 } }), [1, 2, 3, 0]);
  });

  it('composes with the current order', () => {
    assert.deepEqual(orderOf({ name: 'reverse', args: {} }, { name: 'rotate', args: { k: 1 } }), [2, 1, 0, 3]);
  });
});

describe('fix-answer', () => {
  it('swaps the gold text with the one at the position; others stay', () => {
    assert.deepEqual(orderOf({ name: 'fix-answer', args: { position: 'A' } }), [1, 0, 2, 3]);
    assert.deepEqual(orderOf({ name: 'fix-answer', args: { position: 'D' } }), [0, 3, 2, 1]);
    assert.deepEqual(orderOf({ name: 'fix-answer', args: { position: 'b' } }), [0, 1, 2, 3]);
    assert.deepEqual(orderOf({ name: 'fix-answer', args: { position: 2 } }), [0, 2, 1, 3]);
  });

  it('finds the gold wherever earlier steps moved it', () => {
    const p = apply([
      { name: 'reverse', args: {} },
      { name: 'fix-answer', args: { position: 'A' } },
    ]);
    assert.deepEqual(p.order, [1, 2, 3, 0]);
    assert.equal(goldPosition(p), 0);
  });

  it('refuses a position beyond the choices', () => {
    assert.throws(() => orderOf({ name: 'fix-answer', args: { position: 'E' } }), UserError);
    assert.throws(() => orderOf({ name: 'fix-answer', args: { position: 4 } }), /beyond the 4 choices of toy\/0/);
  });
});

describe('reverse', () => {
  it('reverses the texts', () => {
    assert.deepEqual(orderOf({ name: 'reverse', args: {} }), [3, 2, 1, 0]);
    assert.deepEqual(orderOf({ name: 'reverse', args: {} }, { name: 'reverse', args: {} }), [0, 1, 2, 3]);
  });
});

describe('symbols and template perturbations', () => {
  it('set the symbol set and template names', () => {
    const p = apply([
      { name: 'symbols', args: { set: 'roman' } },
      { name: 'template', args: { name: 'helm' } },
    ]);
    assert.equal(p.symbolSet, 'roman');
    assert.equal(p.template, 'helm');
    assert.deepEqual(p.order, [0, 1, 2, 3]);
  });
});

describe('circular', () => {
  it('cannot be applied before expansion', () => {
    assert.throws(() => apply([{ name: 'circular', args: {} }]), /expandCircular/);
  });
});
