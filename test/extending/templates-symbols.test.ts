import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { loadBenchmark } from '../../src/benchmarks/load.js';
import { UserError } from '../../src/core/errors.js';
import { RequestTable } from '../../src/engine/keys.js';
import { buildPresentations, planCells } from '../../src/engine/plan.js';
import { renderPrompt } from '../../src/perturbations/templates.js';
import { defineSymbolSet, defineTemplate } from '../../src/registry.js';
import { loadStudy } from '../../src/study/load.js';
import { tempDir } from '../helpers.js';

// Registered from here, outside src/, as a user's own file would.
defineTemplate({
  name: 'quiz',
  description: (subject) => `Quiz on ${subject ?? 'anything'}.\n\n`,
  question: (q) => `Q: ${q.trim()}`,
  cue: 'Pick:',
});
defineSymbolSet({ name: 'greek', symbols: ['α', 'β', 'γ', 'δ', 'ε'], display: (label) => `${label})` });

const study = (perturbations: string) => `
name: own-template
benchmark:
  format: mmlu
  path: \${GOODHART_SHARED}/data/mmlu/data
  subjects: [astronomy]
  limit: { total: 1, seed: 1 }
models:
  - name: stories
    path: \${GOODHART_SHARED}/models/stories260K.gguf
conditions:
  - name: baseline
    scoring: symbol
  - name: own
    scoring: symbol
    perturbations: ${perturbations}
baseline: baseline
`;

function writeStudy(perturbations: string): string {
  const file = path.join(tempDir(), 'study.yaml');
  fs.writeFileSync(file, study(perturbations));
  return file;
}

test('a template and a symbol set registered outside src/ are accepted by a study and render its prompt', async () => {
  const loaded = loadStudy(writeStudy('[{ template: { name: quiz } }, { symbols: { set: greek } }]'));
  const own = loaded.conditions.find((c) => c.name === 'own')!;
  assert.equal(own.info.factors.template, 'quiz');
  assert.equal(own.info.factors.symbols, 'greek');

  const { items } = await loadBenchmark(loaded.spec.benchmark, { baseDir: loaded.baseDir });
  assert.equal(items.length, 1);
  const item = items[0];
  const presentations = buildPresentations({ items, fewshotPool: new Map(), conditions: [own] });
  const presentation = presentations.get('own')![0];
  const prompt = renderPrompt(presentation, own.method);

  const lines = item.choices.map((choice, i) => `${'αβγδ'[i]}) ${choice}`);
  assert.equal(prompt.context, `Quiz on astronomy.\n\nQ: ${item.question.trim()}\n${lines.join('\n')}\nPick:`);
  assert.deepEqual(prompt.continuations, [' α', ' β', ' γ', ' δ']);
  assert.equal(prompt.unconditionalContext, 'Pick:');

  const caps = { loglikelihood: true, nextToken: true };
  const [cell] = planCells(presentations, [own], caps, new RequestTable(), new Map());
  assert.deepEqual(cell.labels, ['α', 'β', 'γ', 'δ']);
});

test('an unknown template or symbol set is an error naming the key, with the name it most likely misspells', () => {
  const errorOf = (perturbations: string): string => {
    try {
      loadStudy(writeStudy(perturbations));
    } catch (e) {
      assert.ok(e instanceof UserError, String(e));
      return e.message;
    }
    assert.fail('the study was accepted');
  };
  const template = errorOf('[{ template: { name: quizz } }]');
  assert.match(template, /conditions\.1\.perturbations\.0\.template\.name/);
  assert.match(template, /unknown template "quizz"; did you mean "quiz"\? known: lm-eval, .*, quiz/);

  const set = errorOf('[{ symbols: { set: greeks } }]');
  assert.match(set, /conditions\.1\.perturbations\.0\.symbols\.set/);
  assert.match(set, /unknown symbol set "greeks"; did you mean "greek"\? known: ABCD, .*rare, greek/);

  assert.throws(
    () => defineTemplate({ name: 'llama.cpp', description: () => '', question: (q) => q, cue: 'A:' }),
    /already registered/,
  );
  assert.throws(() => defineSymbolSet({ name: 'roman', symbols: ['I'] }), /already registered/);
});
