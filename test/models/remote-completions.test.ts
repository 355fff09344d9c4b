import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { NextTokenResult, Outcome, Request } from '../../src/core/types.js';
import { PROBE_TEXTS } from '../../src/models/remote-checks.js';
import { remoteStats } from '../../src/models/remote.js';
import { runCli, tempDir } from '../helpers.js';
import { connectModel, itemsOf, readOutput, inProcessReference, storiesPath, writeStudy } from './remote-helpers.js';
import { startVllm } from './servers/vllm.js';

const context = 'Question: What is the capital of France?\nA. Paris\nB. Rome\nAnswer:';
const requests: Request[] = [
  { kind: 'loglikelihood', context, continuation: ' A' },
  { kind: 'loglikelihood', context, continuation: ' B' },
  { kind: 'loglikelihood', context, continuation: ' Paris' },
  {
    kind: 'loglikelihood',
    context: 'Question: What is the capital of France?\nAnswer: ',
    continuation: 'Rome is the answer',
  },
  { kind: 'loglikelihood', context: '다음 중 대한민국의 수도는?\n정답:', continuation: ' 서울특별시' },
  { kind: 'loglikelihood', context: 'Once upon a time', continuation: ', there was a little girl' },
  { kind: 'nextToken', context, candidates: [' A', ' B', ' C'] },
];

const ref = inProcessReference(requests);

const values = (o: Outcome) => {
  assert.ok(o.ok, !o.ok ? o.error : '');
  return o.result.kind === 'loglikelihood' ? [o.result.logprob] : (o.result as NextTokenResult).logprobs;
};

function assertClose(got: Outcome[], want: Outcome[]) {
  got.forEach((o, i) => {
    const a = values(o);
    const b = values(want[i]);
    assert.equal(a.length, b.length);
    a.forEach((x, j) =>
      assert.ok(Math.abs(x! - b[j]!) < 1e-3, `request ${i}.${j}: ${x} over HTTP vs ${b[j]} in-process`),
    );
    if (o.ok && o.result.kind === 'loglikelihood' && want[i].ok)
      assert.equal(o.result.tokens, (want[i] as any).result.tokens);
  });
}

for (const variant of [
  { label: 'server /tokenize, max_tokens 0', extra: {} },
  { label: 'maxTokensOne', extra: { maxTokensOne: true } },
  { label: 'local GGUF tokenizer, batches of 2', extra: { tokenizer: storiesPath(), batchSize: 2 } },
]) {
  test(`openai-completions matches the in-process GGUF backend (${variant.label})`, async () => {
    const server = await startVllm({ engine: ref.engine });
    const model = await connectModel({
      name: 'vllm',
      backend: 'openai-completions',
      url: `${server.url}/v1`,
      model: 'stories260K',
      ...variant.extra,
    });
    try {
      assert.deepEqual(model.capabilities, { loglikelihood: true, nextToken: true, generate: true });
      const seen: number[] = [];
      const got = await model.evaluate(requests, (i) => seen.push(i));
      assert.equal(seen.length, requests.length, 'every result is reported as it arrives');
      assertClose(got, ref.reference);
      const calls = server.log.filter((r) => r.path === '/v1/completions');
      // A next-token request's candidates stay in one batch, even past batchSize.
      const batch = Math.max(3, (variant.extra as { batchSize?: number }).batchSize ?? 16);
      assert.ok(calls.every((c) => c.body.prompt.length <= batch && c.body.echo === true && c.body.logprobs === 1));
      if ('batchSize' in variant.extra) assert.ok(calls.length >= 4, 'small batches make several calls');
      else assert.equal(calls.length, 1, 'all prompts go in one request');
      assert.equal(calls[0].body.max_tokens, 'maxTokensOne' in variant.extra ? 1 : 0);
      assert.ok(
        calls.every((c) => c.body.prompt.every((p: unknown) => Array.isArray(p))),
        'prompts are sent as token IDs',
      );
      // A local tokenizer is only compared with the server's on the probe texts.
      const usedServerTokenizer = server.log.some(
        (r) => r.path === '/tokenize' && !PROBE_TEXTS.includes(r.body.prompt),
      );
      assert.equal(usedServerTokenizer, !('tokenizer' in variant.extra));
      assert.equal(
        new Set(
          server.log
            .filter((r) => r.path === '/tokenize' && PROBE_TEXTS.includes(r.body.prompt))
            .map((r) => r.body.prompt),
        ).size,
        PROBE_TEXTS.length,
      );
      assert.match(model.identity.id, /^openai-completions:stories260K@http:\/\/127\.0\.0\.1:\d+#[0-9a-f]{16}$/);
      assert.equal(remoteStats(model)?.retries, 0);
    } finally {
      await model.close();
      await server.close();
    }
  });
}

test('one prompt the server rejects fails alone; the rest of its batch is scored', async () => {
  const server = await startVllm({ engine: ref.engine, rejectPrompt: (tokens) => tokens.length > 150 });
  const model = await connectModel({
    name: 'vllm',
    backend: 'openai-completions',
    url: server.url,
    model: 'stories260K',
  });
  try {
    const long = { kind: 'loglikelihood' as const, context: 'Once upon a time '.repeat(50), continuation: 'there' };
    const got = await model.evaluate([requests[0], long, requests[1]]);
    assert.ok(got[0].ok && got[2].ok);
    assert.equal(got[1].ok, false);
    assert.match((got[1] as { error: string }).error, /HTTP 400: this prompt is refused by the server/);
    assert.match((got[1] as { error: string }).error, new RegExp(`${server.url}/v1/completions`));
  } finally {
    await model.close();
    await server.close();
  }
});

test('the same study gives the same scores in-process (gguf) and over HTTP (openai-completions)', async () => {
  const server = await startVllm({ engine: ref.engine });
  const dir = tempDir();
  try {
    const study = writeStudy(
      dir,
      [
        `{ name: local, path: '${storiesPath()}', threads: 1 }`,
        `{ name: remote, backend: openai-completions, url: '${server.url}', model: stories260K, batchSize: 8 }`,
      ],
      [
        '{ name: base, scoring: symbol }',
        '{ name: hybrid, scoring: hybrid, normalization: token }',
        '{ name: pmi, scoring: cloze, normalization: pmi }',
        '{ name: shuffled, scoring: symbol, perturbations: [{ shuffle: { seed: 4 } }] }',
      ],
    );
    const out = path.join(dir, 'out');
    const r = await runCli(['run', study, '--out', out, '--store', path.join(dir, 'store.sqlite'), '-q']);
    assert.equal(r.code, 0, r.stderr);
    const run = readOutput(out);
    const local = itemsOf(run, 'local');
    const remote = itemsOf(run, 'remote');
    assert.equal(local.size, 4 * 6);
    assert.equal(remote.size, local.size);
    for (const [key, a] of local) {
      const b = remote.get(key);
      assert.ok(b, `remote has ${key}`);
      a.scores.forEach((s: number, j: number) =>
        assert.ok(Math.abs(s - b.scores[j]) < 1e-3, `${key} choice ${j}: ${s} vs ${b.scores[j]}`),
      );
      assert.equal(b.predicted, a.predicted, key);
    }
    assert.equal(run.summary.requestsByModel.remote.failed, 0);
    assert.equal(run.summary.requestsByModel.remote.retries, 0);
    assert.ok(!('retries' in run.summary.requestsByModel.local), 'an in-process model has no HTTP retries');
  } finally {
    await server.close();
  }
});

for (const misbehave of ['ignore-echo', 'drop-last'] as const) {
  test(`a server that returns too few log-prob entries (${misbehave}) is reported broken, never scored`, async () => {
    const server = await startVllm({ engine: ref.engine, misbehave });
    const dir = tempDir();
    try {
      // One retry: a malformed answer is asked again (it may be a passing fault) before the server is called broken.
      const study = writeStudy(
        dir,
        [`{ name: remote, backend: openai-completions, url: '${server.url}', model: stories260K, maxRetries: 1 }`],
        ['{ name: base, scoring: symbol }'],
      );
      const out = path.join(dir, 'out');
      const r = await runCli(['run', study, '--out', out, '--store', path.join(dir, 'store.sqlite'), '-q']);
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, /broken backend/);
      assert.match(r.stderr, new RegExp(`${server.url}/v1/completions`));
      assert.match(r.stderr, /log-prob entries for a prompt of \d+ tokens/);
      assert.ok(!fs.existsSync(path.join(out, 'items.jsonl')), 'no score is written');
    } finally {
      await server.close();
    }
  });
}

test("a local tokenizer that disagrees with the server's /tokenize is a configuration error (a warning with --lenient)", async () => {
  const server = await startVllm({ engine: ref.engine });
  const otherVocabulary = path.join(path.dirname(storiesPath()), 'llama-2-tiny-random.gguf');
  const entry = {
    name: 'vllm',
    backend: 'openai-completions',
    url: server.url,
    model: 'stories260K',
    tokenizer: otherVocabulary,
  };
  try {
    await assert.rejects(
      connectModel(entry),
      (e: Error) =>
        e.message.startsWith(
          'study.yaml: models.0 (vllm).tokenizer: the local tokenizer disagrees with the server\'s /tokenize on "Answer: A"',
        ) && /--lenient/.test(e.message),
    );
    assert.ok(!server.log.some((r) => r.path === '/v1/completions'), 'nothing was scored');
    const warnings: string[] = [];
    const model = await connectModel(entry, { lenient: true, warn: (l) => warnings.push(l) });
    await model.close();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^warning: .*the local tokenizer disagrees/);
  } finally {
    await server.close();
  }
});
