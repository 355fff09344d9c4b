import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../../src/core/errors.js';
import { runCommand } from '../../src/cli/run.js';
import { sharedDir, tempDir } from '../helpers.js';

/** A study over one CSV benchmark file with the given content; the model is never reached. */
function studyOver(csv: string | Buffer, extra = { conditions: '  - { name: base, scoring: symbol }' }): { study: string; data: string; dir: string } {
  const dir = tempDir();
  const data = path.join(dir, 'bench.csv');
  fs.writeFileSync(data, csv);
  const study = path.join(dir, 'study.yaml');
  fs.writeFileSync(study, `name: bad
benchmark:
  format: csv
  path: bench.csv
  header: true
  fields: { question: question, choices: [a, b, c, d], answer: answer }
  answerFormat: letter
models:
  - name: stories
    path: ${path.join(sharedDir(), 'models', 'stories260K.gguf')}
conditions:
${extra.conditions}
baseline: base
`);
  return { study, data, dir };
}

async function expectError(csv: string | Buffer, where: RegExp, what: RegExp) {
  const { study, dir } = studyOver(csv);
  await assert.rejects(runCommand(study, { out: path.join(dir, 'out'), store: path.join(dir, 's.sqlite'), quiet: true }), (e: unknown) => {
    assert.ok(e instanceof UserError, `a UserError, not ${e}`);
    assert.match(e.message, where);
    assert.match(e.message, what);
    return true;
  });
}

const header = 'question,a,b,c,d,answer\n';
const good = 'What is 2+2?,3,4,5,6,B\n';

test('malformed benchmark rows name the file and line', async () => {
  await expectError(header + good + '"unclosed,1,2,3,4,A\n', /bench\.csv:3/, /quot/i);
  await expectError(header + good + 'too,few,columns\n', /bench\.csv:3/, /column/i);
  await expectError(header + good + 'Q,1,2,3,4,E\n', /bench\.csv:3/, /answer/i);
  await expectError(header + good + 'Q,1,2,3,4,7\n', /bench\.csv:3/, /answer/i);
  await expectError(header + good + 'Q,1,,3,4,A\n', /bench\.csv:3/, /empty/i);
  await expectError(Buffer.concat([Buffer.from(header + good + 'Q,1,2,3,'), Buffer.from([0xff, 0xfe]), Buffer.from(',A\n')]), /bench\.csv:3/, /UTF-8/i);
  await expectError('', /bench\.csv/, /empty/i);
});

test('a UTF-8 BOM, CRLF line ends and a 1 MB field are fine', async () => {
  const big = 'x'.repeat(1_000_000);
  const { study, dir } = studyOver('\ufeff' + (header + good + `${big},1,2,3,4,C\n`).replace(/\n/g, '\r\n'));
  // The benchmark loads; the run then needs the model, so only check that loading passed.
  const { loadStudy } = await import('../../src/study/load.js');
  const { loadBenchmark } = await import('../../src/benchmarks/load.js');
  const s = loadStudy(study);
  const b = await loadBenchmark(s.spec.benchmark, { baseDir: dir });
  assert.equal(b.items.length, 2);
  assert.equal(b.items[0].question, 'What is 2+2?');
  assert.equal(b.items[1].question.length, 1_000_000);
});

test('more choices than a symbol set has is an error naming the condition', async () => {
  const fiveChoices = 'question,a,b,c,d,e,answer\nQ,1,2,3,4,5,A\n';
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'bench.csv'), fiveChoices);
  const study = path.join(dir, 'study.yaml');
  fs.writeFileSync(study, `name: five
benchmark: { format: csv, path: bench.csv, fields: { question: question, choices: [a, b, c, d, e], answer: answer }, answerFormat: letter }
models: [{ name: stories, path: ${path.join(sharedDir(), 'models', 'stories260K.gguf')} }]
conditions:
  - { name: base, scoring: symbol }
  - { name: signs, scoring: symbol, perturbations: [{ symbols: { set: signs } }] }
baseline: base
`);
  await assert.rejects(runCommand(study, { out: path.join(dir, 'out'), store: path.join(dir, 's.sqlite'), quiet: true }), (e: unknown) =>
    e instanceof UserError && /condition signs/.test(e.message) && /too few symbols/.test(e.message));
});

test('an output folder that cannot be written is a clear error, before any work', async () => {
  const { study, dir } = studyOver(header + good);
  const blocked = path.join(dir, 'file-not-folder');
  fs.writeFileSync(blocked, '');
  await assert.rejects(runCommand(study, { out: path.join(blocked, 'out'), store: path.join(dir, 's.sqlite'), quiet: true }), (e: unknown) =>
    e instanceof UserError && /cannot write the output folder/.test(e.message) && e.message.includes(blocked));
});

test('a model file that does not exist is an error naming the study, the model entry and the path', async () => {
  const { study, dir } = studyOver(header + good);
  const missing = path.join(dir, 'models', 'absent.gguf');
  fs.writeFileSync(study, fs.readFileSync(study, 'utf8').replace(/path: .*stories260K\.gguf/, `path: ${missing}`));
  await assert.rejects(runCommand(study, { out: path.join(dir, 'out'), store: path.join(dir, 's.sqlite'), quiet: true }), (e: unknown) => {
    assert.ok(e instanceof UserError, `a UserError, not ${e}`);
    assert.ok(e.message.includes(missing), e.message);
    assert.match(e.message, /models\.0/);
    return true;
  });
});
