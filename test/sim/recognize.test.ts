import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Item } from '../../src/core/types.js';
import { makeRng, shuffled } from '../../src/core/rng.js';
import { basePresentation, type PerturbedPresentation } from '../../src/perturbations/presentation.js';
import { SYMBOL_SET_NAMES } from '../../src/perturbations/symbols.js';
import { renderPrompt, TEMPLATE_NAMES, type Method } from '../../src/perturbations/templates.js';
import { PromptIndex, STANDARD_FORMAT } from '../../src/sim/recognize.js';
import { makeItems } from './helpers.js';

const items = makeItems(40);
const dev = makeItems(6, { split: 'dev' });
const index = new PromptIndex(items);

test('every template, symbol set, order and method is read back to its item, order and symbols', () => {
  const rng = makeRng(3);
  const formats = new Set<string>();
  for (const template of TEMPLATE_NAMES) {
    for (const symbolSet of SYMBOL_SET_NAMES) {
      for (const method of ['symbol', 'hybrid', 'cloze'] as Method[]) {
        const item = items[Math.floor(rng() * items.length)];
        const order = shuffled([0, 1, 2, 3], rng);
        const shots = dev.slice(0, 2).map((d) => ({ item: d, order: [0, 1, 2, 3], answerPosition: d.answer }));
        const p: PerturbedPresentation = { ...basePresentation(item), order, template, symbolSet, shots };
        const prompt = renderPrompt(p, method);
        const reads = index.read(prompt.context);
        assert.equal(reads.length, 1, `${template}/${symbolSet}/${method}`);
        const [read] = reads;
        assert.equal(read.item.id, item.id);
        assert.equal(read.questionShown, true);
        if (method === 'cloze') {
          assert.equal(read.order, null);
        } else {
          assert.deepEqual(read.order, order);
          // The scored symbols are exactly the shown ones, in shown order.
          if (method === 'symbol')
            assert.deepEqual(
              read.labels!.map((l) => ` ${l}`),
              prompt.continuations,
            );
        }
        formats.add(`${template}|${read.format}`);
      }
    }
  }
  // One format per template: symbols and order are not part of it.
  assert.equal(new Set([...formats].map((f) => f.split('|')[0])).size, TEMPLATE_NAMES.length);
  assert.equal(formats.size, TEMPLATE_NAMES.length);
  const standard = index.read(renderPrompt(basePresentation(items[0]), 'symbol').context)[0];
  assert.equal(standard.format, STANDARD_FORMAT);
});

test('detached symbols (shuffle-pairs) and a self-shot are read from the last block', () => {
  const item = items[5];
  const p: PerturbedPresentation = {
    ...basePresentation(item),
    order: [2, 0, 3, 1],
    labelOrder: [2, 0, 3, 1],
    shots: [{ item, order: [0, 1, 2, 3], answerPosition: 0 }],
  };
  const [read] = index.read(renderPrompt(p, 'symbol').context);
  assert.deepEqual(read.order, [2, 0, 3, 1]);
  assert.deepEqual(read.labels, ['C', 'A', 'D', 'B']);
});

test('the choices-only probe is recognized by its choices, with the question marked hidden', () => {
  const item = items[9];
  const p: PerturbedPresentation = { ...basePresentation(item), order: [3, 2, 1, 0], hideQuestion: true };
  const [read] = index.read(renderPrompt(p, 'symbol').context);
  assert.equal(read.item.id, item.id);
  assert.equal(read.questionShown, false);
  assert.deepEqual(read.order, [3, 2, 1, 0]);
});

test('items sharing a question are all offered under cloze, and only the right one when choices show', () => {
  const twin: Item = { ...items[0], id: 'twin', choices: ['other 1', 'other 2', 'other 3', 'other 4'] };
  const both = new PromptIndex([items[0], twin]);
  assert.deepEqual(
    both.read(renderPrompt(basePresentation(twin), 'cloze').context).map((r) => r.item.id),
    [items[0].id, 'twin'],
  );
  assert.deepEqual(
    both.read(renderPrompt(basePresentation(twin), 'symbol').context).map((r) => r.item.id),
    ['twin'],
  );
});

test('a context that asks none of the items, or a choice list that differs, is not read', () => {
  assert.deepEqual(index.read('Answer:'), []);
  assert.deepEqual(index.read('Some other question?\nA. yes\nB. no\nAnswer:'), []);
  const altered = renderPrompt(basePresentation(items[1]), 'symbol').context.replace('statement 2', 'statement two');
  assert.deepEqual(index.read(altered), []);
});
