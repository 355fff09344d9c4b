/**
 * Property-based fuzzing of the study-file parser and the benchmark loaders: whatever the input,
 * it either loads into something well-formed or fails with a UserError that points at the file and
 * a line (or a key path). Seeds are fixed so every run tries the same inputs.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { UserError } from '../../src/core/errors.js';
import type { Item } from '../../src/core/types.js';
import { loadBenchmark } from '../../src/benchmarks/load.js';
import { parseBenchmarkSpec, RECIPE_NAMES } from '../../src/benchmarks/spec.js';
import { loadStudy, type Study } from '../../src/study/load.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'goodhart-fuzz-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

/** Drop undefined properties (keeps own `__proto__` keys as data). */
function clean<T>(value: T): T {
  if (Array.isArray(value)) return value.map(clean) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) setOwn(out, k, clean(v));
    return out as T;
  }
  return value;
}

function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * Write a file afresh: removing it first keeps the file system from flushing a truncated file to
 * disk on every rewrite (ext4 does), which would make thousands of small writes slow.
 */
function rewrite(file: string, content: string | Uint8Array): void {
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, content);
}

// ---------------------------------------------------------------------------------------------
// Study files
// ---------------------------------------------------------------------------------------------

const ident = fc.stringMatching(/^[a-z][a-z0-9_-]{0,6}$/);
const anyText = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
);
const nonEmptyText = anyText.filter((s) => s.length > 0);
const fieldName = fc.oneof(ident, fc.constantFrom('__proto__', 'constructor', 'a b', 'choices.text', '0', '1'));

const limitArb = fc.record(
  { perSubject: fc.integer({ min: 1, max: 50 }), total: fc.integer({ min: 1, max: 500 }), seed: fc.integer() },
  { requiredKeys: [] },
);
const onBadRow = opt(fc.constantFrom('error', 'skip'));
const fieldsArb = fc.record(
  {
    question: fieldName,
    choices: fc.oneof(fieldName, fc.array(fieldName, { minLength: 2, maxLength: 5 })),
    answer: fieldName,
    id: fieldName,
    subject: fieldName,
  },
  { requiredKeys: ['question', 'choices', 'answer'] },
);

const benchmarkArb = fc.oneof(
  fc.record({
    format: fc.constant('mmlu'),
    path: nonEmptyText,
    split: opt(fc.constantFrom('test', 'val', 'dev')),
    fewshotSplit: opt(fc.constantFrom('test', 'val', 'dev')),
    subjects: opt(fc.uniqueArray(ident, { minLength: 1, maxLength: 3 })),
    limit: opt(limitArb),
    onBadRow,
  }),
  fc.record({
    format: fc.constant('gauntlet'),
    path: ident.map((s) => `${s}.jsonl`),
    subject: opt(nonEmptyText),
    onBadRow,
  }),
  fc
    .record({
      format: fc.constantFrom('jsonl', 'csv'),
      path: nonEmptyText,
      fields: fieldsArb,
      answerFormat: opt(fc.constantFrom('index', 'letter', 'text')),
      fewshotPath: opt(nonEmptyText),
      limit: opt(limitArb),
      onBadRow,
      header: opt(fc.boolean()),
    })
    .map(({ header, ...b }) => (b.format === 'csv' ? { ...b, header } : b)),
  fc.record({
    format: opt(fc.constant('hf')),
    recipe: fc.constantFrom(...RECIPE_NAMES),
    dataset: opt(fc.constantFrom('hf://datasets/cais/mmlu', 'owner/name@v1')),
    split: opt(nonEmptyText),
    fewshotSplit: opt(fc.oneof(nonEmptyText, fc.constant(false))),
    onBadRow,
  }),
);

const url = fc.constantFrom('http://localhost:8000', 'https://models.example/v1', 'http://127.0.0.1:11434');
const share = fc.integer({ min: 0, max: 100 }).map((n) => n / 100);
const modelArb = (name: fc.Arbitrary<string>) =>
  fc.oneof(
    fc.record({
      name,
      backend: opt(fc.constant('gguf')),
      path: nonEmptyText,
      threads: opt(fc.integer({ min: 1, max: 64 })),
      gpu: opt(fc.constantFrom('auto', false)),
      sequences: opt(fc.integer({ min: 1, max: 64 })),
    }),
    fc.record({
      name,
      backend: fc.constant('sim'),
      ability: share,
      positionBias: opt(fc.array(fc.integer({ min: -20, max: 20 }), { maxLength: 6 })),
      symbolBias: opt(fc.dictionary(fc.constantFrom('A', 'B', 'C', '1'), fc.integer({ min: -20, max: 20 }))),
      memorized: opt(fc.record({ share, seed: fc.integer() }, { requiredKeys: ['share'] })),
      templateSensitivity: opt(fc.integer({ min: 0, max: 5 })),
    }),
    fc.record({
      name,
      backend: fc.constant('openai-completions'),
      url,
      model: nonEmptyText,
      concurrency: opt(fc.integer({ min: 1, max: 256 })),
      batchSize: opt(fc.integer({ min: 1, max: 1024 })),
    }),
    fc.record({
      name,
      backend: fc.constant('ollama'),
      url,
      model: nonEmptyText,
      topLogprobs: opt(fc.integer({ min: 1, max: 20 })),
    }),
  );

const plainStep = fc.oneof(
  fc.constant<unknown>('reverse'),
  fc.constant<unknown>({ reverse: null }),
  fc.record({ shuffle: fc.record({ seed: fc.integer() }, { requiredKeys: [] }) }),
  fc.record({ 'shuffle-pairs': fc.record({ seed: fc.integer() }, { requiredKeys: [] }) }),
  fc.record({ rotate: fc.record({ k: fc.integer({ min: -10, max: 10 }) }) }),
  fc.record({ 'fix-answer': fc.record({ position: fc.oneof(fc.nat(3), fc.constantFrom('A', 'b', 'D')) }) }),
  fc.record({
    symbols: fc.record({ set: fc.constantFrom('ABCD', 'abcd', '1234', 'roman', 'paren', 'signs', 'rare') }),
  }),
  fc.record({
    template: fc.record({ name: fc.constantFrom('lm-eval', 'no-subject', 'correct-answer', 'helm', 'hendrycks') }),
  }),
  fc.record({
    fewshot: fc.record({ k: fc.nat(5), seed: fc.integer(), shuffle: fc.boolean() }, { requiredKeys: ['k'] }),
  }),
  fc.record({ 'fewshot-same-answer': fc.record({ k: fc.nat(5), position: fc.constantFrom('A', 'B', 0, 1) }) }),
  fc.record({ 'self-shot': fc.record({ answer: fc.constantFrom('correct', 'wrong') }) }),
);
const circularStep = fc.oneof(
  fc.constant<unknown>('circular'),
  fc.constant<unknown>({ circular: null }),
  fc.integer({ min: 1, max: 6 }).map((n): unknown => ({ circular: { n } })),
);

interface ConditionDraft {
  scoring: 'symbol' | 'hybrid' | 'cloze';
  normalization?: string;
  steps: unknown[];
  circular?: { at: number; entry: unknown };
  choicesOnly: boolean;
  seed?: number;
}
const conditionDraft: fc.Arbitrary<ConditionDraft> = fc.record({
  scoring: fc.constantFrom('symbol', 'hybrid', 'cloze'),
  normalization: opt(fc.constantFrom('none', 'token', 'char', 'byte', 'pmi')),
  steps: fc.array(plainStep, { maxLength: 3 }),
  circular: opt(fc.record({ at: fc.nat(3), entry: circularStep })),
  choicesOnly: fc.boolean(),
  seed: opt(fc.integer()),
});

function condition(name: string, d: ConditionDraft): Record<string, unknown> {
  const perturbations = [...d.steps];
  if (d.choicesOnly && d.scoring !== 'cloze') perturbations.push('choices-only');
  if (d.circular) perturbations.splice(Math.min(d.circular.at, perturbations.length), 0, d.circular.entry);
  return clean({
    name,
    scoring: d.scoring,
    normalization: d.scoring === 'symbol' ? (d.normalization === undefined ? undefined : 'none') : d.normalization,
    perturbations: perturbations.length || d.seed === undefined ? perturbations : undefined,
    seed: d.seed,
  });
}

/** A study object the schema accepts (checked by the first property). */
const validStudy = fc
  .record({
    name: fc.stringMatching(/^[\w.-]{1,10}$/),
    description: opt(anyText),
    seed: opt(fc.integer()),
    store: opt(fc.constant('runs/store.sqlite')),
    benchmark: benchmarkArb,
    models: fc.uniqueArray(modelArb(nonEmptyText), { minLength: 1, maxLength: 3, selector: (m) => m.name }),
    conditions: fc.uniqueArray(fc.tuple(ident, conditionDraft), { minLength: 1, maxLength: 4, selector: ([n]) => n }),
    probes: opt(
      fc.record({
        minK: opt(fc.record({ k: fc.integer({ min: 1, max: 100 }).map((n) => n / 100) }, { requiredKeys: [] })),
      }),
    ),
  })
  .map((s) => {
    const conditions = s.conditions.map(([name, d]) => condition(name, d));
    const first = s.conditions[0];
    const baseline = first[1].circular ? `${first[0]}@rot0` : first[0];
    return clean({ ...s, conditions, baseline }) as Record<string, unknown>;
  });

type KeyPath = (string | number)[];

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function pathsOf(value: unknown, at: KeyPath = []): KeyPath[] {
  const out: KeyPath[] = [at];
  if (Array.isArray(value)) value.forEach((v, k) => out.push(...pathsOf(v, [...at, k])));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...at, k]));
  return out;
}

function getAt(value: unknown, at: KeyPath): unknown {
  return at.reduce<unknown>(
    (v, k) => (v && typeof v === 'object' ? (v as Record<string | number, unknown>)[k] : undefined),
    value,
  );
}

/** A deep copy with `at` replaced (undefined deletes it; array elements are spliced out). */
function withAt(value: unknown, at: KeyPath, next: unknown): unknown {
  const copy = structuredClone(value);
  if (at.length === 0) return next;
  const parent = getAt(copy, at.slice(0, -1)) as Record<string | number, unknown> | unknown[];
  const key = at[at.length - 1];
  if (Array.isArray(parent)) {
    if (next === undefined) parent.splice(Number(key), 1);
    else parent[Number(key)] = next;
  } else if (next === undefined) delete parent[key];
  else setOwn(parent as Record<string, unknown>, String(key), next);
  return copy;
}

const dotted = (at: KeyPath) => at.map(String).join('.');

const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(-1, 0, 0.5, 27, 65, 257, 1e9, 2 ** 53, 1e308, -1e308, Infinity, -Infinity, NaN),
  fc.constantFrom(
    '',
    ' ',
    'none',
    'symbol',
    'cloze',
    'circular',
    'reverse',
    'http://user:pw@x',
    'hf://datasets/a/b',
    '${GOODHART_SHARED}',
  ),
  anyText,
  fc.integer({ min: 1, max: 150 }).map((depth) => {
    let v: unknown = 'x';
    for (let k = 0; k < depth; k++) v = k % 2 ? { k: v } : [v];
    return v;
  }),
);

type Mutation =
  | { kind: 'set'; pick: number; value: unknown }
  | { kind: 'delete'; pick: number }
  | { kind: 'unknownKey'; pick: number; key: string; value: unknown }
  | { kind: 'duplicate'; pick: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), pick: fc.nat(), value: weirdValue }),
  fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
  fc.record({
    kind: fc.constant('unknownKey' as const),
    pick: fc.nat(),
    key: fc.oneof(fc.constantFrom('extra', 'nmae', '__proto__', 'constructor', 'a b', 'format', 'k', 'x.y'), anyText),
    value: weirdValue,
  }),
  fc.record({ kind: fc.constant('duplicate' as const), pick: fc.nat() }),
);

function mutate(study: unknown, m: Mutation): unknown {
  const all = pathsOf(study);
  switch (m.kind) {
    case 'set':
      return withAt(study, all[m.pick % all.length], m.value);
    case 'delete': {
      const some = all.slice(1);
      return some.length ? withAt(study, some[m.pick % some.length], undefined) : study;
    }
    case 'unknownKey': {
      const objects = all.filter((p) => {
        const v = getAt(study, p);
        return v && typeof v === 'object' && !Array.isArray(v);
      });
      if (objects.length === 0) return study;
      const at = objects[m.pick % objects.length];
      return withAt(study, [...at, m.key], m.value);
    }
    case 'duplicate': {
      const lists = all.filter((p) => {
        const v = getAt(study, p);
        return Array.isArray(v) && v.length > 0;
      });
      if (lists.length === 0) return study;
      const at = lists[m.pick % lists.length];
      const list = getAt(study, at) as unknown[];
      return withAt(study, at, [...list, list[0]]);
    }
  }
}

/** Ways to break YAML text: tabs, stray quotes, anchors and aliases, nesting, truncation. */
type TextBreak = { kind: string; at: number; depth: number };
const textBreakArb: fc.Arbitrary<TextBreak> = fc.record({
  kind: fc.constantFrom(
    'tab',
    'quote',
    'squote',
    'alias',
    'anchorAlias',
    'aliasBomb',
    'truncate',
    'dupLine',
    'indent',
    'dedent',
    'flowOpen',
    'nest',
    'bom',
    'crlf',
    'nul',
    'docs',
    'tag',
    'complexKey',
    'merge',
  ),
  at: fc.nat(),
  depth: fc.integer({ min: 1, max: 400 }),
});

function breakText(text: string, b: TextBreak): string {
  const lines = text.split('\n');
  const li = b.at % lines.length;
  const pos = b.at % (text.length + 1);
  const insert = (s: string) => text.slice(0, pos) + s + text.slice(pos);
  const onLine = (f: (line: string) => string) => lines.map((l, k) => (k === li ? f(l) : l)).join('\n');
  switch (b.kind) {
    case 'tab':
      return onLine((l) => `\t${l}`);
    case 'quote':
      return insert('"');
    case 'squote':
      return insert("'");
    case 'alias':
      return onLine((l) => l.replace(/: .*$/, ': *missing'));
    case 'anchorAlias':
      return `${text}\nanchored: &a [1, 2]\nagain: *a\n`;
    case 'aliasBomb': {
      const rows = ['l0: &l0 [x, x, x, x, x, x, x, x, x, x]'];
      for (let k = 1; k < 6; k++)
        rows.push(
          `l${k}: &l${k} [${Array(10)
            .fill(`*l${k - 1}`)
            .join(', ')}]`,
        );
      return `${rows.join('\n')}\n${text}`;
    }
    case 'truncate':
      return text.slice(0, pos);
    case 'dupLine':
      return [...lines.slice(0, li + 1), lines[li], ...lines.slice(li + 1)].join('\n');
    case 'indent':
      return onLine((l) => ` ${l}`);
    case 'dedent':
      return onLine((l) => l.replace(/^ /, ''));
    case 'flowOpen':
      return insert('{[');
    case 'nest':
      return onLine((l) => l.replace(/: .*$/, `: ${'['.repeat(b.depth)}1${']'.repeat(b.depth)}`));
    case 'bom':
      return `\ufeff${text}`;
    case 'crlf':
      return text.replace(/\n/g, '\r\n');
    case 'nul':
      return insert('\0');
    case 'docs':
      return `${text}\n---\n${text}`;
    case 'tag':
      return onLine((l) => l.replace(/: (.+)$/, ': !!binary $1'));
    case 'complexKey':
      return `? [a, b]\n: 1\n${text}`;
    case 'merge':
      return `base: &b { seed: 1 }\n<<: *b\n${text}`;
    default:
      throw new Error(`unknown text break ${b.kind}`);
  }
}

/** YAML-ish token soup. */
const yamlSoup = fc
  .array(
    fc.constantFrom(
      '-',
      ':',
      ' ',
      '  ',
      '\n',
      '\t',
      '"',
      "'",
      '&a',
      '*a',
      '!!str',
      '!!binary',
      '!!set',
      '!x',
      '{',
      '}',
      '[',
      ']',
      ',',
      '?',
      '|',
      '>',
      '#',
      '%YAML 1.2',
      '---',
      '...',
      '<<',
      '@',
      '`',
      '\ufeff',
      '\0',
      '\r\n',
      '\r',
      'null',
      '~',
      '.inf',
      '.nan',
      '0x1F',
      '1e400',
      '-0',
      'name',
      'models',
      'conditions',
      'baseline',
      'benchmark',
      'format',
      'csv',
      'scoring',
      'symbol',
      'circular',
      'sim',
      'backend',
      'é',
      '\ud800',
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

let studyFiles = 0;
function writeStudy(content: string | Uint8Array): string {
  const file = path.join(root, `study-${studyFiles++ % 4}.yaml`);
  rewrite(file, content);
  return file;
}

const lineCount = (text: string) => text.split('\n').length;

/** Load a study file: the study, or the UserError it was refused with (any other exception fails). */
function tryLoad(file: string): Study | UserError {
  try {
    return loadStudy(file);
  } catch (err) {
    if (err instanceof UserError) return err;
    throw err;
  }
}

/** A refusal names the file, then a line within it (`file:12`, `(line 12)`) or a key path. */
function assertLocated(err: UserError, file: string, text: string): void {
  assert.ok(err.message.startsWith(file), `names the file: ${err.message}`);
  const rest = err.message.slice(file.length);
  const maxLine = lineCount(text) + 1;
  const at = /^:(\d+)(?::\d+)?: \S/.exec(rest) ?? /^: [^\n]*? \(line (\d+)\): /.exec(rest);
  if (at) {
    const line = Number(at[1]);
    assert.ok(line >= 1 && line <= maxLine, `line ${line} is within the file's ${maxLine - 1} lines: ${err.message}`);
  } else {
    assert.match(rest, /^: (\(top level\)|[\w$-]+(\.[\w$-]+)*): \S/, `a line or a key path: ${err.message}`);
  }
}

/** What the rest of goodhart relies on in a loaded study. */
function assertWellFormedStudy(study: Study): void {
  const names = study.conditions.map((c) => c.name);
  assert.ok(names.length >= 1);
  assert.equal(new Set(names).size, names.length, 'condition names are unique');
  assert.ok(names.includes(study.spec.baseline), 'the baseline is a condition');
  assert.equal(new Set(study.spec.models.map((m) => m.name)).size, study.spec.models.length, 'model names are unique');
  for (const c of study.conditions) {
    assert.ok(Number.isSafeInteger(c.seed));
    assert.ok(!(c.method === 'symbol' && c.normalization !== 'none'));
    assert.ok(
      c.chain.every((s) => s.name !== 'circular'),
      'circular is expanded',
    );
  }
}

function studyOutcome(file: string, text: string): 'loaded' | 'rejected' {
  const result = tryLoad(file);
  if (result instanceof UserError) {
    assertLocated(result, file, text);
    return 'rejected';
  }
  assertWellFormedStudy(result);
  return 'loaded';
}

const yamlOf = (study: unknown, style: 'block' | 'flow' | 'any') => stringify(study, { collectionStyle: style });

describe('study file parser', () => {
  it('loads every valid study, in block and flow YAML', (t) => {
    let runs = 0;
    fc.assert(
      fc.property(
        validStudy,
        fc.constantFrom('block', 'flow', 'any') as fc.Arbitrary<'block' | 'flow' | 'any'>,
        (study, style) => {
          runs++;
          const text = yamlOf(study, style);
          const result = tryLoad(writeStudy(text));
          if (result instanceof UserError) assert.fail(`${result.message}\n${text}`);
          assertWellFormedStudy(result);
          assert.equal(result.spec.name, study.name);
        },
      ),
      { seed: 0x5eed01, numRuns: 200, includeErrorInReport: true },
    );
    t.diagnostic(`${runs} valid studies loaded`);
  });

  it('rejects each definite mistake at its key path and line', (t) => {
    type Mistake = { kind: 'unknownKey' | 'missing' | 'wrongType' | 'outOfRange'; pick: number; variant: number };
    const mistakeArb: fc.Arbitrary<Mistake> = fc.record({
      kind: fc.constantFrom('unknownKey', 'missing', 'wrongType', 'outOfRange'),
      pick: fc.nat(),
      variant: fc.nat(),
    });
    const strictObject =
      /^(|benchmark|benchmark\.fields|benchmark\.limit|models\.\d+|models\.\d+\.memorized|conditions\.\d+|probes|probes\.minK|conditions\.\d+\.perturbations\.\d+(\.[\w-]+)?)$/;
    // A study without a baseline gets the lm-eval protocol's condition as its baseline.
    const required =
      /^(name|benchmark|models|conditions|benchmark\.path|benchmark\.fields\.(question|answer|choices)|models\.\d+\.(name|url|ability)|conditions\.\d+\.(name|scoring)|models\.\d+\.memorized\.share)$/;
    const ranges: [RegExp, unknown[]][] = [
      [/^seed$|^conditions\.\d+\.seed$|^benchmark\.limit\.seed$/, [0.5, 2 ** 60, Infinity]],
      [/^models\.\d+\.threads$/, [0, -3, 1.5]],
      [/^models\.\d+\.(sequences|concurrency|batchSize|topLogprobs)$/, [0, -3, 1.5, 100_000]],
      [/^models\.\d+\.(ability|memorized\.share)$/, [-0.01, 1.01, NaN]],
      [/^models\.\d+\.positionBias\.\d+$|^models\.\d+\.symbolBias\.\w+$/, [20.5, -21, 1e9]],
      [/^benchmark\.limit\.(perSubject|total)$/, [0, -1, 0.5]],
      [/^probes\.minK\.k$/, [0, 1.5, -1]],
      [/^conditions\.\d+\.perturbations\.\d+\.circular\.n$/, [0, 27, 3_000_000, 2 ** 52]],
    ];
    const typed: [RegExp, unknown[]][] = [
      [
        /^(name|baseline|description|store|benchmark\.path|models\.\d+\.(name|path|url|model)|conditions\.\d+\.name)$/,
        [7, [], { a: 1 }, true, null],
      ],
      [
        /^(seed|models\.\d+\.(threads|ability|concurrency)|conditions\.\d+\.seed|benchmark\.limit\.\w+|probes\.minK\.k)$/,
        ['many', [1], { n: 1 }, true],
      ],
      [/^(models|conditions|benchmark\.subjects|conditions\.\d+\.perturbations)$/, ['x', 3, { a: 1 }]],
      [
        /^(conditions\.\d+\.scoring|conditions\.\d+\.normalization|benchmark\.answerFormat|benchmark\.onBadRow)$/,
        ['nope', 3, ['symbol']],
      ],
      [/^benchmark\.split$/, ['', 3, []]],
    ];
    const counts = new Map<string, number>();
    fc.assert(
      fc.property(validStudy, mistakeArb, (study, m) => {
        const all = pathsOf(study);
        let target: KeyPath | undefined;
        let next: unknown;
        let expectAt: RegExp;
        if (m.kind === 'unknownKey') {
          const objects = all.filter(
            (p) =>
              strictObject.test(dotted(p)) &&
              getAt(study, p) !== null &&
              typeof getAt(study, p) === 'object' &&
              !Array.isArray(getAt(study, p)),
          );
          if (objects.length === 0) return;
          const parent = objects[m.pick % objects.length];
          const key = ['zz_extra', 'nmae', '__proto__', 'constructor'][m.variant % 4];
          target = [...parent, key];
          next = m.variant % 3;
          // Perturbation args name the key in the message, at the perturbation's path.
          expectAt = new RegExp(
            `(^|\\n|: )${escape(dotted(parent))}(${parent.length ? '\\.' : ''}${key} \\(line \\d+\\): unknown key| \\(line \\d+\\): .*(Unrecognized key: "${key}"|got keys: .*${key}))`,
          );
        } else {
          const table = m.kind === 'missing' ? undefined : m.kind === 'wrongType' ? typed : ranges;
          const candidates = all.filter((p) =>
            table ? table.some(([re]) => re.test(dotted(p))) : required.test(dotted(p)),
          );
          if (candidates.length === 0) return;
          target = candidates[m.pick % candidates.length];
          if (table) {
            const values = table.find(([re]) => re.test(dotted(target!)))![1];
            next = values[m.variant % values.length];
          } else next = undefined;
          expectAt = new RegExp(`(^|\\n|: )${escape(dotted(target))}( \\(line \\d+\\))?: `);
        }
        counts.set(m.kind, (counts.get(m.kind) ?? 0) + 1);
        const text = yamlOf(withAt(study, target, next), 'block');
        const file = writeStudy(text);
        const result = tryLoad(file);
        assert.ok(
          result instanceof UserError,
          `${m.kind} at ${dotted(target)} = ${JSON.stringify(next)} must be rejected:\n${text}`,
        );
        assertLocated(result, file, text);
        assert.match(result.message, expectAt);
      }),
      { seed: 0x5eed02, numRuns: 300, includeErrorInReport: true },
    );
    for (const kind of ['unknownKey', 'missing', 'wrongType', 'outOfRange'])
      assert.ok((counts.get(kind) ?? 0) > 10, `${kind} tried ${counts.get(kind)} times`);
    t.diagnostic(`definite mistakes tried: ${[...counts].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  });

  it('answers random mutations and broken YAML with a study or a located UserError', (t) => {
    const tally = { loaded: 0, rejected: 0 };
    fc.assert(
      fc.property(
        validStudy,
        fc.array(mutationArb, { maxLength: 3 }),
        fc.array(textBreakArb, { maxLength: 2 }),
        fc.constantFrom('block', 'flow', 'any') as fc.Arbitrary<'block' | 'flow' | 'any'>,
        (study, mutations, breaks, style) => {
          const mutated = mutations.reduce<unknown>((s, m) => mutate(s, m), study);
          const text = breaks.reduce((s, b) => breakText(s, b), yamlOf(mutated, style));
          tally[studyOutcome(writeStudy(text), text)]++;
        },
      ),
      { seed: 0x5eed03, numRuns: 500, includeErrorInReport: true },
    );
    assert.ok(tally.loaded > 20 && tally.rejected > 100, JSON.stringify(tally));
    t.diagnostic(
      `${tally.loaded + tally.rejected} mutated studies: ${tally.loaded} loaded, ${tally.rejected} rejected`,
    );
  });

  it('answers arbitrary text and bytes with a located UserError', (t) => {
    let runs = 0;
    const content = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 100 }),
      fc.string({ unit: 'binary', maxLength: 100 }),
      yamlSoup,
      fc.uint8Array({ maxLength: 200 }),
    );
    fc.assert(
      fc.property(content, (data) => {
        runs++;
        const file = writeStudy(data);
        const text = fs.readFileSync(file, 'utf8');
        // Not a study: nothing here has benchmark, models and conditions all valid.
        assert.equal(studyOutcome(file, text), 'rejected');
      }),
      { seed: 0x5eed04, numRuns: 600, includeErrorInReport: true },
    );
    t.diagnostic(`${runs} arbitrary inputs rejected`);
  });

  it('regressions: aliases and circular', () => {
    const valid = yamlOf(fc.sample(validStudy, { seed: 7, numRuns: 1 })[0], 'block');
    const cases: [string, RegExp][] = [
      [`${valid}extra: *nowhere\n`, new RegExp(`:${lineCount(valid)}: YAML alias error: Unresolved alias`)],
      [breakText(valid, { kind: 'aliasBomb', at: 0, depth: 1 }), /:2: YAML alias error: Excessive alias count/],
    ];
    const circular = (perturbations: string) => `name: s
benchmark: { format: csv, path: b.csv, fields: { question: q, choices: [a, b], answer: x } }
models: [{ name: m, backend: sim, ability: 0.5 }]
conditions: [{ name: c, scoring: symbol, perturbations: ${perturbations} }]
baseline: c@rot0
`;
    cases.push(
      [
        circular('[circular, reverse, circular]'),
        /: conditions\.0\.perturbations\.2: a chain can hold "circular" only once/,
      ],
      [circular('[{ circular: { n: 3000000 } }]'), /: conditions\.0\.perturbations\.0\.circular\.n: .*at most 26/],
      [
        circular('[{ circular: { n: 9007199254740991 } }]'),
        /: conditions\.0\.perturbations\.0\.circular\.n: .*at most 26/,
      ],
    );
    for (const [text, message] of cases) {
      const file = writeStudy(text);
      assert.throws(
        () => loadStudy(file),
        (err: unknown) => err instanceof UserError && err.message.startsWith(file) && message.test(err.message),
      );
    }
    assert.equal(loadStudy(writeStudy(circular('[{ circular: { n: 26 } }]'))).conditions.length, 26);
  });
});

// ---------------------------------------------------------------------------------------------
// Benchmark files
// ---------------------------------------------------------------------------------------------

/** Cell text: plain, unicode, CSV/JSON specials (quotes, commas, newlines, NUL, BOM), sometimes huge. */
const cellText = fc
  .oneof(
    {
      weight: 30,
      arbitrary: fc.string({ unit: fc.constantFrom(..."abcxyzABCXYZ0189 ?.()'"), minLength: 1, maxLength: 10 }),
    },
    { weight: 10, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 8 }) },
    {
      weight: 10,
      arbitrary: fc
        .array(
          fc.constantFrom(
            'a',
            'Z',
            ',',
            '"',
            '""',
            '\n',
            ' ',
            '\0',
            '\ufeff',
            'é',
            '😀',
            '\t',
            '\\',
            '{',
            '[',
            ']',
            '\u2028',
            '\ud83d',
          ),
          { minLength: 1, maxLength: 8 },
        )
        .map((p) => p.join('')),
    },
    { weight: 1, arbitrary: fc.integer({ min: 2_000, max: 300_000 }).map((n) => `${'x'.repeat(n)}!`) },
  )
  // Text begins with no BOM (a leading BOM is the file's, and the decoder drops it) and holds no lone CR.
  .map((s) => s.replace(/\r/g, '').replace(/^\ufeff+/, ''))
  .filter((s) => s.trim() !== '');

interface RowData {
  question: string;
  choices: string[];
  answer: number;
  id: string;
  subject: string;
}

const rowId = fc.string({ unit: fc.constantFrom(...'abc0123'), minLength: 1, maxLength: 3 });

const rowData = (nChoices: number) =>
  fc
    .record({
      question: cellText,
      choices: fc.uniqueArray(cellText, { minLength: nChoices, maxLength: nChoices, selector: (c) => c.trim() }),
      answer: fc.nat(nChoices - 1),
      id: rowId,
      subject: fc.oneof(ident, fc.constant('')),
    })
    // Decoding turns a lone surrogate into U+FFFD; keep the expectation in the decoded form.
    .map((r) => ({ ...r, question: wellFormed(r.question), choices: r.choices.map(wellFormed) }))
    .filter((r) => new Set(r.choices.map((c) => c.trim())).size === r.choices.length);

function wellFormed(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

const BAD_KINDS = [
  'emptyQuestion',
  'emptyChoice',
  'badAnswer',
  'invalidUtf8',
  'missingColumn',
  'extraColumn',
  'afterQuote',
  'unterminated',
  'dupId',
  'emptyId',
  'spaceLine',
  'brokenJson',
  'notObject',
  'missingField',
  'wrongType',
  'fewChoices',
  'rawControl',
  'badChoicesJson',
] as const;
type BadKind = (typeof BAD_KINDS)[number];

interface RowPlan {
  data: RowData;
  bad?: BadKind;
  variant: number;
  /** Blank lines written before the row. */
  blanks: number;
  quoteMask: number;
}

/** Arbitraries are built once per shape: building them inside `chain` for every file is slow. */
const rowPlans = new Map<string, fc.Arbitrary<RowPlan>>();
const rowPlan = (nChoices: number, kinds: readonly BadKind[]): fc.Arbitrary<RowPlan> => {
  const key = `${nChoices}/${kinds.join()}`;
  if (!rowPlans.has(key)) rowPlans.set(key, makeRowPlan(nChoices, kinds));
  return rowPlans.get(key)!;
};

const makeRowPlan = (nChoices: number, kinds: readonly BadKind[]) =>
  fc.record({
    data: rowData(nChoices),
    bad: fc.option(fc.constantFrom(...kinds), { nil: undefined, freq: 3 }),
    variant: fc.nat(),
    blanks: fc.oneof(
      { weight: 5, arbitrary: fc.constant(0) },
      { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 }) },
    ),
    quoteMask: fc.nat(),
  });

/** Where each field of a row goes: CSV columns (by header name or position) or JSONL keys. */
interface Layout {
  format: 'mmlu' | 'csv' | 'jsonl';
  header: boolean;
  answerFormat: 'index' | 'letter' | 'text';
  nChoices: number;
  /** One field holding all choices (a JSON array; in CSV a JSON array in one cell), or one field each. */
  choicesInOne: boolean;
  question: string;
  choices: string[];
  answer: string;
  id?: string;
  subject?: string;
  /** CSV column order (names), including unused columns. */
  columns: string[];
}

/** The fields a layout maps, as named in the file. */
const referenced = (l: Layout) => [
  l.question,
  ...l.choices,
  l.answer,
  ...(l.id ? [l.id] : []),
  ...(l.subject ? [l.subject] : []),
];

const NAME_POOL = [
  'q',
  'question',
  'A',
  'B',
  'C',
  'D',
  'E',
  'answer',
  'label',
  'id',
  'subject',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  'a b',
  'x,y',
  'é',
  'x.y',
  '0',
];

const layoutArb = (format: 'csv' | 'jsonl'): fc.Arbitrary<Layout> =>
  fc
    .record({
      header: format === 'csv' ? fc.boolean() : fc.constant(true),
      answerFormat: fc.constantFrom('index', 'letter', 'text'),
      nChoices: fc.integer({ min: 2, max: 5 }),
      choicesInOne: fc.boolean(),
      withId: fc.boolean(),
      withSubject: fc.boolean(),
      unused: fc.nat(2),
      names: fc.shuffledSubarray(NAME_POOL, { minLength: NAME_POOL.length, maxLength: NAME_POOL.length }),
      order: fc.array(fc.double({ noNaN: true }), { minLength: 12, maxLength: 12 }),
    })
    .map((r): Layout => {
      const names = [...r.names];
      const take = () => names.pop()!;
      const layout: Layout = {
        format,
        header: r.header,
        answerFormat: r.answerFormat as Layout['answerFormat'],
        nChoices: r.nChoices,
        choicesInOne: r.choicesInOne,
        question: take(),
        choices: r.choicesInOne ? [take()] : Array.from({ length: r.nChoices }, take),
        answer: take(),
        columns: [],
      };
      if (r.withId) layout.id = take();
      if (r.withSubject) layout.subject = take();
      const all = [...referenced(layout), ...Array.from({ length: r.unused }, take)];
      layout.columns = all
        .map((n, k) => [n, r.order[k]] as const)
        .sort((a, b) => a[1] - b[1])
        .map(([n]) => n);
      if (format === 'csv' && !r.header) {
        // Without a header, fields name columns by position.
        const pos = (n: string) => String(layout.columns.indexOf(n));
        layout.question = pos(layout.question);
        layout.choices = layout.choices.map(pos);
        layout.answer = pos(layout.answer);
        if (layout.id) layout.id = pos(layout.id);
        if (layout.subject) layout.subject = pos(layout.subject);
        layout.columns = layout.columns.map((_, k) => String(k));
      }
      return layout;
    });

const MMLU_LAYOUT: Layout = {
  format: 'mmlu',
  header: false,
  answerFormat: 'letter',
  nChoices: 4,
  choicesInOne: false,
  question: 'q',
  choices: ['a', 'b', 'c', 'd'],
  answer: 'ans',
  columns: ['q', 'a', 'b', 'c', 'd', 'ans'],
};

const BAD_BYTES = [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80]];

function csvCell(value: string, quote: boolean): string {
  return quote || /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

const letter = (k: number) => String.fromCharCode(65 + k);

/** The answer as the row writes it, in its valid form. */
function answerCell(layout: Layout, d: RowData, variant: number): unknown {
  if (layout.format === 'mmlu') return [letter(d.answer), ` ${letter(d.answer)} `][variant % 2];
  switch (layout.answerFormat) {
    case 'index':
      return [d.answer, String(d.answer), ` ${d.answer} `, `0${d.answer}`][variant % 4];
    case 'letter':
      return [letter(d.answer), letter(d.answer).toLowerCase(), ` ${letter(d.answer)}\t`][variant % 3];
    case 'text':
      return d.choices[d.answer];
  }
}

function badAnswer(layout: Layout, d: RowData, variant: number): unknown {
  const n = d.choices.length;
  if (layout.format === 'mmlu') return ['E', 'a', 'AB', '1', '', 'A.'][variant % 6];
  switch (layout.answerFormat) {
    case 'index':
      return [n, -1, '1.5', 'x', '', 99_999_999_999, 1.5][variant % 7];
    case 'letter':
      return [letter(n), 'AB', '1', '', '?', 'Ä'][variant % 6];
    case 'text':
      return ['\u0007none of them', '', layout.format === 'jsonl' ? null : '\u0007\u0007'][variant % 3];
  }
}

/** Field values of a row, keyed by layout name (JSON values; CSV cells are their text). */
function rowValues(layout: Layout, d: RowData, p: RowPlan): Map<string, unknown> {
  const v = new Map<string, unknown>();
  const numeric = (s: string) => (p.variant % 3 === 0 && /^-?[1-9]\d{0,5}$/.test(s) ? Number(s) : s);
  v.set(layout.question, layout.format === 'jsonl' ? numeric(d.question) : d.question);
  if (layout.choicesInOne) {
    const list: unknown[] = d.choices.map((c) => (layout.format === 'jsonl' ? numeric(c) : c));
    v.set(layout.choices[0], layout.format === 'jsonl' && p.variant % 5 !== 1 ? list : JSON.stringify(list));
  } else layout.choices.forEach((name, k) => v.set(name, d.choices[k]));
  v.set(layout.answer, answerCell(layout, d, p.variant));
  if (layout.id) v.set(layout.id, layout.format === 'jsonl' ? numeric(d.id) : d.id);
  if (layout.subject) v.set(layout.subject, d.subject);
  for (const name of layout.columns) if (!v.has(name)) v.set(name, 'unused');
  return v;
}

/** A rendered row: its text (bytes where invalid UTF-8 is wanted) and what loading it should give. */
interface Rendered {
  text: string;
  /** Invalid bytes to put right after the row's first character. */
  badBytes?: number[];
  /** Whether the row is a good item when rows are expected to have `width` columns (JSONL: any). */
  goodAt: (width: number) => boolean;
  /** CSV fields count when the row parses as valid UTF-8; undefined otherwise. */
  width?: number;
  /** An unterminated quote: what follows may be read differently. */
  unterminated: boolean;
  /** Duplicate-able id (as loaded) when the row is otherwise good. */
  id?: string;
  expected: Item;
}

function render(layout: Layout, p: RowPlan, previousIds: string[]): Rendered {
  const d = { ...p.data };
  const values = rowValues(layout, d, p);
  let bad = p.bad;
  // Some mistakes mean nothing for a format; the row is then written as valid.
  const jsonOnly: BadKind[] = ['brokenJson', 'notObject', 'missingField', 'wrongType', 'rawControl'];
  const csvOnly: BadKind[] = ['missingColumn', 'extraColumn', 'afterQuote', 'unterminated', 'spaceLine'];
  if (bad && layout.format === 'jsonl' && csvOnly.includes(bad)) bad = undefined;
  if (bad && layout.format !== 'jsonl' && jsonOnly.includes(bad)) bad = undefined;
  if (bad && (bad === 'dupId' || bad === 'emptyId') && !layout.id) bad = undefined;
  if (bad && (bad === 'fewChoices' || bad === 'badChoicesJson') && !layout.choicesInOne) bad = undefined;
  if (bad === 'dupId' && previousIds.length === 0) bad = undefined;

  let id = layout.id ? d.id : undefined;
  switch (bad) {
    case 'emptyQuestion':
      values.set(layout.question, ['', '  ', '\t', '\ufeff'][p.variant % 4]);
      break;
    case 'emptyChoice': {
      const k = p.variant % d.choices.length;
      const empty = ['', ' ', ' \t '][p.variant % 3];
      if (layout.choicesInOne) {
        const list = d.choices.map((c, j) => (j === k ? empty : c));
        values.set(layout.choices[0], layout.format === 'jsonl' ? list : JSON.stringify(list));
      } else values.set(layout.choices[k], empty);
      break;
    }
    case 'badAnswer':
      values.set(layout.answer, badAnswer(layout, d, p.variant));
      break;
    case 'dupId':
      id = previousIds[p.variant % previousIds.length];
      values.set(layout.id!, id);
      break;
    case 'emptyId':
      values.set(layout.id!, ['', '  '][p.variant % 2]);
      break;
    case 'missingField':
      values.delete([layout.question, layout.answer, layout.choices[0]][p.variant % 3]);
      break;
    case 'wrongType':
      values.set(
        [layout.question, layout.answer, layout.choices[0]][p.variant % 3],
        [null, true, {}, [[1]]][p.variant % 4],
      );
      break;
    case 'fewChoices': {
      const list = d.choices.slice(0, p.variant % 2);
      values.set(layout.choices[0], layout.format === 'jsonl' ? list : JSON.stringify(list));
      break;
    }
    case 'badChoicesJson':
      values.set(layout.choices[0], ['[1, 2', 'a, b', '{"a": 1}', '[null, "x"]', '[["x"], "y"]'][p.variant % 5]);
      break;
    default:
      break;
  }
  const expected: Item = { id: id ?? '', question: d.question, choices: d.choices, answer: d.answer };
  if (layout.subject) expected.subject = d.subject;
  if (layout.format === 'mmlu') expected.subject = 'fz';
  const normal = layout.columns.length;
  const contentGood = bad === undefined || bad === 'dupId';
  const base = {
    goodAt: (w: number) => contentGood && (layout.format === 'jsonl' || w === normal),
    unterminated: false,
    expected,
    id,
  };

  if (layout.format === 'jsonl') {
    let text = `{${[...values].map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;
    if (bad === 'brokenJson') text = text.slice(0, 1 + (p.variant % (text.length - 1)));
    if (bad === 'notObject') text = ['[1, 2]', '"text"', '42', 'null', '[{"q": 1}]'][p.variant % 5];
    if (bad === 'rawControl')
      text = `${text.slice(0, 2)}${['\u0001', '\t', '\0', '\u001f'][p.variant % 4]}${text.slice(2)}`;
    return { ...base, text, badBytes: bad === 'invalidUtf8' ? BAD_BYTES[p.variant % BAD_BYTES.length] : undefined };
  }

  const cells = layout.columns.map((name, k) =>
    csvCell(String(values.get(name) ?? ''), ((p.quoteMask >> k) & 1) === 1),
  );
  if (bad === 'missingColumn') cells.pop();
  if (bad === 'extraColumn') cells.push(csvCell(['extra', '', 'x,y'][p.variant % 3], false));
  if (bad === 'afterQuote')
    cells[0] = `${csvCell(String(values.get(layout.columns[0]) ?? ''), true)}${['x', ' ', 'x"'][p.variant % 3]}`;
  if (bad === 'unterminated') cells[0] = `"${String(values.get(layout.columns[0]) ?? '').replace(/["\n]/g, '')}`;
  if (bad === 'spaceLine') cells.splice(0, cells.length, ' ');
  const width = bad === 'afterQuote' || bad === 'unterminated' || bad === 'invalidUtf8' ? undefined : cells.length;
  // Headerless CSV takes the width of its first row: a short or long first row makes its like good.
  const lastUnused = !referenced(layout).includes(layout.columns[layout.columns.length - 1]);
  const goodAt =
    bad === 'extraColumn'
      ? (w: number) => w === normal + 1
      : bad === 'missingColumn'
        ? (w: number) => w === normal - 1 && lastUnused
        : base.goodAt;
  return {
    ...base,
    goodAt,
    text: cells.join(','),
    badBytes: bad === 'invalidUtf8' ? BAD_BYTES[p.variant % BAD_BYTES.length] : undefined,
    width,
    unterminated: bad === 'unterminated',
  };
}

interface FilePlan {
  layout: Layout;
  rows: RowPlan[];
  bom: boolean;
  crlf: boolean;
  finalNewline: boolean;
  leadingBlanks: number;
  headerFault?: 'missing' | 'duplicate' | 'invalidUtf8' | 'quote';
}

/** The file's bytes and, for every row, its first line and fate. */
interface Built {
  bytes: Buffer;
  headerLine?: number;
  rows: (Rendered & { line: number })[];
}

function build(plan: FilePlan): Built {
  const { layout } = plan;
  const pieces: Buffer[] = [];
  let line = 1;
  const put = (text: string, badBytes?: number[]) => {
    const t = plan.crlf ? text.replace(/\n/g, '\r\n') : text;
    if (badBytes) {
      const first = String.fromCodePoint(t.codePointAt(0)!);
      pieces.push(Buffer.from(first), Buffer.from(badBytes), Buffer.from(t.slice(first.length)));
    } else pieces.push(Buffer.from(t));
    line += (text.match(/\n/g) ?? []).length;
  };
  if (plan.bom) pieces.push(Buffer.from('\ufeff'));
  for (let k = 0; k < plan.leadingBlanks; k++) put('\n');
  let headerLine: number | undefined;
  if (layout.format === 'csv' && layout.header) {
    headerLine = line;
    const names = [...layout.columns];
    if (plan.headerFault === 'missing') names[names.indexOf(layout.question)] = 'not-a-field';
    if (plan.headerFault === 'duplicate') names.push(layout.answer);
    let text = names.map((n) => csvCell(n, false)).join(',');
    if (plan.headerFault === 'quote') text = `"${text.replace(/"/g, '')}`;
    put(text, plan.headerFault === 'invalidUtf8' ? [0xff] : undefined);
    put('\n');
  }
  const rows: Built['rows'] = [];
  const ids: string[] = [];
  plan.rows.forEach((p, k) => {
    for (let b = 0; b < p.blanks; b++) put('\n');
    const r = render(layout, p, ids);
    if (r.id !== undefined) ids.push(r.id);
    rows.push({ ...r, line });
    put(r.text, r.badBytes);
    if (k < plan.rows.length - 1 || plan.finalNewline) put('\n');
  });
  return { bytes: Buffer.concat(pieces), headerLine, rows };
}

/** What a correct loader gives for a plan. */
interface Expectation {
  headerError?: number;
  /** Rows whose fate is known, in file order. */
  certain: { line: number; good: boolean; expected: Item; record: number }[];
  /** First line from which rows may be read otherwise (an unterminated quote). */
  uncertainFrom?: number;
  empty: boolean;
}

function expect(plan: FilePlan, built: Built): Expectation {
  const { layout } = plan;
  if (built.headerLine === undefined && built.rows.every((r) => !r.badBytes && r.text.trim() === ''))
    return { certain: [], empty: true };
  if (built.headerLine !== undefined && plan.headerFault)
    return { certain: [], headerError: built.headerLine, empty: false };
  const normal = layout.columns.length;
  // Headerless CSV: the first row that parses sets the width (rows before an unterminated quote are all
  // unreadable when none parses, so any width gives them the same fate).
  const width =
    layout.format === 'csv' && !layout.header
      ? (built.rows.find((r) => r.width !== undefined)?.width ?? normal)
      : normal;
  const certain: Expectation['certain'] = [];
  const seen = new Set<string>();
  let uncertainFrom: number | undefined;
  for (const [record, r] of built.rows.entries()) {
    // An opening quote without its closing one runs on to the next quote in the file, where it may even
    // close into a well-formed record: from there on, rows may be read otherwise. Without a later quote,
    // the row is bad and reading resumes on the next line.
    if (
      r.unterminated &&
      [r.text.slice(1), ...built.rows.slice(record + 1).map((n) => n.text)].some((t) => t.includes('"'))
    ) {
      uncertainFrom = r.line;
      break;
    }
    let good = r.goodAt(width) && (r.width === undefined || r.width === width || layout.format === 'jsonl');
    if (good && r.id !== undefined) {
      if (seen.has(r.id)) good = false;
      else seen.add(r.id);
    }
    certain.push({ line: r.line, good, expected: r.expected, record });
  }
  return { certain, uncertainFrom, empty: false };
}

const sameItem = (a: Item, b: Item, withId: boolean) =>
  a.question === b.question &&
  a.answer === b.answer &&
  a.choices.length === b.choices.length &&
  a.choices.every((c, k) => c === b.choices[k]) &&
  a.subject === b.subject &&
  (!withId || a.id === b.id);

function assertWellFormed(items: Item[]): void {
  const ids = new Set<string>();
  for (const item of items) {
    assert.ok(!ids.has(item.id), `duplicate id ${item.id}`);
    ids.add(item.id);
    assert.ok(item.question.trim() !== '', 'non-empty question');
    assert.ok(item.choices.length >= 2, 'at least 2 choices');
    for (const c of item.choices) assert.ok(c.trim() !== '', 'non-empty choice');
    assert.ok(
      Number.isInteger(item.answer) && item.answer >= 0 && item.answer < item.choices.length,
      `answer ${item.answer} within ${item.choices.length} choices`,
    );
  }
}

const csvPlan = (layout: fc.Arbitrary<Layout>, kinds: readonly BadKind[]) =>
  layout.chain((l) =>
    fc.record({
      layout: fc.constant(l),
      rows: fc.array(rowPlan(l.nChoices, kinds), { maxLength: 8 }),
      bom: fc.boolean(),
      crlf: fc.boolean(),
      finalNewline: fc.boolean(),
      leadingBlanks: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.nat(2) }),
      headerFault: fc.option(fc.constantFrom('missing', 'duplicate', 'invalidUtf8', 'quote'), {
        nil: undefined,
        freq: 12,
      }),
    }),
  ) as fc.Arbitrary<FilePlan>;

interface Tally {
  runs: number;
  loaded: number;
  rejected: number;
  skippedRows: number;
}

/**
 * Load a planned file under onBadRow error and skip and compare with the expectation: every good
 * row loads unchanged and in order, every bad row is refused at its own line, nothing else is read.
 */
async function checkPlan(dir: string, plan: FilePlan, tally: Tally): Promise<void> {
  const { layout } = plan;
  const built = build(plan);
  const exp = expect(plan, built);
  const file =
    layout.format === 'mmlu' ? path.join(dir, 'mmlu', 'test', 'fz_test.csv') : path.join(dir, `bench.${layout.format}`);
  const specFor = (onBadRow: 'error' | 'skip') => {
    if (layout.format === 'mmlu') return parseBenchmarkSpec({ format: 'mmlu', path: path.join(dir, 'mmlu'), onBadRow });
    const fields = {
      question: layout.question,
      choices: layout.choicesInOne ? layout.choices[0] : layout.choices,
      answer: layout.answer,
      ...(layout.id ? { id: layout.id } : {}),
      ...(layout.subject ? { subject: layout.subject } : {}),
    };
    return parseBenchmarkSpec({
      format: layout.format,
      path: file,
      fields,
      answerFormat: layout.answerFormat,
      onBadRow,
      ...(layout.format === 'csv' ? { header: layout.header } : {}),
    });
  };
  rewrite(file, built.bytes);
  tally.runs++;

  const goods = exp.certain.filter((r) => r.good);
  const bads = exp.certain.filter((r) => !r.good);
  const locate = (err: unknown): UserError => {
    if (!(err instanceof UserError)) throw err;
    assert.ok(err.message.startsWith(err.where ?? '\0'), 'the message starts with where it happened');
    assert.ok(err.where === file || err.where?.startsWith(`${file}:`), `names ${file}: ${err.message}`);
    return err;
  };

  for (const onBadRow of ['error', 'skip'] as const) {
    let loaded;
    try {
      loaded = await loadBenchmark(specFor(onBadRow), { baseDir: dir });
    } catch (e) {
      const err = locate(e);
      tally.rejected++;
      if (exp.empty) assert.equal(err.where, file, err.message);
      else if (exp.headerError !== undefined) assert.equal(err.where, `${file}:${exp.headerError}`, err.message);
      else if (onBadRow === 'error' && bads.length > 0) assert.equal(err.where, `${file}:${bads[0].line}`, err.message);
      else {
        const line = /:(\d+)$/.exec(err.where ?? '')?.[1];
        if (line !== undefined) {
          // In error mode, only a row read otherwise after an unterminated quote may be refused here.
          assert.ok(exp.uncertainFrom !== undefined && Number(line) >= exp.uncertainFrom, err.message);
        } else {
          // Nothing loadable (every row bad, or no data rows): there is no single line to name.
          assert.equal(goods.length, 0, `${goods.length} good rows, yet: ${err.message}`);
        }
      }
      continue;
    }
    tally.loaded++;
    assert.ok(!exp.empty && exp.headerError === undefined, 'an empty file or a bad header must not load');
    if (onBadRow === 'error') assert.equal(bads.length, 0, `bad row at line ${bads[0]?.line} was accepted`);
    const items = loaded.items;
    assertWellFormed(items);
    // Every good row, unchanged and in order; anything else only after an unterminated quote.
    let k = 0;
    for (const g of goods) {
      while (k < items.length && !sameItem(items[k], g.expected, layout.id !== undefined)) {
        assert.ok(exp.uncertainFrom !== undefined, `unexpected item ${JSON.stringify(items[k]).slice(0, 200)}`);
        k++;
      }
      assert.ok(k < items.length, `the row at line ${g.line} did not load`);
      if (exp.uncertainFrom === undefined) {
        const id = layout.format === 'mmlu' ? `fz/test/${g.record}` : layout.id ? g.expected.id : `bench/${g.record}`;
        assert.equal(items[k].id, id);
      }
      k++;
    }
    if (exp.uncertainFrom === undefined) assert.equal(items.length, goods.length, 'no item beyond the good rows');
    // Every bad row is reported at its line; other reports only where reading became uncertain.
    const skipped = loaded.skipped.filter((s) => s.file === file).map((s) => s.line);
    tally.skippedRows += skipped.length;
    for (const b of bads)
      assert.ok(skipped.includes(b.line), `bad row at line ${b.line} is reported; skipped: ${skipped.join(', ')}`);
    for (const line of skipped) {
      assert.ok(
        bads.some((b) => b.line === line) || (exp.uncertainFrom !== undefined && line >= exp.uncertainFrom),
        `line ${line} reported as bad`,
      );
    }
  }
}

/** A fresh folder holding an MMLU layout whose one subject, fz, has a valid dev split. */
function benchDir(name: string): string {
  const dir = fs.mkdtempSync(path.join(root, `${name}-`));
  fs.mkdirSync(path.join(dir, 'mmlu', 'test'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'mmlu', 'dev'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'mmlu', 'dev', 'fz_dev.csv'), 'Shot?,a,b,c,d,A\n');
  return dir;
}

async function fuzzFormat(
  t: { diagnostic: (m: string) => void },
  name: string,
  plans: fc.Arbitrary<FilePlan>,
  seed: number,
  numRuns: number,
): Promise<void> {
  const dir = benchDir(name);
  const tally: Tally = { runs: 0, loaded: 0, rejected: 0, skippedRows: 0 };
  await fc.assert(
    fc.asyncProperty(plans, (plan) => checkPlan(dir, plan, tally)),
    { seed, numRuns, includeErrorInReport: true },
  );
  assert.ok(
    tally.loaded > numRuns / 4 && tally.rejected > numRuns / 4 && tally.skippedRows > numRuns / 4,
    JSON.stringify(tally),
  );
  t.diagnostic(
    `${name}: ${tally.runs} files, each loaded with onBadRow error and skip: ${tally.loaded} loads, ${tally.rejected} UserErrors, ${tally.skippedRows} bad rows skipped`,
  );
}

const CSV_KINDS = BAD_KINDS.filter(
  (k) => !['brokenJson', 'notObject', 'missingField', 'wrongType', 'rawControl'].includes(k),
);
const JSONL_KINDS = BAD_KINDS.filter(
  (k) => !['missingColumn', 'extraColumn', 'afterQuote', 'unterminated', 'spaceLine'].includes(k),
);

describe('benchmark loaders', () => {
  it('regressions: rows are reported in file order, and text after a closing quote does not split its row', async () => {
    const dir = benchDir('regress');
    // The multi-line cell after the broken one used to come back as a row of its own ("Q2").
    fs.writeFileSync(
      path.join(dir, 'mmlu', 'test', 'fz_test.csv'),
      'Good?,1,2,3,4,B\n"Stray quote"x,1,"two\nQ2,c2,d2",3,4,A\nAlso good?,1,2,3,4,C\n',
    );
    const mmlu = await loadBenchmark(
      parseBenchmarkSpec({ format: 'mmlu', path: path.join(dir, 'mmlu'), onBadRow: 'skip' }),
      { baseDir: dir },
    );
    assert.deepEqual(
      mmlu.items.map((i) => i.question),
      ['Good?', 'Also good?'],
    );
    assert.deepEqual(
      mmlu.skipped.map((s) => [s.line, s.reason]),
      [[2, 'unexpected text after a closing quote']],
    );
    // Unreadable rows used to be reported before every other bad row, whatever their line.
    fs.writeFileSync(
      path.join(dir, 'b.jsonl'),
      '{"q": "", "c": ["a", "b"], "a": 0}\n{"q": "Q", "c": ["a", "b"], "a": 0\n',
    );
    const jsonl = parseBenchmarkSpec({
      format: 'jsonl',
      path: path.join(dir, 'b.jsonl'),
      fields: { question: 'q', choices: 'c', answer: 'a' },
    });
    await assert.rejects(
      loadBenchmark(jsonl, { baseDir: dir }),
      (e: unknown) =>
        e instanceof UserError && e.where === `${path.join(dir, 'b.jsonl')}:1` && /empty question/.test(e.message),
    );
    fs.writeFileSync(path.join(dir, 'b.csv'), 'q,a,b,x\nQ,1,2,E\nQ,1,2\n');
    const csv = parseBenchmarkSpec({
      format: 'csv',
      path: path.join(dir, 'b.csv'),
      answerFormat: 'letter',
      fields: { question: 'q', choices: ['a', 'b'], answer: 'x' },
    });
    await assert.rejects(
      loadBenchmark(csv, { baseDir: dir }),
      (e: unknown) =>
        e instanceof UserError && e.where === `${path.join(dir, 'b.csv')}:2` && /not one of A-B/.test(e.message),
    );
  });

  it('MMLU layout CSV: good rows load, bad rows are refused at file:line', async (t) => {
    const plans = csvPlan(
      fc.constant(MMLU_LAYOUT),
      CSV_KINDS.filter((k) => !['dupId', 'emptyId', 'fewChoices', 'badChoicesJson'].includes(k)),
    );
    await fuzzFormat(t, 'mmlu', plans, 0xbe7c01, 200);
  });

  it('generic CSV with a field mapping (with and without header)', async (t) => {
    await fuzzFormat(t, 'csv', csvPlan(layoutArb('csv'), CSV_KINDS), 0xbe7c02, 250);
  });

  it('generic JSONL with a field mapping', async (t) => {
    await fuzzFormat(t, 'jsonl', csvPlan(layoutArb('jsonl'), JSONL_KINDS), 0xbe7c03, 250);
  });

  it('arbitrary bytes: a load of well-formed items or a UserError at file or file:line', async (t) => {
    const dir = benchDir('bytes');
    const specs = [
      { format: 'mmlu', path: 'mmlu' },
      { format: 'csv', path: 'data.csv', header: false, fields: { question: '0', choices: ['1', '2'], answer: '3' } },
      {
        format: 'csv',
        path: 'data.csv',
        answerFormat: 'letter',
        fields: { question: 'q', choices: ['a', 'b'], answer: 'x' },
      },
      {
        format: 'jsonl',
        path: 'data.jsonl',
        answerFormat: 'text',
        fields: { id: 'id', question: 'q', choices: 'c', answer: 'a' },
      },
      { format: 'gauntlet', path: 'data.jsonl' },
    ].flatMap((s) => (['error', 'skip'] as const).map((onBadRow) => parseBenchmarkSpec({ ...s, onBadRow })));
    const piece = fc.constantFrom(
      '"',
      '""',
      ',',
      '\n',
      '\r\n',
      '\r',
      ' ',
      '\ufeff',
      '\0',
      'q',
      'a',
      'b',
      'x',
      'A',
      'B',
      'E',
      '0',
      '1',
      '-1',
      '{',
      '}',
      '[',
      ']',
      ':',
      '"q"',
      '"a"',
      '"c"',
      '"id"',
      '"query"',
      '"choices"',
      '"gold"',
      'null',
      '\\',
      'é',
      '\ud83d',
      '\udc00',
    );
    const content = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.array(piece, { maxLength: 80 }).map((p) => p.join('')),
      fc
        .array(
          fc.oneof(
            fc.constant('q,a,b,x\nQ?,yes,no,A\n'),
            fc.constant('{"id":1,"q":"Q","c":["y","n"],"a":"y"}\n'),
            fc.constant('{"query":"Q","choices":["y","n"],"gold":1}\n'),
            piece,
          ),
          { maxLength: 12 },
        )
        .map((p) => p.join('')),
    );
    const files = [
      path.join(dir, 'data.csv'),
      path.join(dir, 'data.jsonl'),
      path.join(dir, 'mmlu', 'test', 'fz_test.csv'),
    ];
    const tally = { runs: 0, loaded: 0, rejected: 0 };
    await fc.assert(
      fc.asyncProperty(content, async (data) => {
        tally.runs++;
        for (const f of files) rewrite(f, data);
        const lines = fs.readFileSync(files[0]).toString('latin1').split('\n').length;
        for (const spec of specs) {
          try {
            const b = await loadBenchmark(spec, { baseDir: dir });
            tally.loaded++;
            assertWellFormed(b.items);
            if (spec.onBadRow === 'error') assert.deepEqual(b.skipped, []);
            for (const s of b.skipped) assert.ok(s.line >= 1 && s.line <= lines, `skipped line ${s.line} of ${lines}`);
          } catch (err) {
            if (!(err instanceof UserError)) throw err;
            tally.rejected++;
            const m = /^(.*?)(?::(\d+))?$/.exec(err.where ?? '')!;
            assert.ok(files.includes(m[1]), `names the file: ${err.message}`);
            if (m[2] !== undefined) assert.ok(Number(m[2]) >= 1 && Number(m[2]) <= lines, `line ${m[2]} of ${lines}`);
          }
        }
      }),
      { seed: 0xbe7c04, numRuns: 200, includeErrorInReport: true },
    );
    assert.ok(tally.loaded > 0 && tally.rejected > 0, JSON.stringify(tally));
    t.diagnostic(
      `${tally.runs} arbitrary files x ${specs.length} specs: ${tally.loaded} loads, ${tally.rejected} UserErrors`,
    );
  });
});
