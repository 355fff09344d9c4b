import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { runCli, tempDir } from '../helpers.js';
import { readOutput, type RunOutput } from '../models/remote-helpers.js';
import { FAULT_KINDS, startFaultServer } from './fault-server.js';

/**
 * A study of about 10,000 distinct requests run through `goodhart run` against a vLLM-compatible
 * server that fails a fifth of its completions at random (fault-server.ts): every result must end
 * up present and equal to a fault-free run's, and no failure may ever become a score.
 */

const SERVED = 'hash-lm';
/** Short-question MMLU subjects, so that many requests cost little. */
const SUBJECTS = [
  'world_religions',
  'global_facts',
  'management',
  'electrical_engineering',
  'medical_genetics',
  'high_school_geography',
  'human_aging',
];
const PER_SUBJECT = 48;
const ITEMS = PER_SUBJECT * SUBJECTS.length;
/** Runs allowed to complete the study: a request that fails all its retries is retried by the next run. */
const MAX_RUNS = 4;

interface Served {
  url: string;
  batchSize: number;
  concurrency: number;
  timeoutMs: number;
}

/** The study (about 10,000 distinct requests), tokenized with a local Llama-2 vocabulary so that only completions go to the server. */
function writeStudy(file: string, served: Served): string {
  fs.writeFileSync(
    file,
    `name: faults
seed: 9
benchmark:
  format: mmlu
  path: \${GOODHART_SHARED}/data/mmlu/data
  subjects: [${SUBJECTS.join(', ')}]
  limit: { perSubject: ${PER_SUBJECT}, seed: 4 }
models:
  - name: served
    backend: openai-completions
    url: '${served.url}'
    model: ${SERVED}
    tokenizer: \${GOODHART_SHARED}/models/llama-2-tiny-random.gguf
    batchSize: ${served.batchSize}
    concurrency: ${served.concurrency}
    timeoutMs: ${served.timeoutMs}
    maxRetries: 5
conditions:
  - { name: base, scoring: symbol }
  - { name: hybrid, scoring: hybrid }
  - { name: cloze, scoring: cloze, normalization: token }
  - { name: pmi, scoring: cloze, normalization: pmi }
  - { name: shuffled, scoring: symbol, perturbations: [{ shuffle: { seed: 1 } }] }
  - { name: circ, scoring: symbol, perturbations: [circular] }
baseline: base
`,
  );
  return file;
}

const key = (item: any) => `${item.condition} ${item.itemId}`;

async function run(study: string, out: string, store: string) {
  const r = await runCli(['run', study, '--out', out, '--store', store, '-q']);
  return { r, output: fs.existsSync(path.join(out, 'items.jsonl')) ? readOutput(out) : undefined };
}

/** What a run wrote must be a subset of the reference, value for value, and its cells must count only what is there. */
function checkAgainstReference(
  output: RunOutput,
  reference: Map<string, any>,
  label: string,
): { present: number; failedCells: number } {
  const seen = new Set<string>();
  for (const item of output.items) {
    const k = key(item);
    assert.ok(!seen.has(k), `${label}: ${k} appears once`);
    seen.add(k);
    const expected = reference.get(k);
    assert.ok(expected, `${label}: ${k} is an item of the study`);
    assert.deepEqual(item, expected, `${label}: ${k} has the fault-free scores`);
  }
  let failedCells = 0;
  for (const cell of output.summary.cells) {
    const mine = output.items.filter((i) => i.condition === cell.condition);
    assert.equal(cell.n, mine.length, `${label} ${cell.condition}: n counts the scored items only`);
    assert.equal(cell.correct, mine.filter((i) => i.correct === true).length, `${label} ${cell.condition}: correct`);
    assert.equal(cell.n + cell.failed, ITEMS, `${label} ${cell.condition}: every item is scored or counted as failed`);
    failedCells += cell.failed;
  }
  return { present: seen.size, failedCells };
}

test('server faults at scale: a run against a server failing at random ends with every result present and exact', async (t) => {
  const started = Date.now();
  const server = await startFaultServer({ served: SERVED, rate: 0.2, seed: 20_611 });
  const dir = tempDir();
  try {
    // One prompt per request, many in flight, a short timeout so that a stall costs little.
    const study = writeStudy(path.join(dir, 'faulty.yaml'), {
      url: `${server.url}/v1`,
      batchSize: 1,
      concurrency: 96,
      timeoutMs: 2000,
    });
    // The same study against the same server without faults, 64 prompts per request (batching must
    // not change a value either): what every result must be. It runs beside the first faulty run.
    const clean = writeStudy(path.join(dir, 'clean.yaml'), {
      url: `${server.url}/v1?faults=off`,
      batchSize: 64,
      concurrency: 4,
      timeoutMs: 120_000,
    });
    const faultyStore = path.join(dir, 'faulty.sqlite');
    const [ref, first] = await Promise.all([
      run(clean, path.join(dir, 'reference'), path.join(dir, 'clean.sqlite')),
      run(study, path.join(dir, 'faulty-1'), faultyStore),
    ]);

    assert.equal(ref.r.code, 0, ref.r.stderr);
    const reference = ref.output!;
    const refCounts = reference.summary.requestsByModel.served;
    assert.deepEqual(
      [refCounts.failed, refCounts.retries ?? 0, refCounts.computed],
      [0, 0, refCounts.unique],
      'the reference run saw no fault',
    );
    assert.ok(refCounts.unique >= 10_000, `${refCounts.unique} distinct model requests`);
    const expected = new Map(reference.items.map((i) => [key(i), i]));
    assert.equal(expected.size, ITEMS * reference.summary.cells.length, 'the reference has every item of every cell');

    let final: RunOutput | undefined;
    let runs = 0;
    let retries = 0;
    const failedByRun: number[] = [];
    for (let next = first; ;) {
      runs++;
      const { r, output } = next;
      // 0: complete; 2: some requests failed all their retries (reported, retried by the next run). Never a crash or a halt.
      assert.ok(r.code === 0 || r.code === 2, `run ${runs} exited ${r.code}: ${r.stderr}`);
      const counts = output!.summary.requestsByModel.served;
      assert.equal(counts.unique, refCounts.unique, `run ${runs}: the same requests`);
      assert.equal(
        counts.cached + counts.computed + counts.failed,
        counts.unique,
        `run ${runs}: every request is cached, computed or failed`,
      );
      if (runs === 1) assert.equal(counts.cached, 0);
      retries += counts.retries ?? 0;
      failedByRun.push(counts.failed);
      const { present, failedCells } = checkAgainstReference(output!, expected, `run ${runs}`);
      if (counts.failed === 0) {
        assert.equal(r.code, 0, r.stderr);
        assert.equal(failedCells, 0);
        assert.equal(present, expected.size, `run ${runs}: no item is missing`);
        final = output;
        break;
      }
      assert.equal(r.code, 2);
      assert.match(
        r.stderr,
        new RegExp(`${counts.failed} requests failed; their items are left out of the accuracies above`),
      );
      assert.ok(failedCells > 0 && present < expected.size, `run ${runs}: a failed request leaves its items out`);
      if (runs === MAX_RUNS) break;
      next = await run(study, path.join(dir, `faulty-${runs + 1}`), faultyStore);
    }
    assert.ok(final, `the study is complete after ${runs} runs (failed requests per run: ${failedByRun.join(', ')})`);
    assert.deepEqual(final.summary.cells, reference.summary.cells, 'the same accuracies as without faults');

    const faults = server.counts.faults;
    const injected = Object.values(faults).reduce((s, n) => s + n, 0);
    const requests = server.total();
    t.diagnostic(`fault counts: ${JSON.stringify(faults)}`);
    t.diagnostic(
      `requests to the failing server: ${requests} ${JSON.stringify(server.counts.requests)}, ${injected} failed by injection; ` +
        `fault-free reference: ${server.counts.faultFreeRequests} requests; ${refCounts.unique} distinct model requests; ` +
        `HTTP retries ${retries}; failed requests per run: ${failedByRun.join(', ')}; ${expected.size} results, all present and equal to the fault-free run's; ` +
        `${runs} runs; wall time ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    assert.deepEqual(server.counts.protocolErrors, [], 'every request followed the protocol');
    assert.ok(requests >= 10_000, `${requests} requests reached the failing server`);
    for (const kind of FAULT_KINDS) assert.ok(faults[kind] >= 50, `${kind}: ${faults[kind]} injected`);
    assert.ok(server.counts.retryAfterOneSecond > 0, 'some 429s asked for a one-second wait');
    // Every injected fault is retried, except on a call's last attempt.
    assert.ok(
      retries >= injected - failedByRun.reduce((s, n) => s + n, 0),
      `${retries} retries for ${injected} injected faults`,
    );
  } finally {
    await server.close();
  }
});
