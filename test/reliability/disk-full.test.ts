import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { RequestResult } from '../../src/core/types.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import {
  assertSameItems,
  CLI_ARGS,
  repoRoot,
  runCli,
  sharedDir,
  tempDir,
  writeSmallStudy,
  type CliResult,
} from '../helpers.js';

/*
 * A disk that fills up mid-run, simulated without root by RLIMIT_FSIZE: bash's `ulimit -f` (in
 * 1024-byte blocks) caps the size of every file the run writes. With SIGXFSZ ignored, a write past
 * the limit fails with EFBIG (SQLite reports it as SQLITE_IOERR_WRITE) instead of killing the process.
 */

/** `goodhart <args>` under a file-size limit of `kib` KiB. */
function runLimited(args: string[], kib: number, env: Record<string, string>): Promise<CliResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, GOODHART_SHARED: sharedDir(), ...env };
  // In POSIX mode bash counts `ulimit -f` in 512-byte blocks.
  delete childEnv.POSIXLY_CORRECT;
  const script = 'trap "" XFSZ; ulimit -f "$1" || exit 99; shift; exec "$0" "$@"';
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script, process.execPath, String(kib), ...CLI_ARGS, ...args], {
      cwd: repoRoot,
      env: childEnv,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const read = (dir: string) => ({
  items: fs.readFileSync(path.join(dir, 'items.jsonl'), 'utf8'),
  summary: JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')),
});

/** Lines of an audit log: `<model id> <request key>` per stored result. */
const auditLines = (file: string) =>
  fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
/** Request keys of audit lines by model. */
function byModel(lines: string[]): Map<string, string[]> {
  const keys = new Map<string, string[]>();
  for (const line of lines) {
    const at = line.lastIndexOf(' ');
    const model = line.slice(0, at);
    keys.set(model, [...(keys.get(model) ?? []), line.slice(at + 1)]);
  }
  return keys;
}

/** The error a user gets: names the file, says which limit is full and what to do; no stack trace. */
function assertNoSpaceMessage(r: CliResult, file: string) {
  assert.equal(r.signal, null, `the run exits by itself, not killed by SIGXFSZ\n${r.stderr}`);
  assert.equal(r.code, 1, r.stderr);
  const line = r.stderr.split('\n').find((l) => l.startsWith('goodhart: '));
  assert.ok(line, `an error line\n${r.stderr}`);
  assert.ok(line.startsWith(`goodhart: ${file}: cannot write: the file reached the file-size limit (`), line);
  assert.match(
    line,
    /see ulimit -f\)\. Everything written before is kept: raise the file-size limit, then run the same command again to resume/,
  );
  assert.doesNotMatch(r.stderr, /^\s+at |Error:|Node\.js v/m, 'no stack trace');
}

/** The store opens, passes SQLite's integrity check and holds every one of these results. */
function assertStoreHolds(file: string, lines: string[]) {
  const db = new Database(file);
  assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  db.close();
  const store = new SqliteStore(file);
  try {
    for (const [model, keys] of byModel(lines))
      assert.equal(store.getMany(model, keys).size, keys.length, 'results stored before the fault are there');
  } finally {
    store.close();
  }
}

const noTemporaries = (dir: string) =>
  assert.deepEqual(
    fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')),
    [],
    'no partial files left behind',
  );

/** The uninterrupted run every case is compared with. */
const ref = { dir: '', unique: 0, audit: [] as string[] };

before(async () => {
  ref.dir = tempDir();
  const audit = path.join(ref.dir, 'audit.log');
  const r = await runCli(
    [
      'run',
      writeSmallStudy(ref.dir),
      '--out',
      path.join(ref.dir, 'out'),
      '--store',
      path.join(ref.dir, 'store.sqlite'),
      '-q',
    ],
    { env: { GOODHART_AUDIT_LOG: audit } },
  );
  assert.equal(r.code, 0, r.stderr);
  ref.unique = read(path.join(ref.dir, 'out')).summary.requests.unique;
  ref.audit = auditLines(audit);
  assert.equal(ref.audit.length, ref.unique);
});

test('the store reaching the file-size limit mid-evaluation: a clear error, the store intact, and a resume that computes only the rest', async (t) => {
  // Where the store's WAL crosses the limit depends on how many results each commit holds, and
  // results are committed at least every second, so on machine speed: the limit is narrowed
  // (geometrically) until a run stops with some but not all results stored. The audit log stays
  // below every limit tried, and a run that stores everything has written a WAL above the lowest.
  let low = 64;
  let high = 4096;
  let kib = 320;
  let dir: string;
  let args: string[];
  let run: CliResult;
  let stored: string[];
  for (let attempt = 1; ; attempt++) {
    dir = tempDir();
    args = ['run', writeSmallStudy(dir), '--out', path.join(dir, 'out'), '--store', path.join(dir, 'store.sqlite')];
    run = await runLimited(args, kib, { GOODHART_AUDIT_LOG: path.join(dir, 'audit.log') });
    stored = auditLines(path.join(dir, 'audit.log'));
    t.diagnostic(`limit ${kib} KiB: exit ${run.code}, ${stored.length} of ${ref.unique} results stored`);
    if (run.code !== 0 && stored.length > 0 && stored.length < ref.unique) break;
    assert.ok(
      attempt < 5,
      `no limit in [${low}, ${high}] KiB stopped the run mid-evaluation; at ${kib} KiB: exit ${run.code}, ${stored.length} of ${ref.unique} stored\n${run.stderr}`,
    );
    if (stored.length === 0) low = kib;
    else high = kib;
    kib = Math.round(Math.sqrt(low * high));
  }
  const store = path.join(dir, 'store.sqlite');
  const out = path.join(dir, 'out');
  assertNoSpaceMessage(run, store);
  // The output folder is made only when there are results to write.
  assert.ok(!fs.existsSync(out) || fs.readdirSync(out).length === 0, 'nothing is written to the output folder');
  assertStoreHolds(store, stored);

  // Space again: the same command finishes, computing only what the failed run had not stored.
  const resumed = await runCli(args, { env: { GOODHART_AUDIT_LOG: path.join(dir, 'audit.log') } });
  assert.equal(resumed.code, 0, resumed.stderr);
  const got = read(out);
  const want = read(path.join(ref.dir, 'out'));
  // Answers that arrived but were not yet committed when the store filled up come back from the journal.
  const recovered = got.summary.requests.cached - stored.length;
  assert.ok(recovered >= 0, `cached ${got.summary.requests.cached} < stored ${stored.length}`);
  assert.equal(got.summary.requests.computed, ref.unique - stored.length - recovered);
  assertSameItems(got.items, want.items);
  assert.deepEqual(got.summary.cells, want.summary.cells);
  const all = auditLines(path.join(dir, 'audit.log'));
  assert.equal(new Set(all).size, all.length, 'no result was computed twice');
  const study = new Set(ref.audit);
  assert.ok(
    all.every((line) => study.has(line)),
    'only requests of the study were computed',
  );
  assert.equal(
    all.length + recovered,
    ref.unique,
    'every request of the study was computed once (or recovered from the journal)',
  );
});

test('the output folder reaching the file-size limit: a clear error, no partial file, the store intact, and a resume that computes nothing', async () => {
  const dir = tempDir();
  const study = writeSmallStudy(dir);
  const out = path.join(dir, 'out');
  const storeFile = path.join(dir, 'store.sqlite');
  const audit = path.join(dir, 'audit.log');
  // A store holding all but the last 24 results the uninterrupted run stored: the run computes those, then writes its outputs.
  const missing = 24;
  const source = new SqliteStore(path.join(ref.dir, 'store.sqlite'));
  const store = new SqliteStore(storeFile);
  for (const [model, keys] of byModel(ref.audit.slice(0, -missing))) {
    const found = source.getMany(model, keys);
    assert.equal(found.size, keys.length);
    store.putMany(model, [...found] as [string, RequestResult][]);
  }
  store.close();
  source.close();

  // A limit above every output file but the report (and above the store's WAL for a few results).
  const refOut = path.join(ref.dir, 'out');
  const size = (f: string) => fs.statSync(path.join(refOut, f)).size;
  const others = Math.max(...['items.jsonl', 'summary.json', 'analysis.json', 'report.md'].map(size), 64 * 1024);
  assert.ok(
    size('report.html') > others + 16 * 1024,
    `report.html (${size('report.html')} bytes) is the largest output by a margin`,
  );
  const kib = Math.floor((others + size('report.html')) / 2 / 1024);

  const args = ['run', study, '--out', out, '--store', storeFile];
  const r = await runLimited(args, kib, { GOODHART_AUDIT_LOG: audit });
  assertNoSpaceMessage(r, path.join(out, 'report.html'));
  noTemporaries(out);
  assert.ok(!fs.existsSync(path.join(out, 'report.html')));
  // What was written before the fault is whole.
  const want = read(refOut);
  const partial = read(out);
  assertSameItems(partial.items, want.items);
  assert.deepEqual(partial.summary.cells, want.summary.cells);
  const computed = auditLines(audit);
  assert.equal(computed.length, missing);
  assertStoreHolds(storeFile, ref.audit);

  // Space again: the same command writes everything and computes nothing.
  const resumed = await runCli(args, { env: { GOODHART_AUDIT_LOG: audit } });
  assert.equal(resumed.code, 0, resumed.stderr);
  const got = read(out);
  assert.equal(got.summary.requests.computed, 0);
  assert.equal(got.summary.requests.cached, ref.unique);
  assert.deepEqual(auditLines(audit), computed, 'nothing was computed again');
  assertSameItems(got.items, want.items);
  assert.deepEqual(got.summary.cells, want.summary.cells);
  assert.ok(fs.statSync(path.join(out, 'report.html')).size > kib * 1024);
  noTemporaries(out);
});
