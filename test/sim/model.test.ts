import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UserError } from '../../src/core/errors.js';
import type { Request } from '../../src/core/types.js';
import { SimModel } from '../../src/models/sim.js';
import { basePresentation } from '../../src/perturbations/presentation.js';
import { renderPrompt } from '../../src/perturbations/templates.js';
import { simModelSchema } from '../../src/sim/spec.js';
import { studySchema } from '../../src/study/schema.js';
import { makeItems, runStudy, simSpec, study } from './helpers.js';

const items = makeItems(60);

function requestsFor(count: number): Request[] {
  return items.slice(0, count).flatMap((item) => {
    const symbol = renderPrompt(basePresentation(item), 'symbol');
    const cloze = renderPrompt(basePresentation(item), 'cloze');
    return [
      ...symbol.continuations.map((continuation): Request => ({
        kind: 'loglikelihood',
        context: symbol.context,
        continuation,
      })),
      ...cloze.continuations.map((continuation): Request => ({
        kind: 'loglikelihood',
        context: cloze.context,
        continuation,
      })),
      ...cloze.continuations.map((continuation): Request => ({
        kind: 'loglikelihood',
        context: cloze.unconditionalContext,
        continuation,
      })),
      { kind: 'nextToken', context: symbol.context, candidates: symbol.continuations },
    ];
  });
}

test('the identity names the model, hashes its parameters and says it is simulated', () => {
  const a = new SimModel(
    simSpec({ name: 'sim-a', ability: 0.6, abilityBySubject: { anatomy: 0.9, virology: 0.2 } }),
    items,
  );
  const reordered = new SimModel(
    simSpec({ name: 'sim-a', abilityBySubject: { virology: 0.2, anatomy: 0.9 }, ability: 0.6 }),
    items,
  );
  const other = new SimModel(
    simSpec({ name: 'sim-a', ability: 0.61, abilityBySubject: { anatomy: 0.9, virology: 0.2 } }),
    items,
  );
  assert.match(a.identity.id, /^sim:sim-a:[0-9a-f]{16}$/);
  assert.equal(a.identity.id, reordered.identity.id, 'key order does not change the identity');
  assert.notEqual(a.identity.id, other.identity.id);
  assert.equal(a.identity.backend, 'sim');
  assert.equal(a.identity.details.simulated, true);
  assert.deepEqual(a.capabilities, { loglikelihood: true, nextToken: true, generate: true });
});

test('the same request always gets the same answer, whatever the batch around it', async () => {
  const spec = simSpec({
    name: 'sim-a',
    ability: 0.5,
    positionBias: [0.4, 0, 0, -0.4],
    symbolBias: { B: 0.3 },
    lengthPenalty: 0.2,
  });
  const requests = requestsFor(20);
  const first = await new SimModel(spec, items).evaluate(requests);
  const model = new SimModel(spec, items);
  const reversed = (await model.evaluate([...requests].reverse())).reverse();
  const again = await model.evaluate(requests);
  assert.deepEqual(reversed, first);
  assert.deepEqual(again, first);
  assert.ok(
    first.every((o) => o.ok),
    'every request of the benchmark is answered',
  );
  const seeded = await new SimModel({ ...spec, seed: 9 }, items).evaluate(requests);
  assert.notDeepEqual(seeded, first, 'another seed draws other answers');
});

test('log-probs are a distribution over the shown symbols; next-token and log-likelihood agree', async () => {
  const model = new SimModel(simSpec({ name: 'sim-a', ability: 0.5 }), items);
  const prompt = renderPrompt(basePresentation(items[3]), 'symbol');
  const outcomes = await model.evaluate([
    ...prompt.continuations.map((continuation): Request => ({
      kind: 'loglikelihood',
      context: prompt.context,
      continuation,
    })),
    { kind: 'nextToken', context: prompt.context, candidates: [...prompt.continuations, ' Z'] },
  ]);
  const logprobs = outcomes
    .slice(0, 4)
    .map((o) => (o.ok && o.result.kind === 'loglikelihood' ? o.result.logprob : NaN));
  assert.ok(Math.abs(logprobs.reduce((s, x) => s + Math.exp(x), 0) - 1) < 1e-9);
  const next = outcomes[4];
  assert.ok(next.ok && next.result.kind === 'nextToken');
  assert.deepEqual(next.result.logprobs, [...logprobs, null], 'a symbol that is not shown is never offered');
  const greedy = outcomes.slice(0, 4).map((o) => o.ok && o.result.kind === 'loglikelihood' && o.result.greedy);
  assert.equal(greedy.filter(Boolean).length, 1, 'exactly the argmax is greedy');
});

test('an unknown question or continuation fails the request, never a silent score', async () => {
  const model = new SimModel(simSpec({ name: 'sim-a', ability: 0.5 }), items);
  const prompt = renderPrompt(basePresentation(items[0]), 'symbol');
  const [unknown, wrongContinuation, unconditional] = await model.evaluate([
    { kind: 'loglikelihood', context: 'What is the capital of France?\nAnswer:', continuation: ' Paris' },
    { kind: 'loglikelihood', context: prompt.context, continuation: ' something else' },
    { kind: 'loglikelihood', context: 'Answer:', continuation: ' anything at all' },
  ]);
  assert.ok(!unknown.ok && /asks no question of this benchmark/.test(unknown.error));
  assert.ok(!wrongContinuation.ok && /neither a shown symbol nor a choice/.test(wrongContinuation.error));
  assert.ok(unconditional.ok, 'the bare cue of PMI scores the wording alone');
});

test('bad settings are refused with the key that holds them', () => {
  assert.throws(
    () =>
      new SimModel(
        simSpec({ name: 's', ability: 0.5, abilityBySubject: { anatomyy: 0.9 } }),
        items,
        'study.yaml: models.2',
      ),
    (e: unknown) =>
      e instanceof UserError &&
      e.message.startsWith(
        'study.yaml: models.2.abilityBySubject.anatomyy: no item of the benchmark has the subject "anatomyy"',
      ),
  );
  assert.throws(() => new SimModel(simSpec({ name: 's', ability: 0.5 }), []), UserError);
  assert.equal(simModelSchema.safeParse({ name: 's', backend: 'sim', ability: 1.5 }).success, false);
  assert.equal(
    simModelSchema.safeParse({ name: 's', backend: 'sim', ability: 0.5, abilty: 1 }).success,
    false,
    'unknown keys are errors',
  );
  const parsed = studySchema.safeParse({
    name: 'x',
    benchmark: { format: 'gauntlet', path: 'a.jsonl' },
    models: [{ name: 's', backend: 'sim' }],
    conditions: [{ name: 'b', scoring: 'symbol' }],
    baseline: 'b',
  });
  assert.equal(parsed.success, false, 'ability is required');
});

test('through the engine, a second run is answered from the store with identical results', async () => {
  const s = study(
    [
      { name: 'base', scoring: 'symbol' },
      { name: 'pmi', scoring: 'cloze', normalization: 'pmi' },
      { name: 'shuffled', scoring: 'symbol', perturbations: [{ shuffle: { seed: 2 } }] },
    ],
    [
      { name: 'sim-a', ability: 0.6 },
      { name: 'sim-b', ability: 0.4, positionBias: [0.5] },
    ],
  );
  const first = await runStudy(s, items);
  const second = await runStudy(s, items, first.storeFile);
  for (const [k, run] of first.runs.entries()) {
    assert.ok(run.requests.computed > 0 && run.requests.unique < run.requests.total, 'shared requests are made once');
    assert.equal(second.runs[k].requests.computed, 0);
    assert.equal(second.runs[k].requests.cached, run.requests.unique);
  }
  assert.deepEqual(second.items, first.items);
  assert.ok(
    first.items.every((r) => r.correct !== null),
    'every item is scored',
  );
});
