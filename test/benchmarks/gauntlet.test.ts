import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadBenchmark } from '../../src/benchmarks/load.js';
import {
  GAUNTLET_DIR,
  assertWellFormed,
  noSharedData,
  rejectsUserError,
  spec,
  tempDir,
  writeFiles,
} from './helpers.js';

const opts = { baseDir: process.cwd() };
const gauntlet = (name: string, extra: object = {}) =>
  spec({ format: 'gauntlet', path: path.join(GAUNTLET_DIR, `${name}.jsonl`), ...extra });

describe('gauntlet on the shared data', { skip: noSharedData && 'shared data folder not found' }, () => {
  it('loads arc_challenge with the query text as given', async () => {
    const b = await loadBenchmark(gauntlet('arc_challenge'), opts);
    assert.equal(b.items.length, 1172);
    assert.equal(b.items[0].id, 'arc_challenge/0');
    assert.equal(b.items[0].subject, 'arc_challenge');
    assert.ok(b.items[0].question.startsWith('Question: An astronomer observes'));
    assert.equal(b.items[0].choices[2], 'Planetary days will become shorter.');
    assert.equal(b.items[0].answer, 2);
    assert.equal(b.fewshotPool.size, 0);
    assertWellFormed(b.items);
  });

  it('uses the subject given in the spec', async () => {
    const b = await loadBenchmark(gauntlet('copa', { subject: 'copa-dev' }), opts);
    assert.equal(b.items.length, 100);
    assert.ok(b.items.every((i) => i.subject === 'copa-dev'));
  });

  it('reads the choices listed in a lettered query and keeps the original query in meta', async () => {
    const b = await loadBenchmark(gauntlet('commonsense_qa'), opts);
    assert.equal(b.items.length, 1221);
    const first = b.items[0];
    assert.equal(
      first.question,
      'Question: A revolving door is convenient for two direction travel, but it also serves as a security measure at a what?',
    );
    assert.deepEqual(first.choices, ['bank', 'department store', 'mall', 'new york']);
    assert.equal(first.answer, 0);
    assert.match(String(first.meta?.query), /\nChoices:\nA\. bank\n/);
    const siqa = await loadBenchmark(gauntlet('siqa'), opts);
    assert.equal(siqa.items.length, 1954);
    assert.ok(siqa.items.every((i) => i.choices.every((c) => !/^[A-Z]$/.test(c))));
  });

  it('refuses winogrande with a clear message', async () => {
    await rejectsUserError(
      loadBenchmark(gauntlet('winogrande'), opts),
      `${path.join(GAUNTLET_DIR, 'winogrande.jsonl')}:1`,
      /WinoGrande shape/,
    );
  });
});

describe('gauntlet files', () => {
  it('refuses the WinoGrande shape even under onBadRow: skip', async () => {
    const dir = await writeFiles(await tempDir(), {
      'w.jsonl': '{"context_options":["a","b"],"continuation":"c","gold":0}\n',
    });
    await rejectsUserError(
      loadBenchmark(spec({ format: 'gauntlet', path: 'w.jsonl', onBadRow: 'skip' }), { baseDir: dir }),
      /w\.jsonl:1$/,
      /WinoGrande/,
    );
  });

  it('treats bare letter choices without a listing in the query as a bad row', async () => {
    const dir = await writeFiles(await tempDir(), {
      'g.jsonl': '{"query":"Q?","choices":["A","B"],"gold":0}\n{"query":"Q2?","choices":["x","y"],"gold":1}\n',
    });
    const b = await loadBenchmark(spec({ format: 'gauntlet', path: 'g.jsonl', onBadRow: 'skip' }), { baseDir: dir });
    assert.deepEqual(
      b.items.map((i) => i.id),
      ['g/1'],
    );
    assert.equal(b.skipped.length, 1);
    assert.match(b.skipped[0].reason, /bare letters/);
  });
});
