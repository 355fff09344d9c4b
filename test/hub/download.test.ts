import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { UserError } from '../../src/core/errors.js';
import { downloadFile } from '../../src/hub/download.js';
import { parseDatasetRef } from '../../src/hub/refs.js';
import { listRepoFiles, resolveUrl } from '../../src/hub/repo.js';
import { parquet, tempDir, useFakeHub } from './helpers.js';

const ref = parseDatasetRef('hf://datasets/acme/quiz');
const big = Buffer.from(Array.from({ length: 50_000 }, (_, k) => (k * 7919) % 251));
const table = parquet({ question: ['a?', 'b?'], answer: [0, 1] });
const lines = '{"q":"x"}\n{"q":"y"}\n';
const repo = {
  owner: 'acme',
  name: 'quiz',
  files: {
    'data/test-00000-of-00001.parquet': table,
    'data/big.parquet': big,
    'README.md': '# quiz',
    'extra/test.jsonl': lines,
  },
};
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const quiet = { retryDelayMs: 0 };

describe('Hub downloads', () => {
  it('lists files with their sizes and checksums, across pages', async () => {
    const f = await useFakeHub({ repos: [repo], pageSize: 2 });
    try {
      const files = await listRepoFiles(ref);
      assert.deepEqual(files.map((x) => x.path).sort(), [
        'README.md',
        'data/big.parquet',
        'data/test-00000-of-00001.parquet',
        'extra/test.jsonl',
      ]);
      const parquetFile = files.find((x) => x.path === 'data/big.parquet')!;
      assert.equal(parquetFile.size, big.length);
      assert.equal(parquetFile.sha256, sha(big));
      assert.ok(files.find((x) => x.path === 'README.md')!.gitOid);
      assert.ok(f.hub.hits.filter((h) => h.path.includes('/tree/')).length >= 3, 'followed the Link header');
    } finally {
      await f.done();
    }
  });

  it('follows the redirect of an LFS file to the CDN and checks its sha256; small files by their git blob id', async () => {
    const f = await useFakeHub({ repos: [repo] }, { HF_TOKEN: 'hf_secret' });
    try {
      const dir = tempDir();
      const got = await downloadFile(resolveUrl(ref, 'data/big.parquet'), path.join(dir, 'big.parquet'), {
        what: 'big',
        ...quiet,
      });
      assert.deepEqual(fs.readFileSync(path.join(dir, 'big.parquet')), big);
      assert.equal(got.sha256, sha(big));
      const small = await downloadFile(resolveUrl(ref, 'extra/test.jsonl'), path.join(dir, 'test.jsonl'), {
        what: 'small',
        ...quiet,
      });
      assert.equal(fs.readFileSync(path.join(dir, 'test.jsonl'), 'utf8'), lines);
      assert.equal(small.size, lines.length);
      const cdn = f.hub.hits.filter((h) => h.path.startsWith('/cdn/'));
      assert.equal(cdn.length, 1);
      assert.equal(cdn[0].auth, undefined, 'the token is never sent to the CDN');
      assert.ok(f.hub.hits.filter((h) => h.path.includes('/resolve/')).every((h) => h.auth === 'Bearer hf_secret'));
    } finally {
      await f.done();
    }
  });

  it('resumes a transfer cut short with a Range request', async () => {
    const f = await useFakeHub({ repos: [repo], cutOnce: ['data/big.parquet'] });
    try {
      const dest = path.join(tempDir(), 'big.parquet');
      const logged: string[] = [];
      await downloadFile(resolveUrl(ref, 'data/big.parquet'), dest, {
        what: 'big',
        log: (l) => logged.push(l),
        ...quiet,
      });
      assert.deepEqual(fs.readFileSync(dest), big);
      const cdn = f.hub.hits.filter((h) => h.path.startsWith('/cdn/'));
      assert.equal(cdn.length, 2);
      assert.equal(cdn[0].range, undefined);
      assert.equal(cdn[1].range, `bytes=${big.length / 2}-`);
      assert.match(logged.join('\n'), /retrying/);
      assert.equal(fs.existsSync(`${dest}.part`), false);
    } finally {
      await f.done();
    }
  });

  it('continues a .part left by an earlier run', async () => {
    const f = await useFakeHub({ repos: [repo] });
    try {
      const dest = path.join(tempDir(), 'big.parquet');
      fs.writeFileSync(`${dest}.part`, big.subarray(0, 12_345));
      await downloadFile(resolveUrl(ref, 'data/big.parquet'), dest, {
        what: 'big',
        expected: { size: big.length, sha256: sha(big) },
        ...quiet,
      });
      assert.deepEqual(fs.readFileSync(dest), big);
      assert.deepEqual(
        f.hub.hits.filter((h) => h.path.startsWith('/cdn/')).map((h) => h.range),
        ['bytes=12345-'],
      );
    } finally {
      await f.done();
    }
  });

  it('deletes a download whose checksum does not match and says so', async () => {
    const f = await useFakeHub({ repos: [repo], corrupt: ['data/big.parquet'] });
    try {
      const dest = path.join(tempDir(), 'big.parquet');
      await assert.rejects(
        downloadFile(resolveUrl(ref, 'data/big.parquet'), dest, { what: 'acme/quiz big.parquet', ...quiet }),
        (e: unknown) =>
          e instanceof UserError &&
          /does not match the Hub \(sha256 /.test(e.message) &&
          /acme\/quiz big\.parquet/.test(e.message),
      );
      assert.equal(fs.existsSync(dest), false);
      assert.equal(fs.existsSync(`${dest}.part`), false);
    } finally {
      await f.done();
    }
  });

  it("reports the Hub's 404s: unknown repository, file and revision", async () => {
    const f = await useFakeHub({ repos: [repo] });
    try {
      await assert.rejects(
        listRepoFiles(parseDatasetRef('hf://datasets/acme/nope')),
        (e: unknown) =>
          e instanceof UserError &&
          /not found/.test(e.message) &&
          /RepoNotFound: Repository not found/.test(e.message) &&
          /hf:\/\/datasets\/acme\/nope/.test(e.message),
      );
      await assert.rejects(
        listRepoFiles(parseDatasetRef('hf://datasets/acme/quiz@v9')),
        (e: unknown) => e instanceof UserError && /revision not found/.test(e.message),
      );
      const dest = path.join(tempDir(), 'x');
      await assert.rejects(
        downloadFile(resolveUrl(ref, 'data/none.parquet'), dest, { what: 'none', ...quiet }),
        (e: unknown) => e instanceof UserError && /file not found/.test(e.message) && /Entry not found/.test(e.message),
      );
    } finally {
      await f.done();
    }
  });

  it('asks for HF_TOKEN on a gated repository and never prints the token', async () => {
    const f = await useFakeHub({ repos: [repo], token: 'hf_right' });
    try {
      await assert.rejects(
        listRepoFiles(ref),
        (e: unknown) =>
          e instanceof UserError && /access denied \(401\)/.test(e.message) && /set HF_TOKEN/.test(e.message),
      );
      process.env.HF_TOKEN = 'hf_wrong';
      await assert.rejects(
        listRepoFiles(ref),
        (e: unknown) =>
          e instanceof UserError &&
          /token in HF_TOKEN has no access/.test(e.message) &&
          !e.message.includes('hf_wrong'),
      );
      process.env.HF_TOKEN = 'hf_right';
      assert.equal((await listRepoFiles(ref)).length, 4);
    } finally {
      await f.done();
    }
  });

  it('says when the Hub cannot be reached', async () => {
    const f = await useFakeHub({ repos: [repo] });
    const url = f.hub.url;
    await f.done();
    process.env.HF_ENDPOINT = url;
    try {
      await assert.rejects(
        listRepoFiles(ref),
        (e: unknown) =>
          e instanceof UserError && /cannot reach the Hugging Face Hub/.test(e.message) && /--offline/.test(e.message),
      );
    } finally {
      delete process.env.HF_ENDPOINT;
    }
  });
});
