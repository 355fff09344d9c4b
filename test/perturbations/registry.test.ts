import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UserError } from '../../src/core/errors.js';
import { goldPosition } from '../../src/core/types.js';
import {
  applyChain,
  basePresentation,
  compileChain,
  expandCircular,
  factorsOf,
  normalizeEntry,
  perturbationEntrySchema,
  PERTURBATION_NAMES,
} from '../../src/perturbations/registry.js';
import { biology, biologyCtx, wxyz } from './fixtures.js';

const messagesOf = (entry: unknown) =>
  perturbationEntrySchema.safeParse(entry).error?.issues.map((i) => i.message) ?? [];

describe('study-file entries', () => {
  it('accept bare names and one-key objects', () => {
    for (const entry of [
      'reverse',
      'circular',
      'shuffle',
      { shuffle: { seed: 1 } },
      { 'fix-answer': { position: 'A' } },
      { symbols: { set: 'roman' } },
      { template: { name: 'helm' } },
      { fewshot: { k: 5, shuffle: true } },
      { 'self-shot': { answer: 'wrong' } },
      { reverse: null },
    ]) {
      assert.deepEqual(messagesOf(entry), [], JSON.stringify(entry));
    }
  });

  it('name the unknown perturbation and list the known ones', () => {
    const [message] = messagesOf({ shufle: { seed: 1 } });
    assert.match(message, /unknown perturbation "shufle"/);
    for (const name of PERTURBATION_NAMES) assert.ok(message.includes(name));
    assert.match(messagesOf('revers')[0], /unknown perturbation "revers"/);
  });

  it('point at the bad argument', () => {
    const result = perturbationEntrySchema.safeParse({ rotate: { k: 1.5 } });
    assert.deepEqual(result.error?.issues[0].path, ['rotate', 'k']);
    assert.match(messagesOf({ symbols: { set: 'greek' } })[0], /^symbols: set: .*roman/);
    assert.match(messagesOf({ shuffle: { sed: 1 } })[0], /sed/);
    assert.match(messagesOf('rotate')[0], /rotate needs args/);
    assert.match(messagesOf({ 'fix-answer': { position: 'AB' } })[0], /letter/);
    assert.match(messagesOf({ shuffle: {}, reverse: {} })[0], /exactly one key/);
    assert.match(messagesOf(42)[0], /name or a one-key object/);
  });

  it('normalize to {name, args} with defaults filled, and args that parse to themselves', () => {
    assert.deepEqual(normalizeEntry('reverse'), { name: 'reverse', args: {} });
    assert.deepEqual(normalizeEntry('shuffle'), { name: 'shuffle', args: { seed: 0 } });
    assert.deepEqual(normalizeEntry({ 'fix-answer': { position: 'C' } }), {
      name: 'fix-answer',
      args: { position: 2 },
    });
    assert.deepEqual(normalizeEntry('circular'), { name: 'circular', args: { n: 4 } });
    const fewshot = normalizeEntry({ fewshot: { k: 5 } });
    assert.deepEqual(fewshot, { name: 'fewshot', args: { k: 5, seed: 0, shuffle: false } });
    const steps = [normalizeEntry({ 'fewshot-same-answer': { k: 1, position: 'B' } })];
    assert.deepEqual(
      steps.map((s) => normalizeEntry({ [s.name]: s.args as Record<string, unknown> })),
      steps,
    );
  });

  it('normalizeEntry throws a UserError on a bad entry', () => {
    assert.throws(
      () => normalizeEntry('nope'),
      (e: unknown) => e instanceof UserError && /known perturbations: shuffle/.test(e.message),
    );
    assert.throws(() => normalizeEntry({ rotate: {} }), UserError);
  });
});

describe('chains', () => {
  it('the base presentation is the standard format', () => {
    assert.deepEqual(basePresentation(wxyz), {
      item: wxyz,
      order: [0, 1, 2, 3],
      symbolSet: 'ABCD',
      template: 'lm-eval',
      shots: [],
    });
    assert.deepEqual(applyChain(wxyz, [], biologyCtx), basePresentation(wxyz));
  });

  it('apply their steps in order', () => {
    const p = applyChain(
      wxyz,
      [
        { name: 'rotate', args: { k: 1 } },
        { name: 'fix-answer', args: { position: 'D' } },
      ],
      biologyCtx,
    );
    assert.deepEqual(p.order, [0, 2, 3, 1]); // rotated [1, 2, 3, 0], then x and w swapped
    assert.equal(goldPosition(p), 3);
  });

  it('validate args when compiled', () => {
    assert.throws(
      () => compileChain([{ name: 'rotate', args: { k: 'one' } }]),
      /invalid args for perturbation "rotate": k:/,
    );
    assert.throws(() => compileChain([{ name: 'spin', args: {} }]), UserError);
  });

  it('never modify the item', () => {
    const item = structuredClone(biology);
    applyChain(
      item,
      ['shuffle', 'reverse', { fewshot: { k: 2 } }, { 'self-shot': { answer: 'wrong' } }].map(normalizeEntry),
      biologyCtx,
    );
    assert.deepEqual(item, biology);
  });
});

describe('expandCircular', () => {
  it('turns circular into n rotations, suffixed rot0..', () => {
    const chain = [normalizeEntry('circular'), normalizeEntry({ symbols: { set: 'roman' } })];
    const expanded = expandCircular(chain);
    assert.deepEqual(
      expanded.map((e) => e.suffix),
      ['rot0', 'rot1', 'rot2', 'rot3'],
    );
    assert.deepEqual(expanded[2].chain, [
      { name: 'rotate', args: { k: 2 } },
      { name: 'symbols', args: { set: 'roman' } },
    ]);
    assert.equal(expandCircular([{ name: 'circular', args: { n: 5 } }]).length, 5);
  });

  it('puts the gold at every position exactly once', () => {
    const golds = expandCircular([normalizeEntry('circular')]).map(({ chain }) =>
      goldPosition(applyChain(wxyz, chain, biologyCtx)),
    );
    assert.deepEqual(golds.sort(), [0, 1, 2, 3]);
  });

  it('leaves other chains alone and refuses two circulars', () => {
    const chain = [normalizeEntry('reverse')];
    assert.deepEqual(expandCircular(chain), [{ suffix: '', chain }]);
    assert.throws(() => expandCircular([normalizeEntry('circular'), normalizeEntry('circular')]), UserError);
  });
});

describe('factorsOf', () => {
  it('labels the standard format', () => {
    assert.deepEqual(factorsOf([], 'symbol'), {
      order: 'original',
      symbols: 'ABCD',
      template: 'lm-eval',
      scoring: 'symbol',
      shots: '0-shot',
    });
  });

  it('labels each factor a chain varies', () => {
    const chain = [
      { shuffle: { seed: 1 } },
      { 'fix-answer': { position: 'A' } },
      { symbols: { set: 'roman' } },
      { template: { name: 'helm' } },
      { fewshot: { k: 5 } },
    ].map(normalizeEntry);
    assert.deepEqual(factorsOf(chain, 'hybrid', 'char'), {
      order: 'shuffle(seed=1) + fix-answer(A)',
      symbols: 'roman',
      template: 'helm',
      scoring: 'hybrid/char',
      shots: '5-shot',
    });
  });

  it('labels the shot variants', () => {
    const shots = (entry: Parameters<typeof normalizeEntry>[0]) => factorsOf([normalizeEntry(entry)], 'cloze').shots;
    assert.equal(shots({ fewshot: { k: 3, shuffle: true, seed: 2 } }), '3-shot(shuffled, seed=2)');
    assert.equal(shots({ 'fewshot-same-answer': { k: 5, position: 0 } }), '5-shot(all A)');
    assert.equal(shots({ 'self-shot': { answer: 'wrong' } }), 'self-shot(wrong)');
    assert.equal(factorsOf([normalizeEntry({ rotate: { k: 2 } })], 'symbol', 'none').order, 'rotate(k=2)');
    assert.equal(factorsOf([normalizeEntry('shuffle-pairs')], 'symbol').order, 'shuffle-pairs(seed=0)');
  });
});
