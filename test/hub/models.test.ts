import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { UserError } from '../../src/core/errors.js';
import { sharedDir } from '../../src/core/paths.js';
import { isHubModelRef, resolveHubModel } from '../../src/hub/models.js';
import { sha256File } from '../../src/models/hash.js';
import { createModel } from '../../src/models/registry.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { tempDir, useFakeHub } from './helpers.js';

const MODEL = path.join(sharedDir(), 'models', 'stories260K.gguf');
const bytes = fs.existsSync(MODEL) ? fs.readFileSync(MODEL) : Buffer.alloc(0);
const repo = {
  kind: 'models' as const,
  owner: 'tiny',
  name: 'stories-GGUF',
  files: { 'stories-Q8_0.gguf': bytes, 'README.md': '#' },
};
const quiet = { where: 'models.0.path', log: () => {} };

describe('GGUF models named on the Hub', { skip: !fs.existsSync(MODEL) }, () => {
  it('tells Hub references from paths', () => {
    assert.ok(isHubModelRef('hf:bartowski/SmolLM2-135M-Instruct-GGUF:Q8_0'));
    assert.ok(isHubModelRef('hf:Qwen/Qwen2.5-0.5B-Instruct-GGUF/qwen2.5-0.5b-instruct-q8_0.gguf'));
    assert.equal(isHubModelRef('models/hf:odd.gguf'), false);
    assert.equal(isHubModelRef('hf://datasets/cais/mmlu'), false);
  });

  it('downloads hf:<owner>/<repo>/<file>.gguf into the cache, then finds it there offline', async () => {
    const f = await useFakeHub({ repos: [repo] });
    try {
      const file = await resolveHubModel('hf:tiny/stories-GGUF/stories-Q8_0.gguf', quiet);
      assert.ok(file.startsWith(path.join(f.cache, 'models')));
      assert.deepEqual(fs.readFileSync(file), bytes);
      const hits = f.hub.hits.length;
      assert.equal(await resolveHubModel('hf:tiny/stories-GGUF/stories-Q8_0.gguf', { ...quiet, offline: true }), file);
      assert.equal(f.hub.hits.length, hits, 'offline: no request');
    } finally {
      await f.done();
    }
  });

  it('resolves the hf:<owner>/<repo>:<quant> short form through the manifest', async () => {
    const f = await useFakeHub({ repos: [repo] });
    try {
      const file = await resolveHubModel('hf:tiny/stories-GGUF:Q8_0', quiet);
      assert.equal(await sha256File(file), await sha256File(MODEL));
      assert.ok(f.hub.hits.some((h) => h.path.startsWith('/v2/tiny/stories-GGUF/manifests/Q8_0')));
    } finally {
      await f.done();
    }
  });

  it('keeps the content hash as identity: a Hub model is the same model as the local file', async () => {
    const f = await useFakeHub({ repos: [repo] });
    const store = new SqliteStore(path.join(tempDir(), 'store.sqlite'));
    try {
      const spec = { name: 'stories', backend: 'gguf', gpu: false, threads: 1 } as const;
      const hub = await createModel(
        { ...spec, path: 'hf:tiny/stories-GGUF/stories-Q8_0.gguf' },
        { baseDir: '/', fileHashes: store, where: 'models.0' },
      );
      const local = await createModel({ ...spec, path: MODEL }, { baseDir: '/', fileHashes: store, where: 'models.1' });
      assert.equal(hub.identity.id, local.identity.id);
      await hub.close();
      await local.close();
    } finally {
      store.close();
      await f.done();
    }
  });

  it('offline without the file: names the model and the folder it looked in', async () => {
    const f = await useFakeHub({ repos: [repo] }, { GOODHART_OFFLINE: '1' });
    try {
      await assert.rejects(
        resolveHubModel('hf:tiny/stories-GGUF:Q4_K_M', quiet),
        (e: unknown) =>
          e instanceof UserError &&
          /offline, and the model hf:tiny\/stories-GGUF:Q4_K_M is not in the cache/.test(e.message) &&
          e.message.includes(path.join(f.cache, 'models')) &&
          e.where === 'models.0.path',
      );
      assert.equal(f.hub.hits.length, 0);
    } finally {
      await f.done();
    }
  });

  it('says at once when the Hub cannot be reached', async () => {
    const f = await useFakeHub({ repos: [repo] });
    await f.hub.close();
    try {
      await assert.rejects(
        resolveHubModel('hf:tiny/stories-GGUF:Q8_0', quiet),
        (e: unknown) => e instanceof UserError && /cannot reach the Hugging Face Hub/.test(e.message),
      );
    } finally {
      await f.done();
    }
  });

  it('reports a model the Hub does not have, and a malformed reference', async () => {
    const f = await useFakeHub({ repos: [repo] });
    try {
      await assert.rejects(
        resolveHubModel('hf:tiny/stories-GGUF/missing.gguf', quiet),
        (e: unknown) =>
          e instanceof UserError && /cannot fetch the model hf:tiny\/stories-GGUF\/missing\.gguf/.test(e.message),
      );
      await assert.rejects(
        resolveHubModel('hf:nobody/nothing-GGUF:Q8_0', quiet),
        (e: unknown) =>
          e instanceof UserError && /RepoNotFound/.test(e.message) && /models\.0\.path \(hf:nobody/.test(e.message),
      );
      await assert.rejects(
        resolveHubModel('hf:just-a-name', quiet),
        (e: unknown) => e instanceof UserError && /not a Hub model reference/.test(e.message),
      );
    } finally {
      await f.done();
    }
  });
});
