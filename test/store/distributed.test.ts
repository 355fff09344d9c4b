import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { assertSameItems, runCli, sharedDir, tempDir, writeStudy, type CliResult } from '../helpers.js';
import { freshDatabase, postgresMissing, sql } from './backends.js';

/*
 * Runs spread over workers by a PostgreSQL store's queue, with real inference (the tiny GGUF
 * model): the same items as one process on SQLite, every request computed once, and a worker
 * killed with SIGKILL losing only the chunk it held.
 */

const skip = postgresMissing();
const CONDITIONS = [
  '{ name: base, scoring: symbol }',
  '{ name: hybrid, scoring: hybrid, normalization: token }',
  '{ name: circ, scoring: symbol, perturbations: [circular] }',
];
const writeDistStudy = (dir: string) =>
  writeStudy(dir, {
    name: 'dist',
    subjects: ['anatomy', 'virology', 'astronomy', 'marketing'],
    perSubject: 10,
    conditions: CONDITIONS,
  });

const items = (dir: string) => fs.readFileSync(path.join(dir, 'items.jsonl'), 'utf8');
const lines = (file: string) =>
  fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];

/** Workers on a store until `until` settles, then stopped as an operator would (SIGTERM). */
function startWorkers(
  store: string,
  dir: string,
  count: number,
  env: Record<string, string>,
  until: Promise<unknown>,
  extra: string[] = [],
): Promise<CliResult>[] {
  return Array.from({ length: count }, (_, i) =>
    runCli(['worker', '--store', store, ...extra], {
      env: { ...env, GOODHART_AUDIT_LOG: path.join(dir, `worker-${i}.log`) },
      signal: 'SIGTERM',
      killWhen: () => settled(until),
    }),
  );
}

const done = new WeakSet<Promise<unknown>>();
const settled = (p: Promise<unknown>) => done.has(p);
const track = <T>(p: Promise<T>): Promise<T> => {
  void p.finally(() => done.add(p));
  return p;
};

/** `run --distributed`, killed if the test ends first (it would wait for workers for ever). */
function distributedRun(t: TestContext, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  let ended = false;
  t.after(() => void (ended = true));
  return track(runCli(['run', ...args, '--distributed', '-q'], { env, killWhen: () => ended }));
}

async function reference(dir: string, study: string): Promise<string> {
  const r = await runCli(
    ['run', study, '--out', path.join(dir, 'ref'), '--store', path.join(dir, 'ref.sqlite'), '-q'],
    { env: { GOODHART_AUDIT_LOG: path.join(dir, 'ref.log') } },
  );
  assert.equal(r.code, 0, r.stderr);
  return items(path.join(dir, 'ref'));
}

const writeSimStudy = (dir: string) => {
  const file = writeStudy(dir, {
    name: 'sim',
    subjects: ['anatomy', 'virology', 'astronomy'],
    perSubject: 10,
    conditions: CONDITIONS,
  });
  const text = fs
    .readFileSync(file, 'utf8')
    .replace(
      /models:[\s\S]*?conditions:/,
      'models:\n  - { name: sim-a, backend: sim, ability: 0.6, seed: 1 }\n  - { name: sim-b, backend: sim, ability: 0.4, templateSensitivity: 0.5 }\nconditions:',
    );
  fs.writeFileSync(file, text);
  return file;
};

/** The study run with `workers` workers on a fresh PostgreSQL store; its items.jsonl. */
async function withWorkers(
  t: TestContext,
  dir: string,
  study: string,
  workers: number,
  name: string,
  env: Record<string, string> = {},
  /** Whether three workers must each have done a chunk: only where a chunk takes real inference, so an idle
   * worker polls while another computes; instant simulated chunks can all go to whichever worker polls first. */
  expectShared = false,
): Promise<string> {
  const store = await freshDatabase();
  const out = path.join(dir, name);
  fs.mkdirSync(path.join(dir, `${name}-logs`));
  const run = distributedRun(t, [study, '--out', out, '--store', store], env);
  const pool = startWorkers(store, path.join(dir, `${name}-logs`), workers, env, run);
  const r = await run;
  const stopped = await Promise.all(pool);
  assert.equal(r.code, 0, r.stderr);
  for (const w of stopped) assert.equal(w.code, 0, `a worker stops cleanly on SIGTERM: ${w.stderr}`);
  const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
  assert.equal(summary.requests.computed, summary.requests.unique, 'every request was computed by the workers');
  if (workers === 3 && expectShared)
    assert.ok(
      stopped.filter((w) => /chunk of \d+ requests done/.test(w.stderr)).length >= 2,
      'the chunks were shared between workers',
    );
  return items(out);
}

test(
  'simulated models: SQLite, PostgreSQL alone, 1 and 3 workers give byte-identical items.jsonl',
  { skip },
  async (t) => {
    const dir = tempDir();
    const study = writeSimStudy(dir);
    const want = await reference(dir, study);
    const alone = await runCli([
      'run',
      study,
      '--out',
      path.join(dir, 'alone'),
      '--store',
      await freshDatabase(),
      '-q',
    ]);
    assert.equal(alone.code, 0, alone.stderr);
    assert.equal(items(path.join(dir, 'alone')), want, 'PostgreSQL store, one process');
    // Small chunks, so three workers can share them (each chunk is instant, so one may take them all).
    for (const workers of [1, 3])
      assert.equal(
        await withWorkers(t, dir, study, workers, `workers-${workers}`, { GOODHART_CHUNK_REQUESTS: '64' }),
        want,
        `${workers} workers`,
      );
  },
);

// A GGUF model keeps what it evaluated for the next call's shared prefixes, so which worker did
// which chunk after which moves scores in the last digits (with precise: true, below 1e-5 nats).
test('real inference: SQLite, PostgreSQL alone, 1 and 3 workers give the same items.jsonl', { skip }, async (t) => {
  const dir = tempDir();
  const study = writeDistStudy(dir);
  const want = await reference(dir, study);
  const alone = await runCli(['run', study, '--out', path.join(dir, 'alone'), '--store', await freshDatabase(), '-q']);
  assert.equal(alone.code, 0, alone.stderr);
  assert.equal(items(path.join(dir, 'alone')), want, 'PostgreSQL store, one process: byte for byte');
  for (const workers of [1, 3])
    assertSameItems(await withWorkers(t, dir, study, workers, `workers-${workers}`, {}, true), want);
});

test(
  'three workers, one killed with SIGKILL mid-run: the run completes with the items of a single SQLite run, nothing finished computed twice',
  { skip },
  async (t) => {
    const dir = tempDir();
    const study = writeDistStudy(dir);
    const want = await reference(dir, study);
    const store = await freshDatabase();
    // Small chunks, so the killed worker holds one mid-run; a short lease, so another takes it soon.
    const env = { GOODHART_CHUNK_REQUESTS: '24', GOODHART_LEASE_SECONDS: '1' };
    const out = path.join(dir, 'out');
    const run = distributedRun(t, [study, '--out', out, '--store', store], env);
    // Killed once it has finished one chunk and holds the next.
    const holdsSecond = (stderr: string) => (stderr.match(/computing a chunk/g)?.length ?? 0) >= 2;
    const victim = runCli(['worker', '--store', store], {
      env: { ...env, GOODHART_AUDIT_LOG: path.join(dir, 'victim.log') },
      signal: 'SIGKILL',
      killWhen: ({ stderr }) => holdsSecond(stderr) || settled(run),
    });
    const others = startWorkers(store, dir, 2, env, run);
    const killed = await victim;
    assert.equal(killed.signal, 'SIGKILL', killed.stderr);
    assert.ok(holdsSecond(killed.stderr), `the worker was killed holding a chunk: ${killed.stderr}`);
    const r = await run;
    await Promise.all(others);
    assert.equal(r.code, 0, r.stderr);
    assertSameItems(items(out), want);

    const byWorker = [
      lines(path.join(dir, 'victim.log')),
      lines(path.join(dir, 'worker-0.log')),
      lines(path.join(dir, 'worker-1.log')),
    ];
    const computed = byWorker.flat();
    t.diagnostic(
      `results stored by the killed worker: ${byWorker[0].length}; by the others: ${byWorker[1].length} and ${byWorker[2].length}`,
    );
    assert.ok(byWorker[0].length > 0, 'the killed worker had stored results before it was killed');
    assert.equal(new Set(computed).size, computed.length, 'no stored request was computed again');
    assert.deepEqual(
      new Set(computed),
      new Set(lines(path.join(dir, 'ref.log'))),
      'every request the study needs was computed',
    );
    const jobs = await sql(
      store,
      `SELECT state, count(*)::int AS n FROM pgboss.job WHERE name LIKE 'goodhart_%' GROUP BY state`,
    );
    assert.deepEqual(jobs.rows, [{ state: 'completed', n: jobs.rows[0]?.n }], 'every chunk is done');
    const retaken = await sql(
      store,
      `SELECT count(*)::int AS n FROM pgboss.job WHERE name LIKE 'goodhart_%' AND retry_count > 0`,
    );
    assert.ok(retaken.rows[0].n >= 1, 'the chunk the killed worker held was taken by another once its lease lapsed');
    assert.equal(
      (await sql(store, 'SELECT count(*)::int AS n FROM goodhart_claims')).rows[0].n,
      0,
      'no claim is left behind',
    );
  },
);

test(
  'a worker whose model is another file behind the same name refuses the chunks; a worker with the right file does them',
  { skip },
  async (t) => {
    const dir = tempDir();
    const study = writeDistStudy(dir);
    const store = await freshDatabase();
    const local = path.join(dir, 'local.yaml');
    fs.writeFileSync(local, fs.readFileSync(study, 'utf8').replace('stories260K.gguf', 'llama-2-tiny-random.gguf'));
    assert.ok(fs.existsSync(path.join(sharedDir(), 'models', 'llama-2-tiny-random.gguf')));
    const run = distributedRun(t, [study, '--out', path.join(dir, 'out'), '--store', store]);
    const wrong = runCli(['worker', '--store', store, '--study', local], {
      env: { GOODHART_AUDIT_LOG: path.join(dir, 'wrong.log') },
      signal: 'SIGTERM',
      killWhen: ({ stderr }) => /refused a chunk/.test(stderr) || settled(run),
    });
    const refused = await wrong;
    assert.match(
      refused.stderr,
      /refused a chunk: .*model stories here is gguf:sha256:[\w:-]+, the study's is gguf:sha256:[\w:-]+/,
    );
    assert.deepEqual(lines(path.join(dir, 'wrong.log')), [], 'the refusing worker computed nothing');
    const [right] = startWorkers(store, dir, 1, {}, run);
    const r = await run;
    await right;
    assert.equal(r.code, 0, r.stderr);
  },
);
