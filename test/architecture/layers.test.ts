import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkLayers, importEdges, readTree } from './imports.js';
import { LAYERS } from './layers.js';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

test('src/ imports only its own layer and the layers below, without cycles', () => {
  const files = readTree(SRC);
  assert.ok(importEdges(files).length > 500, 'the checker reads the imports of src/');
  const { upward, cycles, unmapped } = checkLayers(files, { layers: LAYERS });
  const problems = [...unmapped, ...upward, ...cycles];
  assert.equal(
    problems.length,
    0,
    `layering violations (test/architecture/layers.ts, docs/architecture.md):\n${problems.join('\n')}`,
  );
});

test('the checker reports an upward import, a cycle and a folder outside the map, at file:line', () => {
  const files = new Map([
    ['low/a.ts', "import { b } from './b.js';\nexport const a = b;\n"],
    ['low/b.ts', "export const b = 1;\nexport type A = typeof import('./a.js');\n"],
    ['low/c.ts', "export async function c() {\n  return import('../high/h.js');\n}\n"],
    ['low/d.ts', "import type { H } from '../high/h.js';\nexport type D = H;\n"],
    ['low/e.ts', "export { b } from './b.js';\nexport * from '../high/h.js';\n"],
    [
      'high/h.ts',
      "import { a } from '../low/a.js';\nimport fs from 'node:fs';\nexport const h = a;\nexport type H = number;\n",
    ],
    ['stray/s.ts', "import { h } from '../high/h.js';\n"],
  ]);
  const { upward, cycles, unmapped } = checkLayers(files, { layers: [['low'], ['high']] });
  assert.deepEqual(upward, [
    'src/low/c.ts:2 imports src/high/h.ts (low is below high)',
    'src/low/d.ts:1 imports src/high/h.ts (low is below high)',
    'src/low/e.ts:2 imports src/high/h.ts (low is below high)',
  ]);
  assert.deepEqual(cycles, [
    'cycle of 2 files:\n  src/low/a.ts:1 imports src/low/b.ts\n  src/low/b.ts:2 imports src/low/a.ts',
  ]);
  assert.deepEqual(unmapped, ['src/stray is in no layer']);
});
