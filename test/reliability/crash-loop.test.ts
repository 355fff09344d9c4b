import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { makeRng } from '../../src/core/rng.js';
import { assertSameItems, runCli, tempDir, writeStudy } from '../helpers.js';

/** A real study, big enough for several batches of results, with the Min-K% probe. */
const writeCrashStudy = (dir: string) =>
  writeStudy(dir, {
    name: 'crash',
    seed: 5,
    subjects: ['anatomy', 'virology', 'astronomy'],
    perSubject: 10,
    limitSeed: 1,
    extra: 'probes:\n  minK: { k: 0.2 }\n',
  });

const parseLines = (t: string) =>
  t
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

/** Every output a killed run left must be whole: written files parse, half-written ones are only temporary files. */
function assertOutputsWhole(out: string) {
  if (!fs.existsSync(out)) return;
  for (const name of fs.readdirSync(out)) {
    const text = fs.readFileSync(path.join(out, name), 'utf8');
    if (name.endsWith('.tmp')) continue;
    if (name.endsWith('.jsonl')) assert.doesNotThrow(() => parseLines(text), `${name} is whole`);
    if (name.endsWith('.json')) assert.doesNotThrow(() => JSON.parse(text), `${name} is whole`);
    if (name.endsWith('.html')) assert.match(text, /<\/html>\s*$/, `${name} is whole`);
  }
}

/** Every result a store holds, one key per stored result. */
function storedKeys(file: string): string[] {
  const db = new Database(file, { readonly: true });
  const keys = db.prepare("SELECT model || ' ' || key FROM result_log").pluck().all() as string[];
  db.close();
  return keys;
}

type Phase = 'planning' | 'evaluation' | 'writing';

test('killed with SIGKILL at 24 seeded points across planning, evaluation and writing, a run resumes to identical results without recomputing', async (t) => {
  const dir = tempDir();
  const study = writeCrashStudy(dir);
  const ref = path.join(dir, 'ref');
  const reference = await runCli(['run', study, '--out', ref, '--store', path.join(dir, 'ref.sqlite')]);
  assert.equal(reference.code, 0, reference.stderr);
  // Every request the study makes (the probe's too), as stored by the uninterrupted run.
  const refKeys = storedKeys(path.join(dir, 'ref.sqlite'));
  const unique = refKeys.length;
  assert.equal(new Set(refKeys).size, unique, 'an uninterrupted run computes each request once');

  const audit = path.join(dir, 'audit.log');
  const stored = () => (fs.existsSync(audit) ? fs.readFileSync(audit, 'utf8').split('\n').length - 1 : 0);
  const out = path.join(dir, 'out');
  const args = ['run', study, '--out', out, '--store', path.join(dir, 'store.sqlite')];
  const env = { GOODHART_AUDIT_LOG: audit };
  const rng = makeRng(20261130);
  const delay = (maxMs: number) => Math.floor(rng() * maxMs);
  const killed: Record<Phase, number> = { planning: 0, evaluation: 0, writing: 0 };

  // Planning: a seeded moment after the benchmark is loaded (the study is planned, the store opened, the model loaded).
  for (let i = 0; i < 6; i++) {
    const after = delay(400);
    let seenAt = 0;
    const r = await runCli(args, {
      env,
      killWhen: ({ stderr }) =>
        (seenAt ||= /benchmark: /.test(stderr) ? Date.now() : 0) > 0 && Date.now() - seenAt >= after,
    });
    assert.equal(r.signal, 'SIGKILL', `run ${i} was killed while starting (${r.stderr})`);
    killed.planning++;
  }
  // Evaluation: once a seeded number of results is stored, then a seeded moment into the next batch.
  // Results are stored a batch at a time, so a run may finish its last batch before the kill lands.
  while (stored() < unique && killed.evaluation < 12) {
    const done = stored();
    const target = done + 1 + Math.floor(rng() * Math.max(1, (unique - done) / 3));
    const after = delay(300);
    let reachedAt = 0;
    const r = await runCli(args, {
      env,
      killWhen: () => (reachedAt ||= stored() >= target ? Date.now() : 0) > 0 && Date.now() - reachedAt >= after,
    });
    if (r.signal !== 'SIGKILL') break;
    killed.evaluation++;
  }
  // Writing: every result is stored; the run writes items, summary, analysis and report, and is killed among them.
  for (let i = 0; killed.planning + killed.evaluation + killed.writing < 24 || i < 6; i++) {
    fs.rmSync(out, { recursive: true, force: true });
    const after = delay(250);
    let writingAt = 0;
    const r = await runCli(args, {
      env,
      killWhen: () =>
        (writingAt ||= fs.existsSync(out) && fs.readdirSync(out).length > 0 ? Date.now() : 0) > 0 &&
        Date.now() - writingAt >= after,
    });
    assertOutputsWhole(out);
    if (r.signal === 'SIGKILL') killed.writing++;
    assert.ok(i < 40, `the writing phase was hit ${killed.writing} times in 40 runs`);
  }
  t.diagnostic(`kills: ${JSON.stringify(killed)} (${unique} requests)`);
  assert.ok(killed.evaluation >= 3, `runs were killed mid-evaluation (${killed.evaluation})`);
  assert.ok(killed.planning + killed.evaluation + killed.writing >= 24);

  const final = await runCli(args, { env });
  assert.equal(final.code, 0, final.stderr);
  for (const file of ['items.jsonl', 'summary.json', 'analysis.json', 'min-k.json', 'report.md'])
    assert.ok(fs.existsSync(path.join(out, file)), `${file} written`);
  assertSameItems(
    fs.readFileSync(path.join(out, 'items.jsonl'), 'utf8'),
    fs.readFileSync(path.join(ref, 'items.jsonl'), 'utf8'),
  );
  const summary = (d: string) => JSON.parse(fs.readFileSync(path.join(d, 'summary.json'), 'utf8'));
  assert.deepEqual(summary(out).cells, summary(ref).cells);
  // The store appends every result it is given: a finished request computed twice would be there twice.
  const keys = storedKeys(path.join(dir, 'store.sqlite'));
  assert.equal(new Set(keys).size, keys.length, 'no finished request was computed twice');
  assert.deepEqual(new Set(keys), new Set(refKeys), 'every request was computed once');
  // Min-K% requests go through the same store: the reference run stored as many.
  const minK = (d: string) => JSON.parse(fs.readFileSync(path.join(d, 'min-k.json'), 'utf8'));
  assert.deepEqual(
    minK(out).perModel.map((m: { model: string }) => m.model),
    minK(ref).perModel.map((m: { model: string }) => m.model),
  );
});
