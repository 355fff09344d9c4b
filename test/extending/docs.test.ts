import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers.js';

const EXAMPLES = path.join('examples', 'extending');

test('every code block of docs/extending.md is the example file it names, and every example file is quoted', () => {
  const doc = fs.readFileSync(path.join(repoRoot, 'docs', 'extending.md'), 'utf8');
  const quoted = new Set<string>();
  const block = /(?:<!-- file: (\S+) -->\n)?```(\w*)\n([\s\S]*?)```\n/g;
  for (const [, file, lang, code] of doc.matchAll(block)) {
    if (lang === '') continue; // a shell command
    assert.ok(file, `a \`\`\`${lang} block without a <!-- file: ... --> line above it:\n${code.slice(0, 200)}`);
    assert.equal(code, fs.readFileSync(path.join(repoRoot, file), 'utf8'), `docs/extending.md differs from ${file}`);
    quoted.add(file);
  }
  const files = fs.readdirSync(path.join(repoRoot, EXAMPLES)).map((f) => path.join(EXAMPLES, f));
  assert.deepEqual([...quoted].sort(), files.sort());
});
