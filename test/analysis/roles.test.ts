import assert from 'node:assert/strict';
import { test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { conditionRoles, conditionsWithRole } from '../../src/analysis/roles.js';
import { UserError } from '../../src/core/errors.js';
import { loadStudy } from '../../src/study/load.js';
import { repoRoot, tempDir } from '../helpers.js';

test('the example study: the robust set leaves out choices-only, the fixed answers and the other scoring methods', () => {
  const study = loadStudy(path.join(repoRoot, 'examples', 'mmlu-tiny.yaml'));
  const roles = conditionRoles(
    study.conditions.map((c) => c.info),
    study.spec.baseline,
  );
  assert.deepEqual(conditionsWithRole(roles, 'perturbation'), [
    'shuffled',
    'roman-symbols',
    'helm-template',
    'five-shot',
  ]);
  assert.deepEqual(conditionsWithRole(roles, 'stress'), ['answer-is-A', 'answer-is-D']);
  assert.deepEqual(conditionsWithRole(roles, 'probe'), ['choices-only']);
  assert.deepEqual(conditionsWithRole(roles, 'protocol'), ['hybrid-char', 'cloze-char', 'cloze-pmi']);
  assert.ok(roles.every((r) => r.source === 'default' && r.reason.length > 0));
});

function studyWithRoles(conditions: string, baseline = 'base'): string {
  const file = path.join(tempDir(), 'study.yaml');
  fs.writeFileSync(
    file,
    `name: roles
benchmark: { format: gauntlet, path: unused.jsonl }
models: [{ name: s, backend: sim, ability: 0.5 }]
conditions:
${conditions}
baseline: ${baseline}
`,
  );
  return file;
}

test('a study sets a role; a baseline role elsewhere, or another role on the baseline, is refused with its key', () => {
  const study = loadStudy(
    studyWithRoles(`  - { name: base, scoring: symbol }
  - { name: pmi, scoring: cloze, normalization: pmi, role: perturbation }
  - { name: shuffled, scoring: symbol, perturbations: [{ shuffle: { seed: 1 } }], role: stress }`),
  );
  const roles = conditionRoles(
    study.conditions.map((c) => c.info),
    'base',
  );
  assert.deepEqual(
    roles.map((r) => [r.condition, r.role, r.source]),
    [
      ['base', 'baseline', 'default'],
      ['pmi', 'perturbation', 'study'],
      ['shuffled', 'stress', 'study'],
    ],
  );
  assert.throws(
    () => loadStudy(studyWithRoles(`  - { name: base, scoring: symbol, role: protocol }`)),
    (e: unknown) =>
      e instanceof UserError && /conditions\.0\.role/.test(e.message) && /baseline's role/.test(e.message),
  );
  assert.throws(
    () =>
      loadStudy(
        studyWithRoles(`  - { name: base, scoring: symbol }
  - { name: other, scoring: symbol, role: baseline }`),
      ),
    (e: unknown) => e instanceof UserError && /conditions\.1\.role/.test(e.message),
  );
  assert.throws(() => loadStudy(studyWithRoles(`  - { name: base, scoring: symbol, role: sideways }`)), /role/);
});
