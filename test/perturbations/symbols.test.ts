import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../src/core/errors.js';
import { applyChain } from '../../src/perturbations/registry.js';
import { SYMBOL_SET_NAMES, symbolSet, toRoman } from '../../src/perturbations/symbols.js';
import { renderPrompt } from '../../src/perturbations/templates.js';
import { biology, biologyCtx } from './fixtures.js';

describe('symbol sets', () => {
  it('give their labels in order', () => {
    assert.deepEqual(symbolSet('ABCD').labels(4), ['A', 'B', 'C', 'D']);
    assert.deepEqual(symbolSet('abcd').labels(5), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(symbolSet('1234').labels(11).slice(8), ['9', '10', '11']);
    assert.deepEqual(symbolSet('roman').labels(10), ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX', 'X']);
    assert.deepEqual(symbolSet('paren').labels(3), ['A', 'B', 'C']);
    assert.deepEqual(symbolSet('signs').labels(4), ['$', '&', '#', '@']);
    assert.deepEqual(symbolSet('rare').labels(4), ['œ', '§', 'з', 'ü']);
    assert.equal(symbolSet('ABCD').labels(26).at(-1), 'Z');
  });

  it('display labels in front of the choice', () => {
    assert.equal(symbolSet('ABCD').display('A'), 'A.');
    assert.equal(symbolSet('roman').display('IV'), 'IV.');
    assert.equal(symbolSet('paren').display('A'), '(A)');
  });

  it('say when they have too few symbols', () => {
    for (const [name, n] of [
      ['signs', 5],
      ['rare', 5],
      ['ABCD', 27],
      ['abcd', 27],
      ['paren', 27],
    ] as const) {
      assert.throws(
        () => symbolSet(name).labels(n),
        (e: unknown) => e instanceof UserError && e.message.includes(`"${name}" has too few symbols`),
      );
    }
  });

  it('rejects an unknown set, listing the known ones', () => {
    assert.throws(
      () => symbolSet('greek'),
      (e: unknown) => e instanceof UserError && e.message.includes(SYMBOL_SET_NAMES.join(', ')),
    );
  });

  it('writes roman numerals', () => {
    assert.deepEqual([1, 4, 9, 14, 40, 90, 1994].map(toRoman), ['I', 'IV', 'IX', 'XIV', 'XL', 'XC', 'MCMXCIV']);
  });
});

describe('symbol sets in prompts', () => {
  const chain = (set: string) => [
    { name: 'symbols', args: { set } },
    { name: 'fewshot', args: { k: 1 } },
  ];

  it('paren shows (A) but scores and answers shots with the bare label', () => {
    const { context, continuations } = renderPrompt(applyChain(biology, chain('paren'), biologyCtx), 'symbol');
    assert.equal(
      context,
      'The following are multiple choice questions (with answers) about high school biology.\n\n' +
        'What carries oxygen in blood?\n(A) Platelets\n(B) Plasma\n(C) Red blood cells\n(D) White blood cells\nAnswer: C\n\n' +
        'Which organelle makes ATP?\n(A) Nucleus\n(B) Mitochondrion\n(C) Ribosome\n(D) Golgi apparatus\nAnswer:',
    );
    assert.deepEqual(continuations, [' A', ' B', ' C', ' D']);
  });

  it('roman, numbers and signs replace the letters everywhere', () => {
    const roman = renderPrompt(applyChain(biology, chain('roman'), biologyCtx), 'symbol');
    assert.match(roman.context, /\nIII\. Red blood cells\nIV\. White blood cells\nAnswer: III\n\n/);
    assert.match(roman.context, /\nI\. Nucleus\nII\. Mitochondrion\nIII\. Ribosome\nIV\. Golgi apparatus\nAnswer:$/);
    assert.deepEqual(roman.continuations, [' I', ' II', ' III', ' IV']);
    assert.deepEqual(renderPrompt(applyChain(biology, chain('1234'), biologyCtx), 'symbol').continuations, [
      ' 1',
      ' 2',
      ' 3',
      ' 4',
    ]);
    const signs = renderPrompt(applyChain(biology, chain('signs'), biologyCtx), 'symbol');
    assert.match(signs.context, /\n\$\. Nucleus\n&\. Mitochondrion\n#\. Ribosome\n@\. Golgi apparatus\nAnswer:$/);
    assert.deepEqual(signs.continuations, [' $', ' &', ' #', ' @']);
  });

  it('the symbols perturbation fails early on an item with too many choices', () => {
    const five = { ...biology, choices: [...biology.choices, 'Lysosome'] };
    assert.throws(
      () => applyChain(five, [{ name: 'symbols', args: { set: 'rare' } }], biologyCtx),
      /"rare" has too few symbols: 4 for 5/,
    );
  });
});
