import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { studyJsonSchema } from '../../src/study/json-schema.js';
import { repoRoot } from '../helpers.js';

test('the committed JSON Schema matches the study schema (regenerate: goodhart schema > schema/study.schema.json)', () => {
  const committed = JSON.parse(fs.readFileSync(path.join(repoRoot, 'schema', 'study.schema.json'), 'utf8'));
  assert.deepEqual(committed, studyJsonSchema());
  const props = Object.keys((committed as { properties: object }).properties);
  for (const key of ['benchmark', 'models', 'conditions', 'baseline']) assert.ok(props.includes(key));
  assert.equal(
    (committed as { additionalProperties: boolean }).additionalProperties,
    false,
    'unknown keys are flagged by editors too',
  );
});
