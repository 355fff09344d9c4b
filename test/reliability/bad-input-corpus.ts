import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SCHEMA_VERSION, SqliteStore } from '../../src/store/sqlite.js';
import { sharedDir } from '../helpers.js';

/**
 * Bad inputs a user can give goodhart: each case writes its files into a fresh folder and names
 * the command line; the CLI must exit with `exit`, print as its first line `goodhart: ` (or
 * commander's `error: `) with `place` and `cause`, no stack trace, and leave the folder exactly as
 * it was (nothing damaged, no empty store or output folder made).
 */
export interface BadInput {
  area: 'study' | 'benchmark' | 'model' | 'store' | 'output' | 'cli';
  name: string;
  /** Writes the case's files into `dir`; returns the arguments after `goodhart`. */
  setup(dir: string): string[];
  exit?: number;
  /** Run as the unprivileged user `nobody` (permission cases: root may write anywhere). */
  asNobody?: boolean;
  place: string | RegExp | ((dir: string) => string);
  cause: RegExp;
}

const model = () => path.join(sharedDir(), 'models', 'stories260K.gguf');
const CSV = 'question,a,b,c,d,answer\nWhat is 2+2?,3,4,5,6,B\nWhat is 3+3?,5,6,7,8,B\n';
const BENCHMARK = `benchmark:\n  format: csv\n  path: bench.csv\n  fields: { question: question, choices: [a, b, c, d], answer: answer }\n  answerFormat: letter\n`;
const MODELS = () => `models:\n  - name: stories\n    path: ${model()}\n`;
const CONDITIONS = 'conditions:\n  - { name: base, scoring: symbol }\nbaseline: base\n';

/** A study (study.yaml, bench.csv) with parts replaced; returns `run study.yaml --store … --out …` in `dir`. */
function study(
  dir: string,
  parts: { head?: string; benchmark?: string; models?: string; conditions?: string; csv?: string | Buffer } = {},
  extra: string[] = [],
): string[] {
  fs.writeFileSync(path.join(dir, 'bench.csv'), parts.csv ?? CSV);
  fs.writeFileSync(
    path.join(dir, 'study.yaml'),
    `${parts.head ?? 'name: bad\n'}${parts.benchmark ?? BENCHMARK}${parts.models ?? MODELS()}${parts.conditions ?? CONDITIONS}`,
  );
  return [
    'run',
    path.join(dir, 'study.yaml'),
    '--store',
    path.join(dir, 'store.sqlite'),
    '--out',
    path.join(dir, 'out'),
    '-q',
    ...extra,
  ];
}
const runWith = (dir: string, flag: string, value: string) => {
  const args = study(dir);
  args[args.indexOf(flag) + 1] = value;
  return args;
};
const inDir = (name: string) => (dir: string) => path.join(dir, name);

/** A real store with some results, for the damaged-store cases. */
function storeWithResults(file: string): void {
  const store = new SqliteStore(file);
  for (let i = 0; i < 3000; i++)
    store.put('m', `key${i}`, { kind: 'loglikelihood', logprob: -i - 1, tokens: 1, greedy: false });
  store.close();
}

const S = 'study.yaml';
const BAD_UTF8 = Buffer.concat([Buffer.from(CSV + 'Q,1,2,'), Buffer.from([0xff, 0xfe]), Buffer.from(',4,A\n')]);

export const BAD_INPUTS: BadInput[] = [
  // Study files
  {
    area: 'study',
    name: 'study file missing',
    setup: (d) => ['run', path.join(d, 'absent.yaml')],
    place: 'absent.yaml',
    cause: /cannot read the study file: ENOENT/,
  },
  {
    area: 'study',
    name: 'study path is a folder',
    setup: (d) => (fs.mkdirSync(path.join(d, 'x.yaml')), ['run', path.join(d, 'x.yaml')]),
    place: 'x.yaml',
    cause: /cannot read the study file: EISDIR/,
  },
  {
    area: 'study',
    name: 'YAML syntax error',
    setup: (d) => study(d, { head: 'name: bad\nseed: [1, 2\n' }),
    place: /study\.yaml:\d+:\d+/,
    cause: /YAML syntax error/,
  },
  {
    area: 'study',
    name: 'empty study file',
    setup: (d) => (fs.writeFileSync(path.join(d, S), ''), ['run', path.join(d, S)]),
    place: S,
    cause: /expected object/,
  },
  {
    area: 'study',
    name: 'misspelt top-level key, its missing key second',
    setup: (d) => study(d, { conditions: 'conditons:\n  - { name: base, scoring: symbol }\nbaseline: base\n' }),
    place: /conditons \(line 10\)/,
    cause: /unknown key; did you mean "conditions"\?/,
  },
  {
    area: 'study',
    name: 'misspelt model key',
    setup: (d) => study(d, { models: `models:\n  - name: stories\n    path: ${model()}\n    thread: 1\n` }),
    place: /models\.0\.thread \(line 10\)/,
    cause: /did you mean "threads"/,
  },
  {
    area: 'study',
    name: 'misspelt benchmark key',
    setup: (d) => study(d, { benchmark: BENCHMARK.replace('answerFormat', 'answerFromat') }),
    place: /benchmark\.answerFromat \(line 6\)/,
    cause: /did you mean "answerFormat"/,
  },
  {
    area: 'study',
    name: 'unknown key with no likely meaning',
    setup: (d) => study(d, { head: 'name: bad\nzzz: 1\n' }),
    place: /zzz \(line 2\)/,
    cause: /unknown key; known keys: /,
  },
  {
    area: 'study',
    name: 'a condition with neither scoring nor protocol',
    setup: (d) => study(d, { conditions: 'conditions:\n  - { name: base }\nbaseline: base\n' }),
    place: /conditions\.0\.scoring \(line 11\)/,
    cause: /give scoring \(symbol, hybrid, cloze or generate\) or a protocol/,
  },
  {
    area: 'study',
    name: 'benchmark path missing',
    setup: (d) => study(d, { benchmark: BENCHMARK.replace('  path: bench.csv\n', '') }),
    place: /benchmark\.path/,
    cause: /missing \(required in benchmark \(line 3\)\)/,
  },
  {
    area: 'study',
    name: 'baseline is not a condition',
    setup: (d) => study(d, { conditions: 'conditions:\n  - { name: base, scoring: symbol }\nbaseline: other\n' }),
    place: /study\.yaml: baseline/,
    cause: /baseline "other" is not a condition/,
  },
  {
    area: 'study',
    name: 'two conditions with one name',
    setup: (d) =>
      study(d, {
        conditions:
          'conditions:\n  - { name: base, scoring: symbol }\n  - { name: base, scoring: cloze }\nbaseline: base\n',
      }),
    place: /study\.yaml: conditions/,
    cause: /two conditions are named "base"/,
  },
  {
    area: 'study',
    name: 'two models with one name',
    setup: (d) => study(d, { models: `${MODELS()}  - name: stories\n    path: ${model()}\n` }),
    place: /models\.1\.name/,
    cause: /two models are named "stories"/,
  },
  {
    area: 'study',
    name: 'unknown scoring method',
    setup: (d) => study(d, { conditions: 'conditions:\n  - { name: base, scoring: vibes }\nbaseline: base\n' }),
    place: /conditions\.0\.scoring \(line 11\)/,
    cause: /Invalid option/,
  },
  {
    area: 'study',
    name: 'symbol scoring with a normalization',
    setup: (d) =>
      study(d, {
        conditions: 'conditions:\n  - { name: base, scoring: symbol, normalization: token }\nbaseline: base\n',
      }),
    place: /conditions\.0\.normalization/,
    cause: /normalization must be "none"/,
  },
  {
    area: 'study',
    name: 'circular twice in a chain',
    setup: (d) =>
      study(d, {
        conditions:
          'conditions:\n  - { name: base, scoring: symbol, perturbations: [circular, circular] }\nbaseline: base\n',
      }),
    place: /conditions\.0\.perturbations\.1/,
    cause: /"circular" only once/,
  },
  {
    area: 'study',
    name: 'circular with 100 rotations',
    setup: (d) =>
      study(d, {
        conditions:
          'conditions:\n  - { name: base, scoring: symbol, perturbations: [{ circular: { n: 100 } }] }\nbaseline: base\n',
      }),
    place: /circular\.n/,
    cause: /at most 26/,
  },
  {
    area: 'study',
    name: 'cloze with choices-only',
    setup: (d) =>
      study(d, {
        conditions: 'conditions:\n  - { name: base, scoring: cloze, perturbations: [choices-only] }\nbaseline: base\n',
      }),
    place: /conditions\.0\.perturbations/,
    cause: /needs symbol or hybrid scoring/,
  },
  {
    area: 'study',
    name: 'unset variable in a model path',
    setup: (d) => study(d, { models: 'models:\n  - name: stories\n    path: ${GOODHART_TEST_UNSET_DIR}/m.gguf\n' }),
    place: /study\.yaml:9: models\.0\.path/,
    cause: /environment variable GOODHART_TEST_UNSET_DIR is not set/,
  },
  {
    area: 'study',
    name: 'unset variable in a URL',
    setup: (d) =>
      study(d, {
        models:
          "models:\n  - name: srv\n    backend: openai-completions\n    url: '${GOODHART_TEST_UNSET_URL}/v1'\n    model: m\n",
      }),
    place: /models\.0\.url/,
    cause: /GOODHART_TEST_UNSET_URL is not set/,
  },
  {
    area: 'study',
    name: 'not a variable name',
    setup: (d) => study(d, { head: 'name: bad\ndescription: cost ${1 dollar}\n' }),
    place: /study\.yaml:2: description/,
    cause: /is not a variable/,
  },
  {
    area: 'study',
    name: 'study name with a space',
    setup: (d) => study(d, { head: 'name: bad name\n' }),
    place: /name \(line 1\)/,
    cause: /letters, digits/,
  },
  {
    area: 'study',
    name: 'seed that is not a number',
    setup: (d) => study(d, { head: 'name: bad\nseed: abc\n' }),
    place: /seed \(line 2\)/,
    cause: /expected number/,
  },
  {
    area: 'study',
    name: 'no models',
    setup: (d) => study(d, { models: 'models: []\n' }),
    place: /models \(line 7\)/,
    cause: /at least 1|>=1|too small/i,
  },
  {
    area: 'study',
    name: 'unknown backend',
    setup: (d) => study(d, { models: 'models:\n  - name: x\n    backend: magic\n' }),
    place: /models\.0/,
    cause: /backend must be one of/,
  },
  {
    area: 'study',
    name: 'YAML alias without anchor',
    setup: (d) => study(d, { head: 'name: *nowhere\n' }),
    place: /study\.yaml:\d+/,
    cause: /alias|Unresolved|YAML/i,
  },
  // Benchmarks
  {
    area: 'benchmark',
    name: 'benchmark file missing',
    setup: (d) => study(d, { benchmark: BENCHMARK.replace('bench.csv', 'absent.csv') }),
    place: 'absent.csv',
    cause: /not found|ENOENT|no such/i,
  },
  {
    area: 'benchmark',
    name: 'CSV quote never closed',
    setup: (d) => study(d, { csv: CSV + '"unclosed,1,2,3,4,A\n' }),
    place: 'bench.csv:4',
    cause: /quot/i,
  },
  {
    area: 'benchmark',
    name: 'CSV row with too few columns',
    setup: (d) => study(d, { csv: CSV + 'too,few\n' }),
    place: 'bench.csv:4',
    cause: /column/i,
  },
  {
    area: 'benchmark',
    name: 'answer letter out of range',
    setup: (d) => study(d, { csv: CSV + 'Q,1,2,3,4,E\n' }),
    place: 'bench.csv:4',
    cause: /answer/i,
  },
  {
    area: 'benchmark',
    name: 'empty choice',
    setup: (d) => study(d, { csv: CSV + 'Q,1,,3,4,A\n' }),
    place: 'bench.csv:4',
    cause: /empty/i,
  },
  {
    area: 'benchmark',
    name: 'invalid UTF-8',
    setup: (d) => study(d, { csv: BAD_UTF8 }),
    place: 'bench.csv:4',
    cause: /UTF-8/,
  },
  {
    area: 'benchmark',
    name: 'empty benchmark file',
    setup: (d) => study(d, { csv: '' }),
    place: 'bench.csv',
    cause: /empty/i,
  },
  {
    area: 'benchmark',
    name: 'field not in the header',
    setup: (d) => study(d, { benchmark: BENCHMARK.replace('question: question', 'question: prompt') }),
    place: 'bench.csv:1',
    cause: /column "prompt" is not in the header/,
  },
  {
    area: 'benchmark',
    name: 'duplicate item ids',
    setup: (d) =>
      study(d, {
        csv: 'id,question,a,b,c,d,answer\nx,Q,1,2,3,4,A\nx,Q2,1,2,3,4,B\n',
        benchmark: BENCHMARK.replace('fields: {', 'fields: { id: id,'),
      }),
    place: 'bench.csv:3',
    cause: /duplicate id "x" \(first seen on line 2\)/,
  },
  {
    area: 'benchmark',
    name: 'item with 30 choices under ABCD',
    setup: (d) => thirtyChoices(d),
    place: /bench\.csv:2: condition base \(item bench\/0\)/,
    cause: /too few symbols: 26 for 30 choices/,
  },
  {
    area: 'benchmark',
    name: 'answer text not among the choices',
    setup: (d) =>
      study(d, {
        csv: CSV + 'Q,1,2,3,4,zzz\n',
        benchmark: BENCHMARK.replace('answerFormat: letter', 'answerFormat: text'),
      }),
    place: 'bench.csv:2',
    cause: /answer/i,
  },
  {
    area: 'benchmark',
    name: 'MMLU folder missing',
    setup: (d) => study(d, { benchmark: 'benchmark:\n  format: mmlu\n  path: nowhere\n' }),
    place: /nowhere/,
    cause: /not found|no such|does not exist/i,
  },
  {
    area: 'benchmark',
    name: 'JSONL line that is not JSON',
    setup: (d) => jsonl(d, '{"question":"Q","choices":["a","b"],"answer":0}\n{not json\n'),
    place: 'bench.jsonl:2',
    cause: /JSON/,
  },
  {
    area: 'benchmark',
    name: 'JSONL answer past the choices',
    setup: (d) => jsonl(d, '{"question":"Q","choices":["a","b"],"answer":5}\n'),
    place: 'bench.jsonl:1',
    cause: /answer/i,
  },
  // Models
  {
    area: 'model',
    name: 'model file missing',
    setup: (d) => study(d, { models: `models:\n  - name: stories\n    path: ${path.join(d, 'absent.gguf')}\n` }),
    place: /study\.yaml: models\.0\.path/,
    cause: /model file not found: .*absent\.gguf/,
  },
  {
    area: 'model',
    name: 'model path is a folder',
    setup: (d) => study(d, { models: `models:\n  - name: stories\n    path: ${path.dirname(model())}\n` }),
    place: /models\.0\.path/,
    cause: /model file path is a folder, not a file/,
  },
  {
    area: 'model',
    name: 'model file is not GGUF',
    setup: (d) => (
      fs.writeFileSync(path.join(d, 'fake.gguf'), 'not a model'),
      study(d, { models: `models:\n  - name: stories\n    path: ${path.join(d, 'fake.gguf')}\n` })
    ),
    place: /fake\.gguf/,
    cause: /GGUF/,
  },
  {
    area: 'model',
    name: 'tokenizer file missing',
    setup: (d) =>
      study(d, {
        models: `models:\n  - name: srv\n    backend: openai-completions\n    url: http://127.0.0.1:9/v1\n    model: m\n    tokenizer: ${path.join(d, 'tok.gguf')}\n`,
      }),
    place: /models\.0.*tokenizer/,
    cause: /tokenizer file not found/,
  },
  {
    area: 'model',
    name: 'URL that is not http(s)',
    setup: (d) =>
      study(d, {
        models: 'models:\n  - name: srv\n    backend: openai-completions\n    url: ftp://example/v1\n    model: m\n',
      }),
    place: /models\.0\.url/,
    cause: /http/,
  },
  {
    area: 'model',
    name: 'credentials in a URL',
    setup: (d) =>
      study(d, {
        models:
          "models:\n  - name: srv\n    backend: openai-completions\n    url: 'http://u:p@127.0.0.1:9/v1'\n    model: m\n",
      }),
    place: /models\.0\.url/,
    cause: /must not hold credentials/,
  },
  {
    area: 'model',
    name: 'unreachable server',
    setup: (d) =>
      study(d, {
        models:
          'models:\n  - name: srv\n    backend: openai-completions\n    url: http://127.0.0.1:59999/v1\n    model: m\n    maxRetries: 0\n',
      }),
    place: /127\.0\.0\.1:59999/,
    cause: /cannot reach the server/,
  },
  {
    area: 'model',
    name: 'Hub model not cached, offline',
    setup: (d) =>
      study(d, { models: 'models:\n  - name: hub\n    path: hf:nobody-here/none-such/model.gguf\n' }, ['--offline']),
    place: /models\.0\.path/,
    cause: /offline|cache/i,
  },
  // Stores
  {
    area: 'store',
    name: 'store is a folder',
    setup: (d) => (fs.mkdirSync(path.join(d, 'sdir')), runWith(d, '--store', path.join(d, 'sdir'))),
    place: inDir('sdir'),
    cause: /it is a folder; --store takes a file/,
  },
  {
    area: 'store',
    name: 'store under a file',
    setup: (d) => (fs.writeFileSync(path.join(d, 'f'), ''), runWith(d, '--store', path.join(d, 'f', 's.sqlite'))),
    place: inDir('f/s.sqlite'),
    cause: /is a file, not a folder/,
  },
  {
    area: 'store',
    name: 'store on /proc',
    setup: (d) => runWith(d, '--store', '/proc/goodhart-store.sqlite'),
    place: '/proc/goodhart-store.sqlite',
    cause: /proc pseudo-filesystem/,
  },
  {
    area: 'store',
    name: 'store on /sys',
    setup: (d) => runWith(d, '--store', '/sys/goodhart/s.sqlite'),
    place: '/sys/goodhart/s.sqlite',
    cause: /sysfs pseudo-filesystem/,
  },
  {
    area: 'store',
    name: 'store that is not SQLite',
    setup: (d) => (fs.writeFileSync(path.join(d, 'store.sqlite'), 'x'.repeat(5000)), study(d)),
    place: inDir('store.sqlite'),
    cause: /not a SQLite database/,
  },
  {
    area: 'store',
    name: 'store truncated',
    setup: (d) => (
      storeWithResults(path.join(d, 'store.sqlite')),
      fs.truncateSync(path.join(d, 'store.sqlite'), 20_000),
      study(d)
    ),
    place: inDir('store.sqlite'),
    cause: /the store is damaged/,
  },
  {
    area: 'store',
    name: 'store with a damaged page',
    setup: (d) => (
      storeWithResults(path.join(d, 'store.sqlite')),
      damagePage(path.join(d, 'store.sqlite'), 5),
      study(d)
    ),
    place: inDir('store.sqlite'),
    cause: /the store is damaged/,
  },
  {
    area: 'store',
    name: 'store of a newer schema',
    setup: (d) => (
      storeWithResults(path.join(d, 'store.sqlite')),
      setVersion(path.join(d, 'store.sqlite'), SCHEMA_VERSION + 1),
      study(d)
    ),
    place: inDir('store.sqlite'),
    cause: /newer than this goodhart understands/,
  },
  {
    area: 'store',
    name: 'SQLite file of something else',
    setup: (d) => (foreign(path.join(d, 'store.sqlite')), study(d)),
    place: inDir('store.sqlite'),
    cause: /not a goodhart store/,
  },
  {
    area: 'store',
    name: 'store this user may not write',
    asNobody: true,
    setup: (d) => (
      storeWithResults(path.join(d, 'store.sqlite')),
      fs.chmodSync(path.join(d, 'store.sqlite'), 0o644),
      study(d)
    ),
    place: inDir('store.sqlite'),
    cause: /may not read and write it \(EACCES\)/,
  },
  {
    area: 'store',
    name: 'store in a folder this user may not write',
    asNobody: true,
    setup: (d) => (
      fs.mkdirSync(path.join(d, 'locked'), { mode: 0o755 }),
      runWith(d, '--store', path.join(d, 'locked', 'sub', 's.sqlite'))
    ),
    place: inDir('locked/sub/s.sqlite'),
    cause: /may not create files in .*locked \(EACCES\)/,
  },
  {
    area: 'store',
    name: 'verify a store that does not exist',
    setup: (d) => ['store', 'verify', path.join(d, 'absent.sqlite')],
    place: inDir('absent.sqlite'),
    cause: /cannot read the store: ENOENT/,
  },
  {
    area: 'store',
    name: 'verify a damaged store',
    setup: (d) => (
      storeWithResults(path.join(d, 's.sqlite')),
      damagePage(path.join(d, 's.sqlite'), 5),
      ['store', 'verify', path.join(d, 's.sqlite')]
    ),
    place: inDir('s.sqlite'),
    cause: /damaged/,
  },
  {
    area: 'store',
    name: 'salvage into an existing file',
    setup: (d) => (
      storeWithResults(path.join(d, 'a.sqlite')),
      fs.writeFileSync(path.join(d, 'b.sqlite'), 'keep'),
      ['store', 'salvage', path.join(d, 'a.sqlite'), path.join(d, 'b.sqlite')]
    ),
    place: inDir('b.sqlite'),
    cause: /already exists/,
  },
  {
    area: 'store',
    name: 'salvage from a file that is not SQLite',
    setup: (d) => (
      fs.writeFileSync(path.join(d, 'a.sqlite'), 'x'.repeat(5000)),
      ['store', 'salvage', path.join(d, 'a.sqlite'), path.join(d, 'b.sqlite')]
    ),
    place: inDir('a.sqlite'),
    cause: /the store is damaged/,
  },
  // Outputs
  {
    area: 'output',
    name: 'output on /proc',
    setup: (d) => runWith(d, '--out', '/proc/goodhart-out'),
    place: '/proc/goodhart-out',
    cause: /proc pseudo-filesystem/,
  },
  {
    area: 'output',
    name: 'output on /sys',
    setup: (d) => runWith(d, '--out', '/sys/goodhart-out'),
    place: '/sys/goodhart-out',
    cause: /sysfs pseudo-filesystem/,
  },
  {
    area: 'output',
    name: 'output folder is a file',
    setup: (d) => (fs.writeFileSync(path.join(d, 'o'), 'keep'), runWith(d, '--out', path.join(d, 'o'))),
    place: inDir('o'),
    cause: /cannot write the output folder: it is a file/,
  },
  {
    area: 'output',
    name: 'output under a file',
    setup: (d) => (fs.writeFileSync(path.join(d, 'f'), ''), runWith(d, '--out', path.join(d, 'f', 'out'))),
    place: inDir('f/out'),
    cause: /is a file, not a folder/,
  },
  {
    area: 'output',
    name: 'output folder this user may not write',
    asNobody: true,
    setup: (d) => (
      fs.mkdirSync(path.join(d, 'locked'), { mode: 0o755 }),
      runWith(d, '--out', path.join(d, 'locked', 'out'))
    ),
    place: inDir('locked/out'),
    cause: /may not create files in .*locked \(EACCES\)/,
  },
  {
    area: 'output',
    name: 'import into an output on /proc',
    setup: (d) => (
      fs.writeFileSync(path.join(d, 'o.csv'), 'item,model,correct\n1,m,1\n'),
      ['import', 'outputs', path.join(d, 'o.csv'), '--out', '/proc/goodhart-import']
    ),
    place: '/proc/goodhart-import',
    cause: /proc pseudo-filesystem/,
  },
  {
    area: 'output',
    name: 'analyze a folder that is no run',
    setup: (d) => ['analyze', d],
    place: (d) => d,
    cause: /no summary\.json here/,
  },
  {
    area: 'output',
    name: 'report a folder that is no run',
    setup: (d) => ['report', d],
    place: (d) => d,
    cause: /no summary\.json here/,
  },
  // Command-line use
  { area: 'cli', name: 'unknown command', setup: () => ['rnu'], place: /'rnu'/, cause: /unknown command/ },
  {
    area: 'cli',
    name: 'misspelt option',
    setup: (d) => [...study(d), '--stroe', 'x'],
    place: /'--stroe'/,
    cause: /unknown option/,
  },
  {
    area: 'cli',
    name: 'run without a study',
    setup: () => ['run'],
    place: /'study'/,
    cause: /missing required argument/,
  },
  {
    area: 'cli',
    name: 'store without a subcommand argument',
    setup: () => ['store', 'verify'],
    place: /'store'/,
    cause: /missing required argument/,
  },
  {
    area: 'cli',
    name: 'option without its value',
    setup: (d) => [...study(d).slice(0, 2), '--out'],
    place: /'-o, --out <dir>'/,
    cause: /argument missing/,
  },
];

function thirtyChoices(dir: string): string[] {
  const cols = Array.from({ length: 30 }, (_, i) => `c${i}`);
  const args = study(dir, {
    csv: `question,${cols.join(',')},answer\nQ,${cols.join(',')},A\n`,
    benchmark: `benchmark:\n  format: csv\n  path: bench.csv\n  fields: { question: question, choices: [${cols.join(', ')}], answer: answer }\n  answerFormat: letter\n`,
  });
  return args;
}

function jsonl(dir: string, text: string): string[] {
  fs.writeFileSync(path.join(dir, 'bench.jsonl'), text);
  return study(dir, {
    benchmark:
      'benchmark:\n  format: jsonl\n  path: bench.jsonl\n  fields: { question: question, choices: choices, answer: answer }\n',
  });
}

function damagePage(file: string, page: number): void {
  const bytes = fs.readFileSync(file);
  bytes.fill(0xa5, page * 4096, (page + 1) * 4096);
  fs.writeFileSync(file, bytes);
}

function setVersion(file: string, version: number): void {
  const db = new Database(file);
  db.pragma(`user_version = ${version}`);
  db.close();
}

function foreign(file: string): void {
  const db = new Database(file);
  db.exec('CREATE TABLE notes (body TEXT)');
  db.close();
}
