import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyChain, normalizeEntry } from '../../src/perturbations/registry.js';
import { renderPrompt } from '../../src/perturbations/templates.js';
import { biology, biologyDev, ctxWith } from './fixtures.js';

const context = ctxWith(biologyDev);

const chain = [normalizeEntry('choices-only'), normalizeEntry({ fewshot: { k: 1 } })];

test('choices-only shows every block without its question, for symbol and hybrid scoring', () => {
  const p = applyChain(biology, chain, context);
  const symbol = renderPrompt(p, 'symbol');
  assert.equal(
    symbol.context,
    'The following are multiple choice questions (with answers) about high school biology.\n\n' +
      'A. Platelets\nB. Plasma\nC. Red blood cells\nD. White blood cells\nAnswer: C\n\n' +
      'A. Nucleus\nB. Mitochondrion\nC. Ribosome\nD. Golgi apparatus\nAnswer:',
  );
  assert.ok(!symbol.context.includes('ATP') && !symbol.context.includes('oxygen'));
  assert.deepEqual(renderPrompt(p, 'hybrid').continuations, [
    ' Nucleus',
    ' Mitochondrion',
    ' Ribosome',
    ' Golgi apparatus',
  ]);
});

test('choices-only with cloze scoring is refused: it would show nothing', () => {
  assert.throws(() => renderPrompt(applyChain(biology, chain, context), 'cloze'), /needs symbol or hybrid/);
});
