import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { goldPosition, type Item } from '../../src/core/types.js';
import { applyChain, type PerturbationContext, type PerturbationStep } from '../../src/perturbations/registry.js';
import { SYMBOL_SET_NAMES, symbolSet } from '../../src/perturbations/symbols.js';
import { renderPrompt, TEMPLATE_NAMES } from '../../src/perturbations/templates.js';

const METHODS = ['symbol', 'hybrid', 'cloze'] as const;
const POOL_SIZE = 3;

const text = fc.string({ unit: 'binary', maxLength: 12 });

function itemWith(n: number, id: fc.Arbitrary<string>): fc.Arbitrary<Item> {
  return fc.record({
    id,
    subject: fc.option(fc.stringMatching(/^[a-z]+(_[a-z]+)*$/), { nil: undefined }),
    question: text,
    choices: fc.array(text, { minLength: n, maxLength: n }),
    answer: fc.nat(n - 1),
  });
}

/** Any step that is valid for items of n choices. */
function stepFor(n: number): fc.Arbitrary<PerturbationStep> {
  const seed = fc.integer({ min: -1000, max: 1000 });
  const position = fc.oneof(
    fc.nat(n - 1),
    fc.nat(n - 1).map((i) => String.fromCharCode(65 + i)),
  );
  const sets = SYMBOL_SET_NAMES.filter((set) => n <= 4 || !['signs', 'rare'].includes(set));
  const step = <A>(name: string, args: fc.Arbitrary<A>) => args.map((a): PerturbationStep => ({ name, args: a }));
  return fc.oneof(
    step('shuffle', fc.record({ seed })),
    step('shuffle-pairs', fc.record({ seed })),
    step('rotate', fc.record({ k: fc.integer({ min: -25, max: 25 }) })),
    step('fix-answer', fc.record({ position })),
    step('reverse', fc.constant({})),
    step('symbols', fc.record({ set: fc.constantFrom(...sets) })),
    step('template', fc.record({ name: fc.constantFrom(...TEMPLATE_NAMES) })),
    step('fewshot', fc.record({ k: fc.nat(POOL_SIZE), seed, shuffle: fc.boolean() })),
    step('fewshot-same-answer', fc.record({ k: fc.nat(POOL_SIZE), position })),
    step('self-shot', fc.record({ answer: fc.constantFrom('correct', 'wrong') })),
  );
}

const scenarioFor = (n: number) =>
  fc.record({
    item: itemWith(
      n,
      fc.string().map((s) => `test/${s}`),
    ), // never a pool id, so k shots always exist
    pool: fc.array(
      itemWith(
        n,
        fc.string().map((s) => `dev/${s}`),
      ),
      { minLength: POOL_SIZE, maxLength: POOL_SIZE },
    ),
    chain: fc.array(stepFor(n), { maxLength: 6 }),
    seed: fc.integer(),
  });
// Built once per n: building arbitraries inside `chain` on every run is what would cost the time.
const scenarios = new Map(Array.from({ length: 9 }, (_, i) => [i + 2, scenarioFor(i + 2)]));
const scenario = fc.integer({ min: 2, max: 10 }).chain((n) => scenarios.get(n)!);

const isPermutation = (order: number[], n: number) =>
  order.length === n && [...order].sort((a, b) => a - b).every((v, i) => v === i);
const sorted = (xs: string[]) => [...xs].sort();

describe('any chain on any item', () => {
  it('keeps order a permutation, shows every choice once and tracks the gold', () => {
    fc.assert(
      fc.property(scenario, ({ item, pool, chain, seed }) => {
        const ctx: PerturbationContext = { seed, fewshotPool: () => pool };
        const p = applyChain(item, chain, ctx);
        const n = item.choices.length;
        assert.ok(isPermutation(p.order, n));
        assert.ok(isPermutation(p.labelOrder ?? p.order.map((_, i) => i), n));
        assert.equal(p.order[goldPosition(p)], item.answer);
        assert.equal(p.item.choices[p.order[goldPosition(p)]], item.choices[item.answer]);

        const labels = symbolSet(p.symbolSet).labels(n);
        const shownLabels = (p.labelOrder ?? p.order.map((_, i) => i)).map((i) => labels[i]);
        for (const method of METHODS) {
          const rendered = renderPrompt(p, method);
          assert.equal(rendered.continuations.length, n);
          assert.ok(rendered.context.endsWith(rendered.unconditionalContext));
          if (method === 'symbol') {
            assert.deepEqual(sorted(rendered.continuations), sorted(labels.map((l) => ` ${l}`)));
          } else {
            // Every original text, exactly once, and the gold's shown position holds the gold's text.
            assert.deepEqual(sorted(rendered.continuations), sorted(item.choices.map((c) => ` ${c}`)));
            assert.equal(rendered.continuations[goldPosition(p)], ` ${item.choices[item.answer]}`);
          }
          if (method !== 'cloze') {
            const display = symbolSet(p.symbolSet).display;
            const lines = p.order.map((choice, i) => `\n${display(shownLabels[i])} ${item.choices[choice]}`);
            assert.ok(rendered.context.endsWith(`${lines.join('')}\n${rendered.unconditionalContext}`));
          }
        }

        for (const shot of p.shots) {
          assert.ok(isPermutation(shot.order, shot.item.choices.length));
          const answered = shot.order[shot.answerPosition];
          assert.notEqual(answered, undefined);
          if (shot.item !== item) assert.equal(answered, shot.item.answer, 'dev shots are answered with their gold');
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('is deterministic', () => {
    fc.assert(
      fc.property(scenario, ({ item, pool, chain, seed }) => {
        const ctx: PerturbationContext = { seed, fewshotPool: () => pool };
        // JSON because fast-check builds null-prototype records and a clone would not have one.
        const once = JSON.stringify(applyChain(item, chain, ctx));
        assert.equal(JSON.stringify(applyChain(structuredClone(item), chain, ctx)), once);
        assert.equal(JSON.stringify(applyChain(item, chain, ctx)), once);
      }),
      { numRuns: 300 },
    );
  });

  it('fix-answer as the last reordering puts the gold at its position', () => {
    fc.assert(
      fc.property(scenario, fc.nat(), ({ item, pool, chain, seed }, pick) => {
        const position = pick % item.choices.length;
        const ctx: PerturbationContext = { seed, fewshotPool: () => pool };
        const p = applyChain(item, [...chain, { name: 'fix-answer', args: { position } }], ctx);
        assert.equal(goldPosition(p), position);
      }),
      { numRuns: 300 },
    );
  });
});
