import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadStudy } from '../../src/study/load.js';
import { repoRoot, runCli, sharedDir } from '../helpers.js';
import { tempDir } from './helpers.js';

const MMLU = path.join(sharedDir(), 'data', 'mmlu');
const study = (dir: string, model: string) => {
  const file = path.join(dir, 'study.yaml');
  fs.writeFileSync(
    file,
    `name: by-reference
benchmark:
  recipe: mmlu
  subjects: [anatomy]
  limit: { perSubject: 4, seed: 1 }
models:
  - { name: stories, path: "${model}", threads: 1 }
conditions:
  - { name: base, scoring: symbol }
  - { name: two-shot, scoring: symbol, perturbations: [{ fewshot: { k: 2 } }] }
baseline: base
`,
  );
  return file;
};

describe('offline runs from the command line', { skip: !fs.existsSync(MMLU) }, () => {
  it('the example studies are valid', () => {
    for (const name of ['quickstart.yaml', 'quickstart-offline.yaml']) loadStudy(path.join(repoRoot, 'examples', name));
  });

  it('runs MMLU named by reference, offline, from a cache seeded with the shared MMLU folder', async () => {
    const dir = tempDir();
    const env = {
      GOODHART_CACHE: path.join(dir, 'cache'),
      GOODHART_STORE: path.join(dir, 'store.sqlite'),
      HF_ENDPOINT: 'http://127.0.0.1:9',
    };
    const seeded = await runCli(['cache', 'add-dataset', 'hf://datasets/cais/mmlu', MMLU], { env });
    assert.equal(seeded.code, 0, seeded.stderr);
    assert.match(seeded.stdout, /hf:\/\/datasets\/cais\/mmlu: copied \d+ files/);
    const listed = await runCli(['cache', 'list'], { env });
    assert.match(listed.stdout, /hf:\/\/datasets\/cais\/mmlu +\d+ files, seeded from/);
    const run = await runCli(
      [
        'run',
        study(dir, path.join(sharedDir(), 'models', 'stories260K.gguf')),
        '--offline',
        '--out',
        path.join(dir, 'run'),
        '-q',
      ],
      { env },
    );
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(fs.readFileSync(path.join(dir, 'run', 'summary.json'), 'utf8'));
    assert.equal(summary.benchmark.items, 4);
    assert.match(summary.benchmark.description, /^mmlu hf:\/\/datasets\/cais\/mmlu: MMLU test split/);
  });

  it('offline with nothing cached: names the dataset, then the model, and where it looked', async () => {
    const dir = tempDir();
    const env = {
      GOODHART_CACHE: path.join(dir, 'cache'),
      GOODHART_STORE: path.join(dir, 'store.sqlite'),
      GOODHART_OFFLINE: '1',
    };
    const noData = await runCli(['run', study(dir, 'hf:tiny/stories-GGUF:Q8_0'), '--out', path.join(dir, 'run')], {
      env,
    });
    assert.equal(noData.code, 1);
    assert.match(
      noData.stderr,
      /offline, and hf:\/\/datasets\/cais\/mmlu is not in the cache \(looked in .*cache[/\\]datasets[/\\]cais[/\\]mmlu[/\\]main\)/,
    );
    await runCli(['cache', 'add-dataset', 'cais/mmlu', MMLU], { env });
    const noModel = await runCli(['run', study(dir, 'hf:tiny/stories-GGUF:Q8_0'), '--out', path.join(dir, 'run')], {
      env,
    });
    assert.equal(noModel.code, 1);
    assert.match(
      noModel.stderr,
      /models\.0\.path: offline, and the model hf:tiny\/stories-GGUF:Q8_0 is not in the cache/,
    );
  });
});
