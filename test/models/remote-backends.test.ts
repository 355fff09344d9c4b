import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { LoglikelihoodRequest, NextTokenRequest, Outcome } from '../../src/core/types.js';
import { UserError } from '../../src/core/errors.js';
import { GgufModel } from '../../src/models/gguf.js';
import { matchCandidates } from '../../src/models/top-k.js';
import { runCli, tempDir } from '../helpers.js';
import { connectModel, readOutput, storiesPath, writeStudy } from './remote-helpers.js';
import { ScoringEngine } from './servers/engine.js';
import { startLlamaServer } from './servers/llama-server.js';
import { startTgi } from './servers/tgi.js';
import { startOllama, startOpenaiChat, type TopFor } from './servers/top-k-servers.js';

const context =
  'The following are multiple choice questions (with answers).\n\nWhat is the capital of France?\nA. Paris\nB. Rome\nC. Lyon\nD. Nice\nAnswer:';
const nextToken: NextTokenRequest = { kind: 'nextToken', context, candidates: [' A', ' B', ' C', ' D'] };
const loglikelihoods: LoglikelihoodRequest[] = [
  { kind: 'loglikelihood', context, continuation: ' A' },
  { kind: 'loglikelihood', context, continuation: ' Paris' },
  { kind: 'loglikelihood', context: 'Once upon a time', continuation: ', there was a little girl' },
  { kind: 'loglikelihood', context: '다음 중 대한민국의 수도는?\n정답:', continuation: ' 서울특별시' },
];

let engine: ScoringEngine;
let gguf: GgufModel;

before(async () => {
  engine = await ScoringEngine.load();
  gguf = await GgufModel.load({ name: 'ref', path: storiesPath(), sha256: 'x', threads: 1, gpu: false });
});

after(async () => {
  await gguf.close();
  await engine.model.dispose();
});

const ok = (o: Outcome) => {
  assert.ok(o.ok, !o.ok ? o.error : '');
  return o.result;
};

/** A scripted top-k with the collisions chat APIs produce: "A" and " A" both listed, a "▁" spelling, and OpenAI's -9999 placeholder. */
const scripted: TopFor = async (_prompt, k) =>
  [
    { token: 'The', logprob: -0.4 },
    { token: ' A', logprob: -1.0 },
    { token: 'B', logprob: -1.5 },
    { token: 'A', logprob: -2.0 },
    { token: '\u2581C', logprob: -3.0 },
    { token: 'D', logprob: -9999.0 },
  ].slice(0, k);
const expectedScripted = [Math.log(Math.exp(-1) + Math.exp(-2)), -1.5, -3.0, null];

test('candidates match decoded top-k tokens by trimmed text; spellings of one answer add up; unseen is null', () => {
  const got = matchCandidates(
    [' A', ' B', ' C', ' D', ' '],
    [
      { token: ' A', logprob: -1.0 },
      { token: 'A', logprob: -2.0 },
      { token: 'B', logprob: -1.5 },
      { token: '\u2581C', logprob: -3.0 },
      { token: 'D', logprob: -9999 },
      { token: ' ', logprob: -0.1 },
    ],
  );
  assert.ok(Math.abs(got[0]! - expectedScripted[0]!) < 1e-12);
  assert.deepEqual(got.slice(1), [-1.5, -3.0, null, null]);
});

test("llama-server: each symbol's log-prob over all its tokens, by token ID, equals the in-process log-likelihood", async () => {
  const server = await startLlamaServer(engine);
  const model = await connectModel({ name: 'llama', backend: 'llama-server', url: server.url, topLogprobs: 2 });
  try {
    assert.deepEqual(model.capabilities, { loglikelihood: false, nextToken: true, generate: true });
    // stories260K spells " A", " C" and " D" as "▁" and a letter: scored by their first token alone, they would tie.
    const firsts = nextToken.candidates.map(
      (c) => engine.tokenize(context + c, true)[engine.tokenize(context, true).length],
    );
    assert.ok(new Set(firsts).size < firsts.length, 'some symbols share their first token');
    const want = (
      await gguf.evaluate(
        nextToken.candidates.map((continuation) => ({ kind: 'loglikelihood' as const, context, continuation })),
      )
    ).map((o) => (ok(o) as { logprob: number }).logprob);
    const [got, ll] = await model.evaluate([nextToken, loglikelihoods[0]]);
    const gotLp = ok(got) as { logprobs: (number | null)[] };
    gotLp.logprobs.forEach((g, j) =>
      assert.ok(g !== null && Math.abs(g - want[j]) < 1e-3, `candidate ${j}: ${g} vs ${want[j]}`),
    );
    assert.equal(new Set(gotLp.logprobs).size, 4, 'no two symbols tie');
    assert.equal(ll.ok, false, 'llama-server cannot compute log-likelihoods');
    const call = server.log.find((r) => r.path === '/completion')!.body;
    assert.ok(Array.isArray(call.prompt) && call.prompt.every(Number.isInteger), 'the prompt is sent as token IDs');
    assert.deepEqual([call.n_predict, call.n_probs, call.temperature], [1, 2, 0]);
    // Tokens outside the top 2 are asked for on their own, forced by a logit bias.
    assert.ok(
      server.log.some(
        (r) => r.path === '/completion' && Array.isArray(r.body.logit_bias) && r.body.logit_bias.length === 1,
      ),
    );
    const tokenizeCall = server.log.find((r) => r.path === '/tokenize')!.body;
    assert.deepEqual([tokenizeCall.add_special, tokenizeCall.parse_special], [true, false]);
  } finally {
    await model.close();
    await server.close();
  }
});

test('llama-server: an old build answering in the pre-2025 "probs" format is reported, not scored', async () => {
  const server = await startLlamaServer(engine, { oldFormat: true });
  const model = await connectModel({ name: 'llama', backend: 'llama-server', url: server.url });
  try {
    await assert.rejects(
      model.evaluate([nextToken]),
      (e: Error) =>
        e instanceof UserError &&
        /broken backend/.test(e.message) &&
        /upgrade llama\.cpp/.test(e.message) &&
        e.message.includes(server.url),
    );
  } finally {
    await model.close();
    await server.close();
  }
});

test('ollama: raw generate with top_logprobs; collisions add up, unseen candidates are null', async () => {
  const server = await startOllama({ topFor: scripted });
  const model = await connectModel({ name: 'ollama', backend: 'ollama', url: server.url, model: 'stories' });
  try {
    const [got] = await model.evaluate([{ ...nextToken, context: context + ' ' }]);
    const lp = (ok(got) as { logprobs: (number | null)[] }).logprobs;
    assert.ok(Math.abs(lp[0]! - expectedScripted[0]!) < 1e-12);
    assert.deepEqual(lp.slice(1), expectedScripted.slice(1));
    const call = server.log.find((r) => r.path === '/api/generate')!.body;
    assert.deepEqual(
      {
        raw: call.raw,
        stream: call.stream,
        logprobs: call.logprobs,
        top_logprobs: call.top_logprobs,
        options: call.options,
      },
      { raw: true, stream: false, logprobs: true, top_logprobs: 20, options: { num_predict: 1, temperature: 0 } },
    );
    assert.equal(call.prompt, context, 'trailing whitespace is left to the answer token');
    assert.match(
      model.identity.id,
      /^ollama:stories@http:\/\/127\.0\.0\.1:\d+#/,
      'the digest Ollama reports is part of the identity',
    );
  } finally {
    await model.close();
    await server.close();
  }
});

test('ollama: a version without log-probs is reported as a broken backend', async () => {
  const server = await startOllama({ topFor: scripted, old: true });
  const model = await connectModel({ name: 'ollama', backend: 'ollama', url: server.url, model: 'stories' });
  try {
    await assert.rejects(model.evaluate([nextToken]), /0\.12\.11 or later/);
  } finally {
    await server.close();
  }
});

test('openai-chat: one user message, max_tokens 1, top_logprobs; the -9999 placeholder is not a score', async () => {
  const server = await startOpenaiChat({ topFor: scripted });
  const model = await connectModel({
    name: 'chat',
    backend: 'openai-chat',
    url: `${server.url}/v1`,
    model: 'chat-model',
  });
  try {
    assert.deepEqual(model.capabilities, { loglikelihood: false, nextToken: true, generate: true });
    const [got, ll] = await model.evaluate([nextToken, loglikelihoods[0]]);
    const lp = (ok(got) as { logprobs: (number | null)[] }).logprobs;
    assert.ok(Math.abs(lp[0]! - expectedScripted[0]!) < 1e-12);
    assert.deepEqual(lp.slice(1), expectedScripted.slice(1));
    assert.equal(ll.ok, false);
    const call = server.log.find((r) => r.path === '/v1/chat/completions')!.body;
    assert.deepEqual(call.messages, [{ role: 'user', content: context }]);
    assert.deepEqual([call.max_tokens, call.temperature, call.logprobs, call.top_logprobs], [1, 0, true, 20]);
  } finally {
    await model.close();
    await server.close();
  }
});

test('openai-chat: a model that gives no log-probs is reported broken; a wrong model name stops the run', async () => {
  const server = await startOpenaiChat({ topFor: scripted, noLogprobs: true });
  try {
    const model = await connectModel({ name: 'chat', backend: 'openai-chat', url: server.url, model: 'chat-model' });
    await assert.rejects(model.evaluate([nextToken]), /no choices\[0\]\.logprobs/);
    await assert.rejects(
      connectModel({ name: 'chat', backend: 'openai-chat', url: server.url, model: 'no-such-model' }),
      (e: Error) =>
        e instanceof UserError &&
        e.message.startsWith('study.yaml: models.0 (chat).model: the server does not list the model "no-such-model"') &&
        /lists "chat-model"/.test(e.message),
    );
    // --lenient: a warning, and the server's own answer stops the run.
    const warnings: string[] = [];
    const wrong = await connectModel(
      { name: 'chat', backend: 'openai-chat', url: server.url, model: 'no-such-model' },
      { lenient: true, warn: (l) => warnings.push(l) },
    );
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /^warning: .*does not list the model "no-such-model"/);
    await assert.rejects(
      wrong.evaluate([nextToken]),
      (e: Error) =>
        e instanceof UserError &&
        /HTTP 404: The model `no-such-model` does not exist/.test(e.message) &&
        /check url and model/.test(e.message),
    );
  } finally {
    await server.close();
  }
});

test('tgi: prefill log-probs give the same log-likelihoods as the in-process backend', async () => {
  const server = await startTgi(engine);
  const model = await connectModel({ name: 'tgi', backend: 'tgi', url: server.url });
  try {
    assert.deepEqual(model.capabilities, { loglikelihood: true, nextToken: false, generate: true });
    const want = await gguf.evaluate(loglikelihoods);
    const got = await model.evaluate([...loglikelihoods, nextToken]);
    loglikelihoods.forEach((_, i) => {
      const a = ok(got[i]) as { logprob: number; tokens: number };
      const b = ok(want[i]) as { logprob: number; tokens: number };
      assert.ok(Math.abs(a.logprob - b.logprob) < 1e-3, `request ${i}: ${a.logprob} vs ${b.logprob}`);
      assert.equal(a.tokens, b.tokens);
    });
    assert.equal(got[loglikelihoods.length].ok, false, 'tgi is not asked for next-token scores');
    const call = server.log.find((r) => r.path === '/generate')!.body;
    assert.deepEqual(call.parameters, {
      details: true,
      decoder_input_details: true,
      max_new_tokens: 1,
      do_sample: false,
    });
    assert.match(model.identity.id, /^tgi:karpathy\/tinyllamas-260K@http:\/\/127\.0\.0\.1:\d+#/);
  } finally {
    await model.close();
    await server.close();
  }
});

test('tgi: a server without prefill log-probs is reported with the flag that enables them', async () => {
  const server = await startTgi(engine, { prefillDisabled: true });
  const model = await connectModel({ name: 'tgi', backend: 'tgi', url: server.url, tokenizer: storiesPath() });
  try {
    await assert.rejects(model.evaluate(loglikelihoods), /--enable-prefill-logprobs/);
    assert.ok(!server.log.some((r) => r.path === '/tokenize'), "a local tokenizer replaces the server's");
  } finally {
    await model.close();
    await server.close();
  }
});

test('a cell whose items tie in more than 5% of cases is reported with a warning', async () => {
  // Every symbol with the same log-prob: every item ties.
  const flat: TopFor = async () => ['A', 'B', 'C', 'D'].map((token) => ({ token, logprob: -1.4 }));
  const server = await startOllama({ topFor: flat });
  const dir = tempDir();
  try {
    const study = writeStudy(
      dir,
      [`{ name: flat, backend: ollama, url: '${server.url}', model: stories }`],
      ['{ name: base, scoring: symbol }'],
      2,
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
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: flat x base: 4 of 4 items tied \(the first shown choice won them\)/);
    assert.equal(readOutput(path.join(dir, 'out')).summary.cells[0].ties, 4);
  } finally {
    await server.close();
  }
});
