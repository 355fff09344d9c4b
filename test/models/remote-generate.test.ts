import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { GenerateRequest } from '../../src/core/types.js';
import { runCli, tempDir } from '../helpers.js';
import { connectModel, readOutput, inProcessReference, writeStudy } from './remote-helpers.js';
import type { TestServer } from './servers/harness.js';
import { startLlamaServer } from './servers/llama-server.js';
import { engineGenerateFor, engineTopFor, startOllama, startOpenaiChat } from './servers/top-k-servers.js';
import { startTgi } from './servers/tgi.js';
import { startVllm } from './servers/vllm.js';

const mcq = 'Question: What is the capital of France?\nA. Paris\nB. Rome\nAnswer:';
const requests: GenerateRequest[] = [
  { kind: 'generate', context: 'Once upon a time', maxTokens: 12, stop: ['Question:'], seed: 0 },
  { kind: 'generate', context: 'Once upon a time', maxTokens: 40, stop: ['.'], seed: 0 },
  { kind: 'generate', context: mcq, maxTokens: 8, stop: ['Question:', '\n\n'], seed: 3 },
];

const ref = inProcessReference(requests);

test('in-process GGUF generation is the greedy continuation, cut at a stop string or maxTokens', () => {
  const texts = ref.reference.map((o) => {
    assert.ok(o.ok && o.result.kind === 'generate', JSON.stringify(o));
    return o.result;
  });
  assert.equal(texts[0].finish, 'length');
  assert.ok(texts[2].text.startsWith(' '), `"${texts[2].text}" keeps its leading space`);
  assert.equal(texts[1].finish, 'stop', `"${texts[1].text}" should end at the first period`);
  assert.ok(!texts[1].text.includes('.'));
  assert.ok(texts[1].text.startsWith(texts[0].text.slice(0, 10)), 'the same prompt continues the same way');
});

test('greedy generation matches the test ref.engine token by token', async () => {
  for (const [i, r] of requests.entries()) {
    const want = await ref.engine.generate(ref.engine.tokenize(r.context, true), r.maxTokens, r.stop);
    const got = ref.reference[i];
    assert.ok(got.ok && got.result.kind === 'generate');
    assert.equal(got.result.text, want.text, `request ${i}`);
  }
});

const backends: {
  name: string;
  start: () => Promise<TestServer>;
  entry: (url: string) => Record<string, unknown>;
  path: string;
  greedy: (body: any) => boolean;
}[] = [
  {
    name: 'openai-completions',
    start: () => startVllm({ engine: ref.engine }),
    entry: (url) => ({ backend: 'openai-completions', url: `${url}/v1`, model: 'stories260K' }),
    path: '/v1/completions',
    greedy: (b) => b.temperature === 0 && b.max_tokens > 1 && b.seed !== undefined,
  },
  {
    name: 'openai-chat',
    start: () => startOpenaiChat({ topFor: engineTopFor(ref.engine), generateFor: engineGenerateFor(ref.engine) }),
    entry: (url) => ({ backend: 'openai-chat', url, model: 'chat-model' }),
    path: '/v1/chat/completions',
    greedy: (b) => b.temperature === 0 && b.max_tokens > 1 && !b.logprobs,
  },
  {
    name: 'llama-server',
    start: () => startLlamaServer(ref.engine),
    entry: (url) => ({ backend: 'llama-server', url }),
    path: '/completion',
    greedy: (b) => b.temperature === 0 && b.n_predict > 1 && Array.isArray(b.stop),
  },
  {
    name: 'ollama',
    start: () => startOllama({ topFor: engineTopFor(ref.engine), generateFor: engineGenerateFor(ref.engine) }),
    entry: (url) => ({ backend: 'ollama', url, model: 'stories' }),
    path: '/api/generate',
    greedy: (b) => b.raw === true && b.stream === false && b.options.temperature === 0 && b.options.num_predict > 1,
  },
  {
    name: 'tgi',
    start: () => startTgi(ref.engine),
    entry: (url) => ({ backend: 'tgi', url }),
    path: '/generate',
    greedy: (b) => b.parameters.do_sample === false && b.parameters.max_new_tokens > 1 && b.parameters.details === true,
  },
];

for (const backend of backends) {
  test(`${backend.name} generates over its protocol what the in-process GGUF backend generates`, async () => {
    const server = await backend.start();
    const model = await connectModel({ name: backend.name, ...backend.entry(server.url) });
    try {
      assert.equal(model.capabilities.generate, true);
      const outcomes = await model.evaluate(requests);
      outcomes.forEach((o, i) => assert.deepEqual(o, ref.reference[i], `request ${i}`));
      const sent = server.log.filter((l) => l.path === backend.path);
      assert.equal(sent.length, requests.length);
      assert.ok(
        sent.every((l) => backend.greedy(l.body)),
        JSON.stringify(sent[0].body),
      );
    } finally {
      await model.close();
      await server.close();
    }
  });
}

test('a study with generative scoring runs end to end on a GGUF model, texts kept and resumed from the store', async () => {
  const dir = tempDir();
  const study = writeStudy(
    dir,
    ['{ name: stories, path: "${GOODHART_SHARED}/models/stories260K.gguf", threads: 1 }'],
    [
      '{ name: base, scoring: symbol }',
      '{ name: gen, scoring: generate, generation: { maxTokens: 6 } }',
      '{ name: cot, scoring: generate, generation: { maxTokens: 10, chainOfThought: true }, perturbations: [{ shuffle: { seed: 4 } }] }',
    ],
    2,
  );
  const store = path.join(dir, 'store.sqlite');
  const first = await runCli(['run', study, '--out', path.join(dir, 'a'), '--store', store, '-q']);
  assert.equal(first.code, 0, first.stderr);
  const run = readOutput(path.join(dir, 'a'));
  const generated = run.items.filter((i) => i.condition !== 'base');
  assert.equal(generated.length, 8);
  for (const item of generated) {
    assert.equal(typeof item.generated, 'string');
    assert.ok(item.generated.length > 0);
    assert.ok(item.finish === 'stop' || item.finish === 'length');
    // stories260K writes stories, not letters: whatever it wrote is read or counted unscored, never guessed.
    if (item.extracted === null)
      assert.ok(item.predicted === null && item.correct === null && Number.isInteger(item.randomFill));
  }
  const cot = run.summary.conditions.find((c: any) => c.name === 'cot');
  assert.equal(cot.generation.temperature, 0);
  assert.equal(cot.generation.seed, 5);
  const cell = run.summary.cells.find((c: any) => c.condition === 'gen');
  assert.equal(
    cell.randomFill.filled,
    cell.unscored -
      generated.filter((i) => i.condition === 'gen' && i.extracted !== null && i.predicted === null).length,
  );

  const again = await runCli(['run', study, '--out', path.join(dir, 'b'), '--store', store, '-q']);
  assert.equal(again.code, 0, again.stderr);
  const rerun = readOutput(path.join(dir, 'b'));
  assert.equal(rerun.summary.requests.computed, 0, 'every generation comes from the store');
  assert.deepEqual(rerun.items, run.items);
  assert.ok(fs.existsSync(path.join(dir, 'b', 'items.jsonl')));
});
