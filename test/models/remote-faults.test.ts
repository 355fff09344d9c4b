import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { HttpClient, parseRetryAfter } from '../../src/models/http.js';
import { runCli, tempDir } from '../helpers.js';
import { itemsOf, readOutput, storiesPath, writeStudy } from './remote-helpers.js';
import { ScoringEngine } from './servers/engine.js';
import { startServer, type Handler } from './servers/harness.js';
import { startVllm, vllmError } from './servers/vllm.js';

let engine: ScoringEngine;
before(async () => {
  engine = await ScoringEngine.load();
});
after(() => engine.model.dispose());

const client = (url: string, extra: Partial<ConstructorParameters<typeof HttpClient>[0]> = {}) =>
  new HttpClient({ root: url, concurrency: 4, timeoutMs: 2000, maxRetries: 3, backoffMs: 20, ...extra });

/** A route that fails its first `n` calls with `fail`, then answers `{ok: true}`. */
function flaky(n: number, fail: Handler): { handler: Handler; calls: () => number } {
  let calls = 0;
  return { handler: (body, req) => (++calls <= n ? fail(body, req) : { json: { ok: true } }), calls: () => calls };
}

test('Retry-After is read as seconds or as an HTTP date', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  assert.equal(parseRetryAfter('3', now), 3000);
  assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:02 GMT', now), 2000);
  assert.equal(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now), 0);
  assert.equal(parseRetryAfter('soon', now), undefined);
  assert.equal(parseRetryAfter(null, now), undefined);
});

test('a 429 is retried after the Retry-After the server asked for, and counted', async () => {
  const route = flaky(1, () => ({ status: 429, json: vllmError(429, 'slow down'), headers: { 'retry-after': '1' } }));
  const server = await startServer({ routes: { 'POST /x': route.handler }, errorBody: vllmError });
  try {
    const http = client(server.url);
    const started = Date.now();
    assert.deepEqual(await http.post('/x', {}), { ok: true });
    assert.ok(Date.now() - started >= 950, 'waited for Retry-After');
    assert.deepEqual(http.stats, { attempts: 2, retries: 1, failed: 0, timeouts: 0, resentPrompts: 1 });
  } finally {
    await server.close();
  }
});

test('500s and connection resets are retried with backoff until they pass', async () => {
  const errors = flaky(2, () => ({ status: 500, json: vllmError(500, 'boom') }));
  const resets = flaky(2, (_body, req) => {
    req.socket.destroy();
    return new Promise(() => {});
  });
  const server = await startServer({
    routes: { 'POST /errors': errors.handler, 'POST /resets': resets.handler },
    errorBody: vllmError,
  });
  try {
    const http = client(server.url);
    assert.deepEqual(await http.post('/errors', {}), { ok: true });
    assert.deepEqual(await http.post('/resets', {}), { ok: true });
    assert.equal(http.stats.retries, 4);
  } finally {
    await server.close();
  }
});

test('a final failure names the endpoint, the status and the server message; a 400 is not retried', async () => {
  const bad = flaky(100, () => ({
    status: 400,
    json: vllmError(400, "This model's maximum context length is 2048 tokens."),
  }));
  const down = flaky(100, () => ({ status: 503, json: vllmError(503, 'overloaded') }));
  const server = await startServer({
    routes: { 'POST /bad': bad.handler, 'POST /down': down.handler },
    errorBody: vllmError,
  });
  try {
    const http = client(server.url, { maxRetries: 2 });
    await assert.rejects(
      http.post('/bad', {}),
      (e: Error) =>
        e.message === `POST ${server.url}/bad: HTTP 400: This model's maximum context length is 2048 tokens.`,
    );
    assert.equal(bad.calls(), 1);
    await assert.rejects(
      http.post('/down', {}),
      (e: Error) => e.message === `POST ${server.url}/down: HTTP 503: overloaded (after 3 attempts)`,
    );
    assert.equal(down.calls(), 3);
  } finally {
    await server.close();
  }
});

test('a slow answer past timeoutMs is abandoned and retried; one that is always slow fails with the timeout', async () => {
  const once = flaky(1, () => new Promise((r) => setTimeout(() => r({ json: { late: true } }), 1500)));
  const always = flaky(100, () => new Promise((r) => setTimeout(() => r({ json: { late: true } }), 500)));
  const server = await startServer({
    routes: { 'POST /once': once.handler, 'POST /always': always.handler },
    errorBody: vllmError,
  });
  try {
    const http = client(server.url, { timeoutMs: 300 });
    assert.deepEqual(await http.post('/once', {}), { ok: true });
    assert.equal(http.stats.retries, 1);
    await assert.rejects(
      client(server.url, { timeoutMs: 100, maxRetries: 0 }).post('/always', {}),
      /no complete answer within 100 ms \(timeoutMs\)/,
    );
  } finally {
    await server.close();
  }
});

test('connection refused names the endpoint', async () => {
  const server = await startServer({ routes: {}, errorBody: vllmError });
  const url = server.url;
  await server.close();
  await assert.rejects(
    client(url, { maxRetries: 1 }).post('/v1/completions', {}),
    (e: Error) =>
      e.message.startsWith(`POST ${url}/v1/completions: cannot reach the server: connection refused`) &&
      /after 2 attempts/.test(e.message),
  );
});

test('under a fault mix (>= 20% of first attempts failing) a run loses nothing, scores no failure and reports retries', async () => {
  // Generous timeouts: a busy machine makes real answers slow too, and only the injected slow ones should time out.
  const faults = { firstAttemptRate: 0.35, retryRate: 0.1, storm: 2, slowMs: 8500, seed: 11 };
  const server = await startVllm({ engine, faults });
  const dir = tempDir();
  try {
    const study = writeStudy(
      dir,
      [
        `{ name: local, path: '${storiesPath()}', threads: 1 }`,
        `{ name: remote, backend: openai-completions, url: '${server.url}', model: stories260K, batchSize: 4, concurrency: 2, timeoutMs: 8000, maxRetries: 8 }`,
      ],
      ['{ name: base, scoring: symbol }', '{ name: hybrid, scoring: hybrid, normalization: char }'],
      2,
    );
    const out = path.join(dir, 'out');
    const r = await runCli(['run', study, '--out', out, '--store', path.join(dir, 'store.sqlite')]);
    assert.equal(r.code, 0, r.stderr);
    const { counts } = server;
    assert.ok(
      counts.failedFirstAttempts / counts.firstAttempts >= 0.2,
      `${counts.failedFirstAttempts} of ${counts.firstAttempts} first attempts failed`,
    );
    for (const kind of ['rate-limit', 'server-error', 'slow', 'truncated', 'reset'])
      assert.ok(counts.faults[kind] > 0, `${kind} faults were injected`);

    const run = readOutput(out);
    const remote = run.summary.requestsByModel.remote;
    assert.equal(remote.failed, 0, 'no request was lost');
    assert.equal(remote.computed, remote.unique);
    assert.ok(remote.retries > 0);
    assert.match(r.stdout, /\(\d+ HTTP retries\)/);
    assert.match(r.stderr, new RegExp(`remote: \\d+ HTTP attempts to ${server.url} were retried`));
    for (const cell of run.summary.cells)
      assert.deepEqual([cell.n, cell.failed], [4, 0], `${cell.model} ${cell.condition}`);
    // Same predictions as the in-process model: no fault turned into a wrong (or right) answer.
    const local = itemsOf(run, 'local');
    for (const [key, item] of itemsOf(run, 'remote')) {
      assert.equal(item.predicted, local.get(key).predicted, key);
      item.scores.forEach((s: number, j: number) => assert.ok(Math.abs(s - local.get(key).scores[j]) < 1e-3));
    }
  } finally {
    await server.close();
  }
});

test('a batch slower than timeoutMs is split and sent in smaller pieces; each prompt is computed at most once more per timeout, all counted in summary.json', async () => {
  // 400 ms a prompt: a batch of 8 takes 3.2 s, 4 take 1.6 s, both beyond the 1.5 s timeout; 2 take 0.8 s.
  const server = await startVllm({ engine, promptDelayMs: 400 });
  const dir = tempDir();
  try {
    const study = writeStudy(
      dir,
      [
        `{ name: local, path: '${storiesPath()}', threads: 1 }`,
        `{ name: remote, backend: openai-completions, url: '${server.url}', model: stories260K, batchSize: 8, concurrency: 1, timeoutMs: 1500 }`,
      ],
      ['{ name: base, scoring: symbol }'],
      1,
    );
    const out = path.join(dir, 'out');
    const r = await runCli(['run', study, '--out', out, '--store', path.join(dir, 'store.sqlite')]);
    assert.equal(r.code, 0, r.stderr);
    const remote = readOutput(out).summary.requestsByModel.remote;
    const { prompts } = server;
    assert.equal(remote.failed, 0);
    assert.ok(remote.timeouts > 0, 'the first batch timed out');
    // A busy machine may delay the client past an answer already sent, so the server sees at most as many hang-ups as the client timed out.
    assert.ok(
      prompts.abandonedRequests > 0 && prompts.abandonedRequests <= remote.timeouts,
      `${prompts.abandonedRequests} hang-ups for ${remote.timeouts} timeouts`,
    );
    for (const [batch, n] of prompts.batches)
      assert.ok(n === 1 || !batch.includes('|'), 'a batch of several prompts is never sent twice: it is split');
    const sent = [...prompts.received.values()].reduce((a, b) => a + b, 0);
    assert.ok(
      remote.resentPrompts >= sent - prompts.received.size && remote.resentPrompts > 0,
      'summary.json counts every prompt sent again',
    );
    assert.ok(
      remote.resentPrompts <= remote.timeouts * 8,
      'each timeout resends at most the prompts of its own request',
    );
    const computed = [...prompts.computed.values()].reduce((a, b) => a + b, 0);
    assert.ok(
      computed - prompts.received.size <= remote.resentPrompts,
      `${computed} computations of ${prompts.received.size} prompts`,
    );
    assert.equal(prompts.computed.size, prompts.received.size, 'every prompt was computed in the end');
    assert.match(r.stderr, /remote: \d+ HTTP attempts timed out \(timeoutMs\); \d+ prompts were sent again in all/);
  } finally {
    await server.close();
  }
});

test('an unreachable server stops the run with an error naming the endpoint', async () => {
  const server = await startServer({ routes: {}, errorBody: vllmError });
  const url = server.url;
  await server.close();
  const dir = tempDir();
  const study = writeStudy(
    dir,
    [`{ name: remote, backend: openai-completions, url: '${url}/v1', model: m, maxRetries: 1 }`],
    ['{ name: base, scoring: symbol }'],
  );
  const r = await runCli([
    'run',
    study,
    '--out',
    path.join(dir, 'out'),
    '--store',
    path.join(dir, 'store.sqlite'),
    '-q',
  ]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`GET ${url}/v1/models: cannot reach the server: connection refused`));
});
