/**
 * The simulator's known truth is what the normal pipeline measures: accuracies through the
 * engine fall within their intervals of the closed-form truth, and biases show up where the
 * statistics look for them. Each file makes some twenty such checks on draws that share each
 * item's latent state, so each uses a 99% interval (at 95%, one miss in the file is expected).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeRun, wilsonInterval } from '../../src/analysis/index.js';
import type { ItemResult } from '../../src/core/results.js';
import { buildPresentations } from '../../src/engine/plan.js';
import { SimModel } from '../../src/models/sim.js';
import { renderPrompt } from '../../src/perturbations/templates.js';
import { simModelSchema } from '../../src/sim/spec.js';
import type { Study } from '../../src/study/load.js';
import { makeItems, runStudy, study } from './helpers.js';

const items = makeItems(400);

/** Mean true P(correct) of a model over the items of a condition, from the prompts the engine shows. */
function truth(s: Study, modelIndex: number, condition: string, subject?: string): number {
  const model = new SimModel(simModelSchema.parse(s.spec.models[modelIndex]), items);
  const cond = s.conditions.find((c) => c.name === condition)!;
  const shown = buildPresentations({ items, fewshotPool: new Map(), conditions: [cond] })
    .get(condition)!
    .filter((p) => subject === undefined || p.item.subject === subject);
  const ps = shown.map((p) => {
    const prompt = renderPrompt(p, cond.method);
    return model.probabilityCorrect(prompt.context, prompt.continuations)!;
  });
  return ps.reduce((a, b) => a + b, 0) / ps.length;
}

function observed(results: ItemResult[], model: string, condition: string, subject?: string) {
  const rs = results.filter(
    (r) => r.model === model && r.condition === condition && (subject === undefined || r.subject === subject),
  );
  const correct = rs.filter((r) => r.correct).length;
  return { accuracy: correct / rs.length, ci: wilsonInterval(correct, rs.length, 0.01) };
}

function assertCovers(results: ItemResult[], s: Study, m: number, condition: string, subject?: string): void {
  const name = s.spec.models[m].name;
  const t = truth(s, m, condition, subject);
  const { accuracy, ci } = observed(results, name, condition, subject);
  assert.ok(
    ci[0] <= t && t <= ci[1],
    `${name} under ${condition}${subject ? ` on ${subject}` : ''}: accuracy ${accuracy.toFixed(3)}, 99% CI [${ci[0].toFixed(3)}, ${ci[1].toFixed(3)}] misses the truth ${t.toFixed(3)}`,
  );
}

test('known abilities are recovered: accuracy within its interval of the truth, per subject too', async () => {
  const s = study(
    [
      { name: 'base', scoring: 'symbol' },
      { name: 'pmi', scoring: 'cloze', normalization: 'pmi' },
      { name: 'hybrid', scoring: 'hybrid', normalization: 'none' },
    ],
    [
      { name: 'sim-strong', ability: 0.7, abilityBySubject: { anatomy: 0.95 } },
      { name: 'sim-weak', ability: 0.3 },
    ],
  );
  const { items: results } = await runStudy(s, items);
  // Under the standard format and no bias, accuracy = ability + (1 − ability) / 4.
  assert.ok(Math.abs(truth(s, 1, 'base') - (0.3 + 0.7 / 4)) < 1e-3);
  assert.ok(Math.abs(truth(s, 0, 'base', 'anatomy') - (0.95 + 0.05 / 4)) < 1e-3);
  for (const condition of ['base', 'pmi', 'hybrid']) {
    assertCovers(results, s, 0, condition);
    assertCovers(results, s, 1, condition);
  }
  assertCovers(results, s, 0, 'base', 'anatomy');
  assertCovers(results, s, 0, 'base', 'virology');
});

test('position bias shows up as RStd, and moving the answer moves the accuracy as predicted', async () => {
  const s = study(
    [
      { name: 'base', scoring: 'symbol' },
      { name: 'at-A', scoring: 'symbol', perturbations: [{ 'fix-answer': { position: 'A' } }] },
      { name: 'at-D', scoring: 'symbol', perturbations: [{ 'fix-answer': { position: 'D' } }] },
    ],
    [
      { name: 'fair', ability: 0.4 },
      { name: 'biased', ability: 0.4, positionBias: [1.5, 0.5, -0.5, -1.5] },
    ],
  );
  const { items: results } = await runStudy(s, items);
  const analysis = analyzeRun(
    { items: results, conditions: s.conditions.map((c) => c.info), baseline: 'base' },
    { seed: 1, bootstrap: 0 },
  );
  const rstdOf = (model: string) => analysis.bias.rstd.find((r) => r.model === model && r.condition === 'base')!;
  const biased = rstdOf('biased');
  assert.ok(biased.rstd > 0.15, `RStd of the biased model: ${biased.rstd}`);
  assert.ok(rstdOf('fair').rstd < biased.rstd / 2, `RStd of the fair model: ${rstdOf('fair').rstd}`);
  assert.ok(biased.recallByPosition[0]! > biased.recallByPosition[3]! + 0.3);
  for (const condition of ['base', 'at-A', 'at-D']) assertCovers(results, s, 1, condition);
  assert.ok(observed(results, 'biased', 'at-A').accuracy > observed(results, 'biased', 'at-D').accuracy + 0.2);
});

test('memorized items are right only in the published order; the choices-only probe shows them', async () => {
  const s = study(
    [
      { name: 'base', scoring: 'symbol' },
      { name: 'shuffled', scoring: 'symbol', perturbations: [{ shuffle: { seed: 5 } }] },
      { name: 'choices-only', scoring: 'symbol', perturbations: ['choices-only'] },
    ],
    [
      { name: 'leaky', ability: 0.4, memorized: { share: 0.4 } },
      { name: 'clean', ability: 0.4 },
    ],
  );
  const { items: results } = await runStudy(s, items);
  for (const condition of ['base', 'shuffled', 'choices-only']) {
    assertCovers(results, s, 0, condition);
    assertCovers(results, s, 1, condition);
  }
  assert.ok(observed(results, 'leaky', 'base').accuracy > observed(results, 'leaky', 'shuffled').accuracy + 0.15);
  assert.ok(observed(results, 'leaky', 'choices-only').accuracy > 0.4, 'well above chance without the question');
  const clean = observed(results, 'clean', 'choices-only');
  assert.ok(clean.ci[0] <= 0.25 && 0.25 <= clean.ci[1], 'a clean model is at chance without the question');
});

test('template sensitivity moves the truth under other templates; PMI removes a length penalty', async () => {
  const s = study(
    [
      { name: 'base', scoring: 'symbol' },
      { name: 'helm', scoring: 'symbol', perturbations: [{ template: { name: 'helm' } }] },
      { name: 'hendrycks', scoring: 'symbol', perturbations: [{ template: { name: 'hendrycks' } }] },
      { name: 'pmi', scoring: 'cloze', normalization: 'pmi' },
      { name: 'raw', scoring: 'cloze', normalization: 'none' },
    ],
    [{ name: 'fragile', ability: 0.5, templateSensitivity: 1.5, lengthPenalty: 1 }],
  );
  const { items: results } = await runStudy(s, items);
  const base = truth(s, 0, 'base');
  assert.ok(
    Math.abs(truth(s, 0, 'helm') - base) > 0.02 || Math.abs(truth(s, 0, 'hendrycks') - base) > 0.02,
    'some template moves the ability',
  );
  for (const condition of ['base', 'helm', 'hendrycks', 'pmi']) assertCovers(results, s, 0, condition);
  // Choice 3 of every item is the longest: raw sums penalize it, PMI does not.
  const atLong = (condition: string) =>
    observed(
      results.filter((r) => r.order[r.goldPosition] === 2),
      'fragile',
      condition,
    ).accuracy;
  assert.ok(atLong('raw') < atLong('pmi') - 0.1, `raw ${atLong('raw')} vs pmi ${atLong('pmi')}`);
});
