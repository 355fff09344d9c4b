import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { RequestResult } from '../../src/core/types.js';
import { UserError } from '../../src/core/errors.js';
import { openStore } from '../../src/store/open.js';
import { runCli, tempDir, writeSmallStudy } from '../helpers.js';
import { freshDatabase, postgresMissing, sql } from './backends.js';

const skip = postgresMissing();
const result = (logprob: number): RequestResult => ({ kind: 'loglikelihood', logprob, tokens: 1, greedy: false });

test(
  'store copy: SQLite to PostgreSQL and back, every result once; run again after an interruption it copies only the rest',
  { skip },
  async () => {
    const dir = tempDir();
    const sqlite = path.join(dir, 'from.sqlite');
    const source = openStore(sqlite);
    source.putMany(
      'a',
      Array.from({ length: 12_000 }, (_, i) => [`k${i}`, result(-(i + 1) / 7)] as const),
    );
    source.putMany('b', [['x', { kind: 'nextToken', logprobs: [-0.5, null, -3.25] }]]);
    source.close();
    const pg = await freshDatabase();
    // An earlier copy that stopped part-way: some of model a is already there.
    const partial = openStore(pg);
    partial.putMany(
      'a',
      Array.from({ length: 5000 }, (_, i) => [`k${i}`, result(-(i + 1) / 7)] as const),
    );
    partial.close();

    const first = await runCli(['store', 'copy', sqlite, pg, '-q']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /copied 7001 results .* \(5000 were there already\)/);
    const again = await runCli(['store', 'copy', sqlite, pg, '-q']);
    assert.match(again.stdout, /copied 0 results .* \(12001 were there already\)/);

    const back = path.join(dir, 'back.sqlite');
    const returned = await runCli(['store', 'copy', pg, back, '-q']);
    assert.equal(returned.code, 0, returned.stderr);
    assert.match(returned.stdout, /copied 12001 results/);
    const copy = openStore(back);
    const keys = Array.from({ length: 12_000 }, (_, i) => `k${i}`);
    const got = copy.getMany('a', keys);
    assert.equal(got.size, 12_000);
    for (const [i, key] of keys.entries()) assert.deepEqual(got.get(key), result(-(i + 1) / 7), key);
    assert.deepEqual(copy.getMany('b', ['x']).get('x'), { kind: 'nextToken', logprobs: [-0.5, null, -3.25] });
    copy.close();
  },
);

test(
  'a PostgreSQL store of a newer schema version is refused, naming the store without its password',
  { skip },
  async () => {
    const url = new URL(await freshDatabase());
    openStore(url.toString()).close();
    await sql(url.toString(), `UPDATE goodhart_meta SET value = '99' WHERE key = 'schema_version'`);
    url.password = 'sekrit-pw';
    assert.throws(
      () => openStore(url.toString()),
      (e: unknown) =>
        e instanceof UserError &&
        /newer than this goodhart understands/.test(e.message) &&
        !e.message.includes('sekrit-pw') &&
        e.message.includes('***'),
    );
  },
);

test('an unreachable PostgreSQL server: one clear line naming the store, no stack trace, no password', async () => {
  const dir = tempDir();
  const study = writeSmallStudy(dir);
  const r = await runCli([
    'run',
    study,
    '--out',
    path.join(dir, 'out'),
    '--store',
    'postgres://someone:sekrit-pw@127.0.0.1:1/goodhart',
    '-q',
  ]);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^goodhart: postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/goodhart: cannot use the PostgreSQL store: .*ECONNREFUSED/,
  );
  assert.doesNotMatch(r.stderr, /sekrit-pw|\n\s+at /);
});

test('--distributed needs a PostgreSQL store; a worker needs one too', async () => {
  const dir = tempDir();
  const study = writeSmallStudy(dir);
  const run = await runCli([
    'run',
    study,
    '--out',
    path.join(dir, 'out'),
    '--store',
    path.join(dir, 's.sqlite'),
    '--distributed',
    '-q',
  ]);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^goodhart: --distributed: .*needs a PostgreSQL store/);
  const worker = await runCli(['worker', '--store', path.join(dir, 's.sqlite')]);
  assert.equal(worker.code, 1);
  assert.match(worker.stderr, /^goodhart: --store: a worker needs the PostgreSQL store/);
});
