import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../src/core/errors.js';
import { runCommand } from '../../src/cli/run.js';
import { CLI_ARGS, sharedDir, tempDir } from '../helpers.js';
import { BAD_INPUTS } from './bad-input-corpus.js';

/** A study over one CSV benchmark file with the given content; the model is never reached. */
function studyOver(
  csv: string | Buffer,
  extra = { conditions: '  - { name: base, scoring: symbol }' },
): { study: string; data: string; dir: string } {
  const dir = tempDir();
  const data = path.join(dir, 'bench.csv');
  fs.writeFileSync(data, csv);
  const study = path.join(dir, 'study.yaml');
  fs.writeFileSync(
    study,
    `name: bad
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
`,
  );
  return { study, data, dir };
}

async function expectError(csv: string | Buffer, where: RegExp, what: RegExp) {
  const { study, dir } = studyOver(csv);
  await assert.rejects(
    runCommand(study, { out: path.join(dir, 'out'), store: path.join(dir, 's.sqlite'), quiet: true }),
    (e: unknown) => {
      assert.ok(e instanceof UserError, `a UserError, not ${e}`);
      assert.match(e.message, where);
      assert.match(e.message, what);
      return true;
    },
  );
}

const header = 'question,a,b,c,d,answer\n';
const good = 'What is 2+2?,3,4,5,6,B\n';

test('malformed benchmark rows name the file and line', async () => {
  await expectError(header + good + '"unclosed,1,2,3,4,A\n', /bench\.csv:3/, /quot/i);
  await expectError(header + good + 'too,few,columns\n', /bench\.csv:3/, /column/i);
  await expectError(header + good + 'Q,1,2,3,4,E\n', /bench\.csv:3/, /answer/i);
  await expectError(header + good + 'Q,1,2,3,4,7\n', /bench\.csv:3/, /answer/i);
  await expectError(header + good + 'Q,1,,3,4,A\n', /bench\.csv:3/, /empty/i);
  await expectError(
    Buffer.concat([Buffer.from(header + good + 'Q,1,2,3,'), Buffer.from([0xff, 0xfe]), Buffer.from(',A\n')]),
    /bench\.csv:3/,
    /UTF-8/i,
  );
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
  fs.writeFileSync(
    study,
    `name: five
benchmark: { format: csv, path: bench.csv, fields: { question: question, choices: [a, b, c, d, e], answer: answer }, answerFormat: letter }
models: [{ name: stories, path: ${path.join(sharedDir(), 'models', 'stories260K.gguf')} }]
conditions:
  - { name: base, scoring: symbol }
  - { name: signs, scoring: symbol, perturbations: [{ symbols: { set: signs } }] }
baseline: base
`,
  );
  await assert.rejects(
    runCommand(study, { out: path.join(dir, 'out'), store: path.join(dir, 's.sqlite'), quiet: true }),
    (e: unknown) => e instanceof UserError && /condition signs/.test(e.message) && /too few symbols/.test(e.message),
  );
});

test('an output folder that cannot be written is a clear error, before any work', async () => {
  const { study, dir } = studyOver(header + good);
  const blocked = path.join(dir, 'file-not-folder');
  fs.writeFileSync(blocked, '');
  await assert.rejects(
    runCommand(study, { out: path.join(blocked, 'out'), store: path.join(dir, 's.sqlite'), quiet: true }),
    (e: unknown) =>
      e instanceof UserError && /cannot write the output folder/.test(e.message) && e.message.includes(blocked),
  );
});

test('a model file that does not exist is an error naming the study, the model entry and the path', async () => {
  const { study, dir } = studyOver(header + good);
  const missing = path.join(dir, 'models', 'absent.gguf');
  fs.writeFileSync(study, fs.readFileSync(study, 'utf8').replace(/path: .*stories260K\.gguf/, `path: ${missing}`));
  await assert.rejects(
    runCommand(study, { out: path.join(dir, 'out'), store: path.join(dir, 's.sqlite'), quiet: true }),
    (e: unknown) => {
      assert.ok(e instanceof UserError, `a UserError, not ${e}`);
      assert.ok(e.message.includes(missing), e.message);
      assert.match(e.message, /models\.0/);
      return true;
    },
  );
});

/** Every file under `dir` with a hash of its content (folders as such): what a failing run must leave as it was. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string) => {
    for (const name of fs.readdirSync(at)) {
      const file = path.join(at, name);
      const stat = fs.statSync(file);
      if (stat.isDirectory()) {
        out[path.relative(dir, file) + '/'] = 'folder';
        walk(file);
      } else out[path.relative(dir, file)] = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    }
  };
  walk(dir);
  return out;
}

/** The CLI, as root or as the unprivileged user nobody (permissions do not stop root). */
function cli(args: string[], asNobody: boolean): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const bin = [process.execPath, ...CLI_ARGS, ...args];
  const [cmd, ...rest] = asNobody ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...bin] : bin;
  return new Promise((resolve) => {
    const child = spawn(cmd, rest, {
      cwd: os.tmpdir(),
      env: {
        ...process.env,
        GOODHART_SHARED: sharedDir(),
        GOODHART_OFFLINE: '1',
        ...(asNobody ? { HOME: os.tmpdir() } : {}),
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test(`a corpus of ${BAD_INPUTS.length} bad inputs: exit code, a first line naming cause and place, no stack trace, nothing damaged or left behind`, async (t) => {
  const byArea: Record<string, number> = {};
  const queue = [...BAD_INPUTS];
  const failures: string[] = [];
  const worker = async () => {
    for (let c = queue.shift(); c; c = queue.shift()) {
      const dir = tempDir('goodhart-bad-');
      fs.chmodSync(dir, 0o755);
      // Run as nobody: the case folder is theirs, what setup makes in it is root's.
      if (c.asNobody) fs.chownSync(dir, 65534, 65534);
      const args = c.setup(dir);
      const before = snapshot(dir);
      const r = await cli(args, c.asNobody ?? false);
      const first = r.stderr.split('\n')[0];
      const place = typeof c.place === 'function' ? c.place(dir) : c.place;
      const problems = [
        r.code === (c.exit ?? 1) ? '' : `exit ${r.code}, not ${c.exit ?? 1}`,
        /^(goodhart|error): /.test(first) ? '' : 'first line is not an error',
        (typeof place === 'string' ? first.includes(place) : place.test(first))
          ? ''
          : `first line does not name ${place}`,
        c.cause.test(first) ? '' : `first line does not say ${c.cause}`,
        /^\s+at .+:\d+:\d+\)?$/m.test(r.stderr) ? 'a stack trace' : '',
        JSON.stringify(snapshot(dir)) === JSON.stringify(before)
          ? ''
          : `files changed: ${JSON.stringify(snapshot(dir))} (was ${JSON.stringify(before)})`,
      ].filter(Boolean);
      if (problems.length)
        failures.push(`${c.area}: ${c.name}: ${problems.join('; ')}\n  stderr: ${r.stderr.slice(0, 600)}`);
      byArea[c.area] = (byArea[c.area] ?? 0) + 1;
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  t.diagnostic(`bad inputs by area: ${JSON.stringify(byArea)}`);
  assert.ok(BAD_INPUTS.length >= 60);
  assert.deepEqual(failures, []);
});
