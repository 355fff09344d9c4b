import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { UserError } from '../../src/core/errors.js';
import { validateStudy } from '../../src/engine/validate.js';
import { backendCapabilities } from '../../src/models/registry.js';
import { modelSpecSchema } from '../../src/study/schema.js';
import { loadStudy } from '../../src/study/load.js';
import { runCli, tempDir } from '../helpers.js';
import { storiesPath, writeStudy } from './remote-helpers.js';
import { ScoringEngine } from './servers/engine.js';
import { startLlamaServer } from './servers/llama-server.js';
import { engineTopFor, startOpenaiChat } from './servers/top-k-servers.js';

let engine: ScoringEngine;
before(async () => {
  engine = await ScoringEngine.load();
});
after(() => engine.model.dispose());

const conditions = [
  '{ name: base, scoring: symbol }',
  '{ name: hybrid, scoring: hybrid }',
  '{ name: cloze, scoring: cloze, normalization: pmi }',
];

test('validation lists every condition x model pair a next-token backend cannot run, and what would work', () => {
  const dir = tempDir();
  const file = writeStudy(
    dir,
    [
      `{ name: local, path: '${storiesPath()}' }`,
      "{ name: chat, backend: openai-chat, url: 'http://127.0.0.1:9', model: gpt }",
      "{ name: vllm, backend: openai-completions, url: 'http://127.0.0.1:9', model: m }",
      "{ name: tgi, backend: tgi, url: 'http://127.0.0.1:9' }",
      "{ name: ollama, backend: ollama, url: 'http://127.0.0.1:9', model: m }",
    ],
    conditions,
  );
  const study = loadStudy(file);
  const declared = study.spec.models.map((m) => ({
    name: m.name,
    backend: m.backend,
    capabilities: backendCapabilities(m),
  }));
  assert.throws(
    () => validateStudy(study, declared),
    (e: Error) => {
      assert.ok(e instanceof UserError);
      const pairs = e.message.split('\n').filter((l) => l.startsWith('  condition'));
      assert.deepEqual(pairs, [
        '  condition "hybrid" (hybrid scoring) x model "chat" (backend openai-chat, which gives only next-token log-probs)',
        '  condition "cloze" (cloze scoring) x model "chat" (backend openai-chat, which gives only next-token log-probs)',
        '  condition "hybrid" (hybrid scoring) x model "ollama" (backend ollama, which gives only next-token log-probs)',
        '  condition "cloze" (cloze scoring) x model "ollama" (backend ollama, which gives only next-token log-probs)',
      ]);
      assert.match(e.message, /scoring: symbol/);
      assert.match(e.message, /openai-completions on vLLM or SGLang, tgi/);
      return true;
    },
  );
  validateStudy({ ...study, conditions: study.conditions.filter((c) => c.method === 'symbol') }, declared);
});

test('a symbol-only backend asked for hybrid and cloze fails before any request is sent', async () => {
  const server = await startLlamaServer(engine);
  const dir = tempDir();
  try {
    const study = writeStudy(dir, [`{ name: llama, backend: llama-server, url: '${server.url}' }`], conditions);
    const r = await runCli([
      'run',
      study,
      '--out',
      path.join(dir, 'out'),
      '--store',
      path.join(dir, 'store.sqlite'),
      '-q',
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /2 condition x model pairs need log-likelihoods/);
    assert.match(r.stderr, /condition "hybrid" \(hybrid scoring\) x model "llama" \(backend llama-server/);
    assert.match(r.stderr, /condition "cloze" \(cloze scoring\) x model "llama"/);
    assert.equal(server.counts.requests, 0, 'no request reached the server');
  } finally {
    await server.close();
  }
});

test('study-file checks: the key is only ever named, URLs hold no credentials, backends are listed', () => {
  const base = { name: 'm', backend: 'openai-chat', url: 'http://127.0.0.1:8000/v1', model: 'x' };
  const message = (entry: object) => {
    const r = modelSpecSchema.safeParse(entry);
    return r.success ? '' : r.error.issues.map((i) => i.message).join('; ');
  };
  assert.equal(message(base), '');
  assert.match(message({ ...base, apiKeyEnv: 'sk-abc123' }), /NAME of an environment variable/);
  assert.doesNotMatch(
    message({ ...base, apiKeyEnv: 'sk-abc123' }),
    /sk-abc123/,
    'the message does not repeat a pasted key',
  );
  assert.match(message({ ...base, url: 'http://user:secret@127.0.0.1:8000' }), /must not hold credentials/);
  assert.match(message({ ...base, url: 'ftp://127.0.0.1' }), /http\(s\) URL/);
  assert.match(
    message({ ...base, backend: 'vllm' }),
    /backend must be one of: gguf, openai-completions, openai-chat, llama-server, ollama, tgi/,
  );
  assert.match(message({ ...base, topLogprobs: 50 }), /20/);
  const parsed = modelSpecSchema.parse({ name: 'v', backend: 'openai-completions', url: 'http://h:1', model: 'x' });
  assert.deepEqual(parsed, {
    name: 'v',
    backend: 'openai-completions',
    url: 'http://h:1',
    model: 'x',
    concurrency: 8,
    timeoutMs: 120000,
    maxRetries: 5,
    batchSize: 16,
    maxTokensOne: false,
  });
  assert.deepEqual(
    modelSpecSchema.parse({ name: 'g', path: 'm.gguf' }).backend,
    'gguf',
    'gguf stays the default backend',
  );
});

test('a missing key variable is named (not guessed at) before any request', async () => {
  const server = await startOpenaiChat({ topFor: engineTopFor(engine), apiKey: 'sk-anything' });
  const dir = tempDir();
  try {
    const study = writeStudy(
      dir,
      [
        `{ name: chat, backend: openai-chat, url: '${server.url}', model: chat-model, apiKeyEnv: GOODHART_TEST_UNSET_KEY }`,
      ],
      ['{ name: base, scoring: symbol }'],
    );
    const r = await runCli(
      ['run', study, '--out', path.join(dir, 'out'), '--store', path.join(dir, 'store.sqlite'), '-q'],
      { env: { GOODHART_TEST_UNSET_KEY: '' } },
    );
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /models\.0\.apiKeyEnv: the environment variable GOODHART_TEST_UNSET_KEY \(apiKeyEnv\) is not set or empty/,
    );
    assert.equal(server.counts.requests, 0);
  } finally {
    await server.close();
  }
});

test('the API key appears in no file the run writes and in no output, even when the server quotes it back', async () => {
  const key = `sk-SENTINEL-${randomBytes(12).toString('hex')}`;
  const server = await startOpenaiChat({
    topFor: engineTopFor(engine),
    apiKey: key,
    echoKeyFor: (prompt) => prompt.length % 4 === 0,
  });
  const dir = tempDir();
  try {
    const study = writeStudy(
      dir,
      [
        `{ name: chat, backend: openai-chat, url: '${server.url}/v1', model: chat-model, apiKeyEnv: GOODHART_TEST_KEY }`,
      ],
      [
        '{ name: base, scoring: symbol }',
        '{ name: shuffled, scoring: symbol, perturbations: [{ shuffle: { seed: 1 } }] }',
      ],
    );
    const out = path.join(dir, 'out');
    const store = path.join(dir, 'store.sqlite');
    const r = await runCli(['run', study, '--out', out, '--store', store], { env: { GOODHART_TEST_KEY: key } });
    assert.equal(r.code, 2, 'requests the server refused are reported as failed');
    assert.ok(
      server.log.every((req) => req.authorization === `Bearer ${key}`),
      'the key is sent to the server',
    );
    assert.ok(!r.stdout.includes(key) && !r.stderr.includes(key), 'the key is not printed');
    const written = fs
      .readdirSync(dir, { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile())
      .map((f) => path.join(f.parentPath, f.name));
    assert.ok(written.some((f) => f.startsWith(store)) && written.some((f) => f.endsWith('summary.json')));
    for (const file of written) assert.ok(!fs.readFileSync(file).includes(key), `${file} does not contain the key`);
    const storeBytes = Buffer.concat(written.filter((f) => f.startsWith(store)).map((f) => fs.readFileSync(f)));
    assert.ok(
      storeBytes.includes('Request refused for credentials Bearer [redacted]'),
      'the failure is stored with the key redacted',
    );
  } finally {
    await server.close();
  }
});
