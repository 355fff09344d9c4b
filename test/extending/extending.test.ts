import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import '../../examples/extending/extensions.js';
import type { ErrorConsistency } from '../../examples/extending/error-consistency.statistic.js';
import { loadBenchmark } from '../../src/benchmarks/load.js';
import { runCommand } from '../../src/cli/run.js';
import { UserError } from '../../src/core/errors.js';
import type { ItemResult } from '../../src/core/results.js';
import { studyJsonSchema } from '../../src/study/json-schema.js';
import { loadStudy } from '../../src/study/load.js';
import { repoRoot, tempDir } from '../helpers.js';

const studyFile = path.join(repoRoot, 'examples', 'extending', 'study.yaml');
const studyText = fs.readFileSync(studyFile, 'utf8');

/** The example study with one line replaced, written beside it in a temporary folder. */
function variant(from: string, to: string): string {
  assert.ok(studyText.includes(from), from);
  const file = path.join(tempDir(), 'study.yaml');
  fs.writeFileSync(file, studyText.replace(from, to));
  return file;
}

const studyError = (file: string): string => {
  try {
    loadStudy(file);
  } catch (e) {
    assert.ok(e instanceof UserError, String(e));
    return e.message;
  }
  assert.fail('the study was accepted');
};

test('the study schema accepts the registered backend and perturbation, and names the key of a bad option', () => {
  const study = loadStudy(studyFile);
  assert.equal(study.spec.models[0].backend, 'gguf-instructed');
  assert.deepEqual(study.conditions[1].chain, [{ name: 'sort-choices', args: { by: 'length' } }]);
  assert.equal(study.conditions[1].info.factors.order, 'sort-choices(by=length)');

  assert.match(studyError(variant('    instruction: "', '    instructions: "')), /models\.0.*instructions/);
  assert.match(
    studyError(variant('    instruction: "The following', '    instruction: 7 #')),
    /models\.0\.instruction/,
  );
  const badArg = studyError(variant('{ sort-choices: { by: length } }', '{ sort-choices: { by: size } }'));
  assert.match(badArg, /conditions\.1\.perturbations\.0\.sort-choices\.by/);
  assert.match(badArg, /length.*alphabetical|alphabetical.*length/);
  assert.match(
    studyError(variant('backend: gguf-instructed', 'backend: gguf-instructd')),
    /backend must be one of: gguf, .*gguf-instructed/,
  );

  const json = JSON.stringify(studyJsonSchema());
  assert.ok(json.includes('"const":"gguf-instructed"'), 'editors see the new backend');
  assert.ok(json.includes('"sort-choices"'), 'editors see the new perturbation');
});

test('a study using the registered backend, perturbation and statistic runs, and its results show each of them', async () => {
  const dir = tempDir();
  const out = path.join(dir, 'out');
  assert.equal(await runCommand(studyFile, { out, store: path.join(dir, 'store.sqlite'), quiet: true }), 0);

  const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
  const [instructed, plain] = summary.models;
  assert.equal(instructed.backend, 'gguf-instructed');
  assert.equal(
    instructed.id,
    `${plain.id}+instruction:${instructed.id.split('+instruction:')[1]}`,
    'the plain model id, then the instruction hash',
  );
  assert.match(instructed.details.instruction, /^The following is a multiple choice question/);

  const results: ItemResult[] = fs
    .readFileSync(path.join(out, 'items.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const cell = (model: string, condition: string) =>
    results.filter((r) => r.model === model && r.condition === condition);
  // The instruction reaches the model: the same weights score the same prompts differently.
  const withInstruction = cell('stories-instructed', 'baseline');
  const without = cell('stories', 'baseline');
  assert.equal(withInstruction.length, 12);
  assert.ok(withInstruction.some((r, k) => r.scores.some((s, j) => Math.abs(s! - without[k].scores[j]!) > 1e-6)));

  // sort-choices shows the choices shortest first; the gold moves with its text.
  const study = loadStudy(studyFile);
  const { items } = await loadBenchmark(study.spec.benchmark, { baseDir: study.baseDir });
  const byId = new Map(items.map((i) => [i.id, i]));
  const sorted = cell('llama-2-tiny-random', 'shortest-first');
  assert.equal(sorted.length, 12);
  for (const r of sorted) {
    const item = byId.get(r.itemId)!;
    const lengths = r.order.map((choice) => item.choices[choice].length);
    assert.deepEqual(
      lengths,
      [...lengths].sort((a, b) => a - b),
      r.itemId,
    );
    assert.equal(r.goldPosition, r.order.indexOf(item.answer));
  }
  assert.ok(
    sorted.some((r, k) => r.order.join() !== cell('llama-2-tiny-random', 'baseline')[k].order.join()),
    'some item is reordered',
  );

  // The statistic is in analysis.json, with its method, and agrees with a count over items.jsonl.
  const analysis = JSON.parse(fs.readFileSync(path.join(out, 'analysis.json'), 'utf8'));
  const consistency: ErrorConsistency = analysis.errorConsistency;
  assert.equal(consistency.condition, 'baseline');
  assert.equal(consistency.pairs.length, 3);
  assert.match(analysis.methods.errorConsistency, /kappa/);
  const right = (model: string): number[] => cell(model, 'baseline').map((r) => (r.correct ? 1 : 0));
  const [a, b] = [right('stories'), right('llama-2-tiny-random')];
  const n = a.length;
  const pa = a.reduce((s, x) => s + x, 0) / n;
  const pb = b.reduce((s, x) => s + x, 0) / n;
  const observed = a.filter((x, i) => x === b[i]).length / n;
  const expected = pa * pb + (1 - pa) * (1 - pb);
  const pair = consistency.pairs.find((p) => p.a === 'stories' && p.b === 'llama-2-tiny-random')!;
  if (expected === 1) assert.equal(pair.kappa, null);
  else assert.ok(Math.abs(pair.kappa! - (observed - expected) / (1 - expected)) < 1e-12);

  // Its section is in report.html, listed in the navigation.
  const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
  assert.match(html, /<a href="#error-consistency">Error consistency<\/a>/);
  assert.match(html, /<section id="error-consistency"><h2>Error consistency under baseline<\/h2>/);
  const markdown = fs.readFileSync(path.join(out, 'report.md'), 'utf8');
  const row = `| stories | llama-2-tiny-random | ${pair.kappa === null ? '–' : pair.kappa.toFixed(2)} |`;
  assert.ok(
    markdown.includes(`## Error consistency under baseline\n\n| model | model | kappa |`) && markdown.includes(row),
    row,
  );
});
