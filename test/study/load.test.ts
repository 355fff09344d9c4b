import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../src/core/errors.js';
import { loadStudy } from '../../src/study/load.js';
import { runCli, tempDir, writeSmallStudy } from '../helpers.js';

function studyWith(mutate: (text: string) => string): string {
  const dir = tempDir();
  const file = writeSmallStudy(dir);
  fs.writeFileSync(file, mutate(fs.readFileSync(file, 'utf8')));
  return file;
}

function expectUserError(file: string, pattern: RegExp) {
  assert.throws(
    () => loadStudy(file),
    (e: unknown) => {
      assert.ok(e instanceof UserError, `expected a UserError, got ${e}`);
      assert.match(e.message, pattern);
      assert.ok(e.message.includes(file), 'the message names the file');
      return true;
    },
  );
}

test('the small study loads, circular expands to 4 rotations, defaults are filled in', () => {
  const study = loadStudy(studyWith((t) => t));
  assert.deepEqual(
    study.conditions.map((c) => c.name),
    ['base', 'hybrid', 'pmi', 'shuffled', 'two-shot', 'circ@rot0', 'circ@rot1', 'circ@rot2', 'circ@rot3'],
  );
  assert.equal(study.conditions[0].normalization, 'none');
  assert.equal(study.conditions[1].normalization, 'token');
  assert.equal(study.conditions[3].info.factors.order, 'shuffle(seed=4)');
});

test('an unknown key is an error naming its key path and line', () => {
  expectUserError(
    studyWith((t) => t.replace('seed: 3', 'seed: 3\nsed: 4')),
    /sed[\s\S]*line 3|line 3[\s\S]*sed/,
  );
  expectUserError(
    studyWith((t) => t.replace('threads: 1', 'threads: 1\n    thread: 2')),
    /models\.0[\s\S]*thread/,
  );
});

test('wrong types and bad values name the key path', () => {
  expectUserError(
    studyWith((t) => t.replace('threads: 1', 'threads: many')),
    /models\.0\.threads/,
  );
  expectUserError(
    studyWith((t) => t.replace('scoring: hybrid', 'scoring: hybird')),
    /conditions\.1\.scoring/,
  );
  expectUserError(
    studyWith((t) => t.replace('normalization: token', 'normalization: tokens')),
    /conditions\.1\.normalization/,
  );
  expectUserError(
    studyWith((t) => t.replace('{ shuffle: { seed: 4 } }', '{ shufle: { seed: 4 } }')),
    /unknown perturbation "shufle"/,
  );
  expectUserError(
    studyWith((t) => t.replace('baseline: base', 'baseline: nope')),
    /baseline "nope" is not a condition/,
  );
  expectUserError(
    studyWith((t) =>
      t.replace('{ name: base, scoring: symbol }', '{ name: base, scoring: symbol, normalization: char }'),
    ),
    /normalization must be "none"/,
  );
});

test('a YAML syntax error names the line', () => {
  expectUserError(
    studyWith((t) => t.replace('seed: 3', 'seed: [3')),
    /YAML syntax error/,
  );
  const file = studyWith((t) => t.replace('models:', 'models:\n  - name: "unterminated'));
  assert.throws(
    () => loadStudy(file),
    (e: unknown) => e instanceof UserError && /:\d+:\d+/.test(e.message),
  );
});

test('the CLI reports bad input in one line, without a stack trace, and exits non-zero', async () => {
  const dir = tempDir();
  const missingModel = writeSmallStudy(dir).replace(/study\.yaml$/, 'missing.yaml');
  fs.writeFileSync(
    missingModel,
    fs.readFileSync(path.join(dir, 'study.yaml'), 'utf8').replace('stories260K.gguf', 'nope.gguf'),
  );
  for (const file of [missingModel, path.join(dir, 'does-not-exist.yaml')]) {
    const r = await runCli(['run', file, '--out', path.join(dir, 'out'), '--store', path.join(dir, 's.sqlite'), '-q']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^goodhart: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  const r = await runCli([
    'run',
    missingModel,
    '--out',
    path.join(dir, 'out'),
    '--store',
    path.join(dir, 's.sqlite'),
    '-q',
  ]);
  assert.match(r.stderr, /models\.0\.path: model file not found/);
});

test('a store that is not SQLite is refused and left untouched', async () => {
  const dir = tempDir();
  const study = writeSmallStudy(dir);
  const store = path.join(dir, 'store.sqlite');
  fs.writeFileSync(store, 'these are my notes, not a database');
  const r = await runCli(['run', study, '--out', path.join(dir, 'out'), '--store', store, '-q']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /not a SQLite database/);
  assert.equal(fs.readFileSync(store, 'utf8'), 'these are my notes, not a database');
});
