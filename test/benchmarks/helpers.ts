import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { UserError } from '../../src/core/errors.js';
import { sharedDir } from '../../src/core/paths.js';
import type { Item } from '../../src/core/types.js';
import { type BenchmarkSpec, parseBenchmarkSpec } from '../../src/benchmarks/spec.js';

export const MMLU_DIR = path.join(sharedDir(), 'data', 'mmlu', 'data');
export const GAUNTLET_DIR = path.join(sharedDir(), 'data', 'gauntlet');
/** Tests on the real data are skipped (not failed) where the shared folder is absent. */
export const noSharedData = !existsSync(MMLU_DIR) || !existsSync(GAUNTLET_DIR);

const created: string[] = [];
after(async () => {
  for (const dir of created) await rm(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the test file ends. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'goodhart-bench-'));
  created.push(dir);
  return dir;
}

/** Write files (paths relative to dir, folders created as needed); returns dir. */
export async function writeFiles(dir: string, files: Record<string, string | Uint8Array>): Promise<string> {
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  return dir;
}

export const spec = (raw: unknown): BenchmarkSpec => parseBenchmarkSpec(raw);

/** Assert the promise rejects with a UserError whose `where` and message match. */
export async function rejectsUserError(
  promise: Promise<unknown>,
  where: string | RegExp,
  message?: RegExp,
): Promise<UserError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
    if (typeof where === 'string') assert.equal(err.where, where);
    else assert.match(err.where ?? '', where);
    if (message) assert.match(err.message, message);
    return err;
  }
  assert.fail('expected a UserError');
}

/** The invariants every loaded item must satisfy, whatever the input. */
export function assertWellFormed(items: Item[]): void {
  const ids = new Set<string>();
  for (const item of items) {
    assert.ok(!ids.has(item.id), `duplicate id ${item.id}`);
    ids.add(item.id);
    assert.ok(item.question.trim() !== '');
    assert.ok(item.choices.length >= 2);
    for (const c of item.choices) assert.ok(c.trim() !== '');
    assert.ok(Number.isInteger(item.answer) && item.answer >= 0 && item.answer < item.choices.length);
  }
}
