/** Synthetic benchmarks and small studies for the simulated model's tests. */
import path from 'node:path';
import type { Item } from '../../src/core/types.js';
import { makeRng } from '../../src/core/rng.js';
import { planStudy, runModel } from '../../src/engine/run.js';
import { SimModel } from '../../src/models/sim.js';
import { simModelSchema } from '../../src/sim/spec.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { resolveStudy, type Study } from '../../src/study/load.js';
import { studySchema } from '../../src/study/schema.js';
import { tempDir } from '../helpers.js';

export const SUBJECTS = ['anatomy', 'astronomy', 'virology', 'world_religions'];

/** n items with distinct questions and choices, golds spread evenly over the positions. */
export function makeItems(n: number, opts: { split?: string; options?: number; seed?: number } = {}): Item[] {
  const options = opts.options ?? 4;
  const split = opts.split ?? 'test';
  const rng = makeRng(opts.seed ?? 7);
  return Array.from({ length: n }, (_, i) => {
    const subject = SUBJECTS[i % SUBJECTS.length];
    return {
      id: `synthetic/${split}/${subject}/${i}`,
      subject,
      split,
      question: `Question ${split}-${i} about ${subject.replace(/_/g, ' ')}: which statement holds?`,
      choices: Array.from(
        { length: options },
        (_, k) => `statement ${k + 1} of ${split} item ${i}${k === 2 ? ' (with more words in it)' : ''}`,
      ),
      answer: Math.floor(rng() * options),
    };
  });
}

export function simSpec(fields: Record<string, unknown>) {
  return simModelSchema.parse({ backend: 'sim', ...fields });
}

export function study(conditions: Record<string, unknown>[], models: Record<string, unknown>[]): Study {
  const spec = studySchema.parse({
    name: 'sim-test',
    seed: 1,
    benchmark: { format: 'gauntlet', path: 'unused.jsonl' },
    models: models.map((m) => ({ backend: 'sim', ...m })),
    conditions,
    baseline: conditions[0].name,
  });
  return resolveStudy(spec, 'study.yaml');
}

/** Run every model of the study on the items through the engine (store, cache and all). */
export async function runStudy(
  s: Study,
  items: Item[],
  storeFile = path.join(tempDir(), 'store.sqlite'),
  dev: Item[] = [],
) {
  const pool = new Map<string, Item[]>();
  for (const item of dev) pool.set(item.subject ?? '', [...(pool.get(item.subject ?? '') ?? []), item]);
  const cellsFor = planStudy(s, { items, fewshotPool: pool });
  const store = new SqliteStore(storeFile);
  try {
    const runs = [];
    for (const spec of s.spec.models) {
      const model = new SimModel(simModelSchema.parse(spec), items);
      runs.push(await runModel(model, cellsFor(model), store, {}));
    }
    return { runs, items: runs.flatMap((r) => r.items), storeFile };
  } finally {
    store.close();
  }
}
