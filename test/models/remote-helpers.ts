import { after, before } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import type { Model, Outcome, Request } from '../../src/core/types.js';
import { GgufModel } from '../../src/models/gguf.js';
import { createModel } from '../../src/models/registry.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import { modelSpecSchema } from '../../src/study/schema.js';
import { sharedDir, tempDir } from '../helpers.js';
import { ScoringEngine } from './servers/engine.js';

export const storiesPath = () => path.join(sharedDir(), 'models', 'stories260K.gguf');

/** For a test file: the test servers' scoring engine, and stories260K's in-process outcomes for `requests`, ready before its tests. */
export function inProcessReference(requests: Request[]): { engine: ScoringEngine; reference: Outcome[] } {
  const ref = {} as { engine: ScoringEngine; reference: Outcome[] };
  before(async () => {
    ref.engine = await ScoringEngine.load();
    const gguf = await GgufModel.load({ name: 'ref', path: storiesPath(), sha256: 'x', threads: 1, gpu: false });
    ref.reference = await gguf.evaluate(requests);
    await gguf.close();
  });
  after(() => ref.engine.model.dispose());
  return ref;
}

/** A model built from a study-file entry, exactly as `goodhart run` builds it. */
export async function connectModel(
  entry: Record<string, unknown>,
  checks: { lenient?: boolean; warn?: (line: string) => void } = {},
): Promise<Model> {
  const dir = tempDir();
  const store = new SqliteStore(path.join(dir, 'store.sqlite'));
  try {
    return await createModel(modelSpecSchema.parse(entry), {
      baseDir: dir,
      fileHashes: store,
      where: 'study.yaml: models.0',
      ...checks,
    });
  } finally {
    store.close();
  }
}

/** A small MMLU study for the given model entries (YAML flow mappings) and conditions. */
export function writeStudy(dir: string, models: string[], conditions: string[], perSubject = 3): string {
  const file = path.join(dir, 'study.yaml');
  fs.writeFileSync(
    file,
    `name: remote
seed: 5
benchmark:
  format: mmlu
  path: \${GOODHART_SHARED}/data/mmlu/data
  subjects: [anatomy, virology]
  limit: { perSubject: ${perSubject}, seed: 2 }
models:
${models.map((m) => `  - ${m}`).join('\n')}
conditions:
${conditions.map((c) => `  - ${c}`).join('\n')}
baseline: base
`,
  );
  return file;
}

export interface RunOutput {
  summary: any;
  items: any[];
}

export function readOutput(dir: string): RunOutput {
  return {
    summary: JSON.parse(fs.readFileSync(path.join(dir, 'summary.json'), 'utf8')),
    items: fs
      .readFileSync(path.join(dir, 'items.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
  };
}

/** Items of one model, keyed by condition and item id. */
export function itemsOf(out: RunOutput, model: string): Map<string, any> {
  return new Map(out.items.filter((i) => i.model === model).map((i) => [`${i.condition} ${i.itemId}`, i]));
}
