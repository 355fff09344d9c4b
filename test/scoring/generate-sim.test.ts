import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ItemResult } from '../../src/core/results.js';
import { browserData } from '../../src/report/browser.js';
import { makeItems, runStudy, study } from '../sim/helpers.js';

const items = makeItems(40);
const byKey = (rows: ItemResult[], condition: string) =>
  new Map(rows.filter((r) => r.condition === condition).map((r) => [`${r.model} ${r.itemId}`, r]));

const conditions = [
  { name: 'base', scoring: 'symbol' },
  { name: 'gen', scoring: 'generate', generation: { maxTokens: 4 } },
  {
    name: 'gen-1234',
    scoring: 'generate',
    generation: { maxTokens: 4 },
    perturbations: [{ symbols: { set: '1234' } }, { shuffle: { seed: 5 } }],
  },
  { name: 'sym-1234', scoring: 'symbol', perturbations: [{ symbols: { set: '1234' } }, { shuffle: { seed: 5 } }] },
  { name: 'cot', scoring: 'generate', generation: { maxTokens: 64, chainOfThought: true } },
  { name: 'cot-cut', scoring: 'generate', generation: { maxTokens: 3, chainOfThought: true } },
];
const models = [
  { name: 'clear', ability: 0.6, positionBias: [0.5, 0, 0, 0] },
  { name: 'vague', ability: 0.6, unreadable: 0.3 },
];

test('the simulator writes the letter it would pick: generative predictions equal symbol scoring under the same prompt', async () => {
  const { items: rows } = await runStudy(study(conditions, models), items);
  for (const [sym, gen] of [
    ['base', 'gen'],
    ['sym-1234', 'gen-1234'],
  ]) {
    const symbol = byKey(rows, sym);
    const clear = [...byKey(rows, gen).values()].filter((r) => r.model === 'clear');
    assert.equal(clear.length, items.length);
    for (const r of clear) {
      assert.equal(r.predicted, symbol.get(`${r.model} ${r.itemId}`)!.predicted, `${gen} ${r.itemId}`);
      assert.equal(r.extracted, r.labels![r.predicted!], 'the label read is the shown one');
      assert.equal(r.generated, ` ${r.extracted}`);
      assert.equal(r.randomFill, undefined);
    }
  }
  // Under the 1234 symbols the answer is read as a digit.
  assert.ok([...byKey(rows, 'gen-1234').values()].every((r) => r.extracted === null || /^[1-4]$/.test(r.extracted!)));
});

test('chain of thought: the answer is read from "the answer is (X)"; cut short by maxTokens it is unscored', async () => {
  const { items: rows, runs } = await runStudy(study(conditions, models), items);
  for (const r of byKey(rows, 'cot').values()) {
    if (r.model !== 'clear') continue;
    assert.match(r.generated!, /the answer is \([A-D]\)\.$/);
    assert.equal(r.finish, 'stop');
    assert.equal(r.labels![r.predicted!], r.extracted);
  }
  const cut = [...byKey(rows, 'cot-cut').values()];
  assert.ok(
    cut.every((r) => r.finish === 'length' && r.extracted === null && r.predicted === null && r.correct === null),
  );
  const summary = runs[0].summaries.find((s) => s.condition === 'cot-cut')!;
  assert.equal(summary.unscored, items.length);
  assert.equal(summary.accuracy, 0, 'strict policy: unscored is not correct');
  assert.equal(summary.randomFill!.filled, items.length);
  // The fill is seeded, uniform over the options: about a quarter right.
  assert.ok(
    summary.randomFill!.accuracy > 0.05 && summary.randomFill!.accuracy < 0.5,
    `fill accuracy ${summary.randomFill!.accuracy}`,
  );
});

test('unreadable answers are unscored and counted; the random fill is reported beside the strict accuracy', async () => {
  const { items: rows, runs } = await runStudy(study(conditions, models), items);
  const vague = runs.find((r) => r.model.identity.name === 'vague')!;
  for (const condition of ['gen', 'cot']) {
    const s = vague.summaries.find((x) => x.condition === condition)!;
    const mine = rows.filter((r) => r.model === 'vague' && r.condition === condition);
    const unread = mine.filter((r) => r.extracted === null);
    assert.ok(unread.length > 3 && unread.length < 25, `${condition}: ${unread.length} unread of 40 at a 0.3 share`);
    assert.equal(s.unscored, unread.length);
    assert.equal(s.randomFill!.filled, unread.length);
    assert.ok(
      unread.every((r) => r.correct === null && r.randomFill !== undefined && r.randomFill >= 0 && r.randomFill < 4),
    );
    const filledRight = unread.filter((r) => r.randomFill === r.goldPosition).length;
    assert.equal(s.randomFill!.correct, s.correct + filledRight);
    assert.equal(s.accuracy, s.correct / s.n);
  }
});

test('generated texts are cached and resumed like every other request', async () => {
  const s = study(conditions, models);
  const first = await runStudy(s, items);
  const again = await runStudy(s, items, first.storeFile);
  for (const run of again.runs) {
    assert.equal(run.requests.computed, 0);
    assert.equal(run.requests.cached, run.requests.unique);
  }
  assert.deepEqual(again.items, first.items);
});

test('a study names what generative scoring needs', () => {
  assert.throws(() => study([{ name: 'g', scoring: 'generate' }], models), /generation: \{maxTokens/);
  assert.throws(
    () => study([{ name: 's', scoring: 'symbol', generation: { maxTokens: 4 } }], models),
    /only to scoring: generate/,
  );
  const s = study([{ name: 'g', scoring: 'generate', generation: { maxTokens: 8, chainOfThought: true } }], models);
  const g = s.conditions[0].info.generation!;
  assert.deepEqual(
    { ...g, chainOfThought: undefined },
    { maxTokens: 8, chainOfThought: undefined, extraction: 'mmlu-pro', stop: ['Question:'], temperature: 0, seed: 1 },
  );
});

test('the item browser carries each text written and the label read from it', async () => {
  const s = study(conditions, models);
  const { items: rows } = await runStudy(s, items);
  const data = browserData(
    rows,
    ['clear', 'vague'],
    s.conditions.map((c) => c.info),
    'base',
    { items, byCondition: new Map(), problem: null },
    100,
  );
  const cot = s.conditions.findIndex((c) => c.name === 'cot');
  const base = s.conditions.findIndex((c) => c.name === 'base');
  data.results[1][cot].forEach((r, i) => {
    const row = rows.find((x) => x.model === 'vague' && x.condition === 'cot' && x.itemId === data.items[i].id)!;
    assert.equal(r!.generated, row.generated);
    assert.equal(r!.extracted, row.extracted);
  });
  assert.ok(
    data.results[0][base].every((r) => r!.generated === undefined),
    'log-prob conditions carry no text',
  );
});
