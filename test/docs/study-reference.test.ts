import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import {
  SECTION_NOTES,
  headingAnchor,
  readStudySchema,
  referenceFile,
  renderStudyReference,
} from '../../scripts/study-reference.js';

test('docs/study-file.md is what scripts/study-reference.ts renders from schema/study.schema.json (regenerate: npm run docs)', () => {
  const committed = fs.readFileSync(referenceFile, 'utf8');
  assert.equal(committed, renderStudyReference(readStudySchema()));
});

test('the reference lists every key of the study schema, with its default and whether it is required', () => {
  const page = renderStudyReference(readStudySchema());
  for (const key of ['name', 'benchmark', 'models', 'conditions', 'baseline', 'goldPositionShuffle', 'probes']) {
    assert.match(page, new RegExp(`^\\| \`${key}\` \\|`, 'm'), key);
  }
  assert.match(page, /^\| `name` \| string \(matching `\^\[\\w\.-\]\+\$`\) \| yes \| {2}\|$/m);
  assert.match(page, /^\| `concurrency` \| integer \(≥ 1, ≤ 256\) \| {2}\| `8` \|$/m);
});

test('the reference renders descriptions, $refs and nested objects of a schema it has not seen', () => {
  const page = renderStudyReference({
    type: 'object',
    properties: {
      model: { $ref: '#/$defs/model', description: 'the model to ask' },
      tags: { type: 'array', items: { type: 'string' }, description: 'free | text' },
    },
    required: ['model'],
    additionalProperties: false,
    $defs: {
      model: { type: 'object', properties: { url: { type: 'string', format: 'uri', description: 'its server' } } },
    },
  });
  assert.match(page, /^\| `model` \| \[object\]\(#model\) \| yes \| {2}\| the model to ask \|$/m);
  assert.match(page, /^\| `tags` \| list of string \| {2}\| {2}\| free \\\| text \|$/m);
  assert.match(page, /^## model$/m);
  assert.match(page, /^\| `url` \| URL \| {2}\| {2}\| its server \|$/m);
  assert.throws(() => renderStudyReference({ type: 'object', properties: { a: { $ref: '#/$defs/none' } } }), /\$ref/);
});

test('heading anchors follow GitHub: lower case, punctuation dropped, spaces as hyphens', () => {
  assert.equal(headingAnchor('models (backend: openai-chat)'), 'models-backend-openai-chat');
  assert.equal(headingAnchor('conditions.generation'), 'conditionsgeneration');
  assert.equal(headingAnchor('The `run` folder & store'), 'the-run-folder--store');
});

test('every note of the reference belongs to a section the schema still has', () => {
  const page = renderStudyReference(readStudySchema());
  // A note is keyed by a section's heading, or by the key path that names several (`models (backend: …)`).
  const headings = new Set([...page.matchAll(/^## ((.+?)(?: \(.*\))?)$/gm)].flatMap((m) => [m[1], m[2]]));
  assert.deepEqual(
    Object.keys(SECTION_NOTES).filter((title) => !headings.has(title)),
    [],
  );
});
