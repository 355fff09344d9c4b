/**
 * The package as a user gets it: `npm pack` (which builds dist/ through `prepare`), the tarball
 * installed in a fresh folder, then one small real study (stories260K on a few MMLU items) run
 * through the library from an ESM script and through the installed `goodhart` binary, each into
 * its own store: both must compute the same results.
 *
 * The install resolves the tarball's dependencies from the npm registry (the cache first) but runs
 * no install scripts: better-sqlite3's compiles SQLite for minutes. Its compiled addon is taken
 * from the project's own install when that is the same version (the same sources built for the
 * same Node), else its install script is run (`npm rebuild better-sqlite3`). node-llama-cpp's
 * postinstall only checks its prebuilt binaries, which it loads from its platform package anyway.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'node:test';
import { assertSameItems, repoRoot, sharedDir, tempDir, writeStudy } from '../helpers.js';

const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Install the tarball in `dir` with its dependencies (see above for the native addon). */
function installTarball(tarball: string, dir: string): void {
  fs.writeFileSync(
    path.join(dir, 'package.json'),
    JSON.stringify({ name: 'goodhart-consumer', private: true, type: 'module' }),
  );
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], dir);
  const version = (root: string) =>
    JSON.parse(fs.readFileSync(path.join(root, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8'))
      .version as string;
  const addon = path.join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  if (version(dir) === version(repoRoot) && fs.existsSync(path.join(repoRoot, addon))) {
    fs.mkdirSync(path.dirname(path.join(dir, addon)), { recursive: true });
    fs.copyFileSync(path.join(repoRoot, addon), path.join(dir, addon));
  } else {
    npm(['rebuild', 'better-sqlite3'], dir);
  }
}

const API_SCRIPT = `
import { loadStudy, runStudy, analyzeRun, VERSION } from 'goodhart';
const [studyFile, store] = process.argv.slice(2);
const phases = new Set();
const result = await runStudy(loadStudy(studyFile), { store, onProgress: (e) => phases.add(e.phase) });
const { analysis } = analyzeRun(result);
process.stdout.write(JSON.stringify({ version: VERSION, summary: result.summary, items: result.items, analysis, phases: [...phases] }));
`;

test(
  'the packed package installs, and its API and its binary run the same study to the same results',
  { timeout: 15 * 60_000 },
  () => {
    const root = tempDir('goodhart-pack-');
    npm(['pack', '--pack-destination', root], repoRoot);
    const tarball = path.join(
      root,
      fs.readdirSync(root).find((f) => f.endsWith('.tgz'))!,
    );
    const consumer = path.join(root, 'consumer');
    fs.mkdirSync(consumer);
    installTarball(tarball, consumer);

    const installed = path.join(consumer, 'node_modules', 'goodhart');
    assert.ok(fs.existsSync(path.join(installed, 'dist', 'src', 'index.d.ts')), 'declarations are packed');
    assert.ok(!fs.existsSync(path.join(installed, 'test')), 'tests are not packed');
    assert.ok(!fs.existsSync(path.join(installed, 'src', 'cli')), 'TypeScript sources are not packed');

    const study = writeStudy(consumer, {
      subjects: ['anatomy', 'virology'],
      perSubject: 3,
      conditions: [
        '{ name: base, scoring: symbol }',
        '{ name: pmi, scoring: cloze, normalization: pmi }',
        '{ name: shuffled, scoring: symbol, perturbations: [{ shuffle: { seed: 4 } }] }',
      ],
    });
    const env = { ...process.env, GOODHART_SHARED: sharedDir() };

    fs.writeFileSync(path.join(consumer, 'api.mjs'), API_SCRIPT);
    const api = JSON.parse(
      execFileSync(process.execPath, ['api.mjs', study, path.join(root, 'api.sqlite')], {
        cwd: consumer,
        env,
        encoding: 'utf8',
      }),
    );

    const bin = path.join(consumer, 'node_modules', '.bin', 'goodhart');
    const version = execFileSync(bin, ['--version'], { cwd: consumer, env, encoding: 'utf8' }).trim();
    const runDir = path.join(root, 'cli-run');
    const cli = execFileSync(
      bin,
      ['run', study, '--out', runDir, '--store', path.join(root, 'cli.sqlite'), '--quiet'],
      { cwd: consumer, env, encoding: 'utf8' },
    );
    assert.match(cli, /wrote .*report\.html/, 'the report is written from the installed package (its assets included)');
    const summary = JSON.parse(fs.readFileSync(path.join(runDir, 'summary.json'), 'utf8'));
    const analysis = JSON.parse(fs.readFileSync(path.join(runDir, 'analysis.json'), 'utf8'));

    assert.equal(api.version, version);
    assert.deepEqual(api.phases.sort(), ['finish', 'start', 'tick']);
    assert.equal(api.summary.cells.length, 3);
    assert.equal(api.summary.benchmark.items, 6);
    assert.equal(summary.benchmark.items, 6);
    assert.deepEqual(api.summary.cells, summary.cells);
    assert.deepEqual(api.summary.conditions, summary.conditions);
    assert.equal(
      api.summary.requests.computed,
      api.summary.requests.unique,
      'the API run computed every request itself',
    );
    assert.equal(summary.requests.computed, summary.requests.unique, 'the binary computed every request itself');
    assertSameItems(
      api.items.map((i: unknown) => JSON.stringify(i)).join('\n'),
      fs.readFileSync(path.join(runDir, 'items.jsonl'), 'utf8'),
    );
    assert.deepEqual(api.analysis.cells, analysis.cells);
  },
);
