import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { UserError } from '../../src/core/errors.js';
import { runCli, sharedDir, tempDir } from '../helpers.js';
import { connectModel, readOutput, storiesPath, writeStudy } from './remote-helpers.js';
import { findLlamaServer, startRealLlamaServer, type RealLlamaServer } from './servers/real-llama-server.js';

/**
 * The backends that can talk to llama.cpp's server, against the real one built from the
 * llama.cpp release node-llama-cpp binds, with the in-process GGUF backend as the reference.
 */

const found = await findLlamaServer();
const skip = 'missing' in found ? found.missing : false;
if (skip) console.log(`# llama-server tests ${skip}`);

const MODELS = { stories: storiesPath(), tinyRandom: path.join(sharedDir(), 'models', 'llama-2-tiny-random.gguf') };
const SYMBOL_SETS = ['ABCD', '1234', 'paren', 'signs'];
/** In-process top-two gap below which the server may order the two the other way (its numbers differ by ~1e-5). */
const NEAR_TIE = 1e-3;

const servers: Partial<Record<keyof typeof MODELS, RealLlamaServer>> = {};
before(async () => {
  if ('missing' in found) return;
  for (const [name, file] of Object.entries(MODELS))
    servers[name as keyof typeof MODELS] = await startRealLlamaServer(found.bin, file);
});
after(async () => {
  for (const s of Object.values(servers)) await s?.close();
});

const conditions = SYMBOL_SETS.map(
  (set) =>
    `{ name: ${set === 'ABCD' ? 'base' : `s${set}`}, scoring: symbol, perturbations: [{ symbols: { set: '${set}' } }] }`,
);

/** Tokens of each of a set's symbols after "Answer:", by the server's own /tokenize. */
async function symbolTokens(url: string, labels: string[]): Promise<number[][]> {
  const tokenize = async (content: string) =>
    (
      (await (
        await fetch(`${url}/tokenize`, { method: 'POST', body: JSON.stringify({ content, add_special: true }) })
      ).json()) as { tokens: number[] }
    ).tokens;
  const context = await tokenize('Answer:');
  return Promise.all(labels.map(async (l) => (await tokenize(`Answer: ${l}`)).slice(context.length)));
}

for (const modelName of Object.keys(MODELS) as (keyof typeof MODELS)[]) {
  test(
    `llama-server (${modelName}): symbol scoring agrees with in-process GGUF on every item that is not a near-tie, for ${SYMBOL_SETS.join(', ')}`,
    { skip },
    async (t) => {
      const server = servers[modelName]!;
      const dir = tempDir();
      const study = writeStudy(
        dir,
        [
          `{ name: local, path: '${MODELS[modelName]}', threads: 1, precise: true }`,
          `{ name: server, backend: llama-server, url: '${server.url}', topLogprobs: 5, concurrency: 2 }`,
        ],
        conditions,
        8,
      );
      const out = path.join(dir, 'out');
      const r = await runCli(['run', study, '--out', out, '--store', path.join(dir, 'store.sqlite'), '-q']);
      assert.equal(r.code, 0, r.stderr + server.output().slice(-2000));
      const run = readOutput(out);
      const local = new Map(run.items.filter((i) => i.model === 'local').map((i) => [`${i.condition} ${i.itemId}`, i]));
      let compared = 0;
      for (const item of run.items.filter((i) => i.model === 'server')) {
        const ref = local.get(`${item.condition} ${item.itemId}`);
        const sorted = [...ref.scores].sort((a: number, b: number) => b - a);
        if (sorted[0] - sorted[1] < NEAR_TIE) continue;
        compared++;
        assert.equal(
          item.predicted,
          ref.predicted,
          `${item.condition} ${item.itemId}: server ${JSON.stringify(item.scores)} vs in-process ${JSON.stringify(ref.scores)}`,
        );
        assert.equal(item.tie, false);
        item.scores.forEach((s: number | null, j: number) =>
          assert.ok(
            s !== null && Math.abs(s - ref.scores[j]) < 1e-3,
            `${item.condition} ${item.itemId} choice ${j}: ${s} vs ${ref.scores[j]}`,
          ),
        );
      }
      t.diagnostic(`${modelName}: ${compared} of ${run.items.length / 2} items compared, the rest near-ties`);
      assert.ok(
        compared >= run.items.length / 4,
        `${compared} of ${run.items.length / 2} items compared (the rest are near-ties)`,
      );
      assert.match(run.summary.models[1].id, /^llama-server:/);
      assert.equal(
        run.summary.models[1].details.server.model_path,
        MODELS[modelName],
        'keyed by the weights file the server loaded',
      );
    },
  );
}

test(
  'llama-server: the shared models spell some symbol sets with a shared first token (what the test above guards against)',
  { skip },
  async () => {
    const collide = async (url: string, labels: string[]) => {
      const firsts = (
        await symbolTokens(
          url,
          labels.map((l) => l),
        )
      ).map((t) => t[0]);
      return new Set(firsts).size < firsts.length;
    };
    assert.ok(
      await collide(servers.stories!.url, ['A', 'B', 'C', 'D']),
      'stories260K: " A", " C", " D" begin with "▁"',
    );
    assert.ok(await collide(servers.tinyRandom!.url, ['1', '2', '3', '4']), 'Llama 2: " 1" ... " 4" begin with "▁"');
  },
);

test('openai-completions against llama-server is refused before any scoring, naming the cause', { skip }, async () => {
  const server = servers.stories!;
  await assert.rejects(
    connectModel({ name: 'c', backend: 'openai-completions', url: server.url, model: MODELS.stories }),
    (e: Error) =>
      e instanceof UserError &&
      /\/tokenize gave no tokens for "Answer: A"/.test(e.message) &&
      /llama\.cpp server reads "content"/.test(e.message),
  );
  const dir = tempDir();
  const study = writeStudy(
    dir,
    [`{ name: c, backend: openai-completions, url: '${server.url}/v1', model: '${MODELS.stories}' }`],
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
  assert.equal(r.code, 1);
  assert.match(r.stderr.split('\n')[0], /models\.0 \(c\): the server's \/tokenize gave no tokens/);
  assert.doesNotMatch(r.stdout, /requests:/, 'nothing was scored');
});

test(
  "openai-chat against llama-server: scored, with its chat template as the cells' template; an unlisted model is refused",
  { skip },
  async () => {
    const server = servers.stories!;
    await assert.rejects(
      connectModel({ name: 'chat', backend: 'openai-chat', url: server.url, model: 'gpt-4o' }),
      /does not list the model "gpt-4o"/,
    );
    const dir = tempDir();
    const study = writeStudy(
      dir,
      [`{ name: chat, backend: openai-chat, url: '${server.url}/v1', model: '${MODELS.stories}' }`],
      ['{ name: base, scoring: symbol }'],
    );
    const out = path.join(dir, 'out');
    const r = await runCli(['run', study, '--out', out, '--store', path.join(dir, 'store.sqlite'), '-q']);
    assert.equal(r.code, 0, r.stderr);
    const { summary, items } = readOutput(out);
    const template = summary.models[0].details.chatTemplate;
    assert.match(template, /^chat:[a-z0-9-]+:[0-9a-f]{12}$/);
    assert.equal(summary.cells[0].template, `${summary.conditions[0].factors.template}+${template}`);
    assert.equal(summary.cells[0].failed, 0);
    assert.equal(items.length, summary.cells[0].n);

    // stories260K spells "œ", "§", "з" and "ü" with byte tokens: never readable from a top-k keyed by text.
    const rareDir = tempDir();
    const rare = writeStudy(
      rareDir,
      [`{ name: chat, backend: openai-chat, url: '${server.url}/v1', model: '${MODELS.stories}' }`],
      [`{ name: base, scoring: symbol, perturbations: [{ symbols: { set: rare } }] }`],
    );
    const refused = await runCli([
      'run',
      rare,
      '--out',
      path.join(rareDir, 'out'),
      '--store',
      path.join(rareDir, 'store.sqlite'),
      '-q',
    ]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /symbol set "rare" \(conditions base\): "œ" is spelled /);
    assert.match(refused.stderr, /Symbol sets whose symbols are one token each here: .*ABCD/);
  },
);
