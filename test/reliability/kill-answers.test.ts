import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { makeRng } from '../../src/core/rng.js';
import { runCli, tempDir } from '../helpers.js';
import { startFaultServer } from './fault-server.js';

/**
 * A run against a server that counts every prompt it computes (fault-server.ts, no faults) is
 * killed with SIGKILL at 20 seeded moments and resumed each time. No answer the client had read
 * may be computed again, and the final results must equal an uninterrupted run's.
 */

const SERVED = 'hash-lm';

function writeStudy(file: string, url: string): string {
  fs.writeFileSync(
    file,
    `name: kills
seed: 11
benchmark:
  format: mmlu
  path: \${GOODHART_SHARED}/data/mmlu/data
  subjects: [global_facts, management, human_aging]
  limit: { perSubject: 10, seed: 3 }
models:
  - name: served
    backend: openai-completions
    url: '${url}/v1'
    model: ${SERVED}
    tokenizer: \${GOODHART_SHARED}/models/llama-2-tiny-random.gguf
    batchSize: 2
    concurrency: 3
conditions:
  - { name: base, scoring: symbol }
  - { name: cloze, scoring: cloze, normalization: token }
  - { name: shuffled, scoring: hybrid, perturbations: [{ shuffle: { seed: 2 } }] }
baseline: base
`,
  );
  return file;
}

const KILLS = 20;

test(`killed at ${KILLS} seeded moments against a prompt-counting server: no answer that reached the client is computed again; results as uninterrupted`, async (t) => {
  const dir = tempDir();
  const reference = await startFaultServer({ served: SERVED, rate: 0, seed: 1 });
  const server = await startFaultServer({ served: SERVED, rate: 0, seed: 1 });
  try {
    const refRun = await runCli([
      'run',
      writeStudy(path.join(dir, 'ref.yaml'), reference.url),
      '--out',
      path.join(dir, 'ref'),
      '--store',
      path.join(dir, 'ref.sqlite'),
      '-q',
    ]);
    assert.equal(refRun.code, 0, refRun.stderr);
    const unique = reference.ledger.computed.size;
    assert.equal(reference.ledger.answered, unique, 'an uninterrupted run computes each prompt once');

    const study = writeStudy(path.join(dir, 'study.yaml'), server.url);
    const out = path.join(dir, 'out');
    const args = ['run', study, '--out', out, '--store', path.join(dir, 'store.sqlite')];
    const rng = makeRng(20261207);
    let kills = 0;
    let recovered = 0;
    // Each kill: once the server has answered a seeded number of further prompts, after a seeded delay.
    // The server holds what comes after that number, so the work done before each kill, and hence
    // the number of kills that fit, does not depend on the machine's speed.
    while (kills < KILLS && server.ledger.computed.size < unique) {
      const target = server.ledger.answered + 1 + Math.floor(rng() * (unique / (KILLS * 1.5)));
      const delayMs = Math.floor(rng() * 40);
      let reachedAt = 0;
      server.ledger.run = kills;
      server.ledger.holdAfter = target;
      const r = await runCli(args, {
        killWhen: () =>
          (reachedAt ||= server.ledger.answered >= target ? Date.now() : 0) > 0 && Date.now() - reachedAt >= delayMs,
      });
      const m = /recovered (\d+) answers an interrupted run had received/.exec(r.stderr);
      if (m) recovered += Number(m[1]);
      if (r.signal !== 'SIGKILL') break;
      kills++;
    }
    server.ledger.run = kills;
    server.ledger.holdAfter = Infinity;
    const final = await runCli(args);
    assert.equal(final.code, 0, final.stderr);
    recovered += Number(/recovered (\d+) answers/.exec(final.stderr)?.[1] ?? 0);

    const recomputed = [...server.ledger.computed].filter(([, n]) => n > 1).length;
    const afterRead = server.ledger.recomputedAfterRead;
    for (const { prompt, readIn, computedIn } of afterRead)
      t.diagnostic(`read in run ${readIn}, computed again in run ${computedIn}: ${prompt.slice(0, 60)}`);
    t.diagnostic(
      `${kills} kills; ${server.ledger.answered} prompts computed for ${unique} unique: ${recomputed} computed more than once (answers in flight at a kill), ` +
        `${afterRead.length} computations of answers the client had read; ${server.ledger.read.size} answers provably read; ${recovered} answers recovered from journals`,
    );
    assert.equal(kills, KILLS, 'every kill landed before the work ran out');
    assert.equal(afterRead.length, 0, 'no answer that reached the client was computed again');
    assert.ok(recovered > 0, 'answers received but not yet committed were recovered from the journal');
    assert.deepEqual(
      new Set(server.ledger.computed.keys()),
      new Set(reference.ledger.computed.keys()),
      'the same prompts were computed',
    );
    assert.equal(
      fs.readFileSync(path.join(out, 'items.jsonl'), 'utf8'),
      fs.readFileSync(path.join(dir, 'ref', 'items.jsonl'), 'utf8'),
      'identical results',
    );
    const journals = fs.readdirSync(dir).filter((f) => f.includes('-answers-'));
    assert.deepEqual(journals, [], 'no journal is left once the run has finished');
  } finally {
    await Promise.all([reference.close(), server.close()]);
  }
});
