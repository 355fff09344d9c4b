/**
 * Per-question outputs produced elsewhere (CSV or JSONL, optionally gzipped) turned into a run
 * folder's contents — one ItemResult per model × condition × item and a summary — so that
 * `goodhart analyze` and `goodhart report` work on them. Two layouts:
 * - long: one row per model × item (× condition), with a correctness (0/1), a predicted choice
 *   or per-choice scores (a JSON array);
 * - wide: one row per item and one column per model holding 0/1 correctness or a predicted
 *   choice, or one column per model and choice (`<model>:A`, `<model>:B`…) holding scores.
 * Columns are found by their usual names; `columns` names any of them explicitly.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseCsv } from '../formats/csv.js';
import { UserError } from '../core/errors.js';
import { GRID_FACTORS } from '../core/factors.js';
import type { ConditionFactors, ConditionInfo, ItemResult } from '../core/results.js';
import { buildRunSummary, type RunSummary } from '../output/run-dir.js';
import { judgeItem, summarizeItems } from '../scoring/item-results.js';

export const ROLES = ['item', 'model', 'condition', 'subject', 'gold', 'correct', 'pred', 'scores'] as const;
export type Role = (typeof ROLES)[number];
export type ValueKind = 'correct' | 'pred' | 'scores';

/** Usual column names per role, compared without case and punctuation; the first present wins. */
const ALIASES: Record<Role, string[]> = {
  item: ['item', 'itemid', 'id', 'questionid', 'qid', 'docid', 'exampleid', 'row', 'index', 'idx'],
  model: ['model', 'modelname', 'modelid', 'system'],
  condition: ['condition', 'setting', 'variant'],
  subject: ['subject', 'category'],
  gold: ['gold', 'answer', 'answerindex', 'goldindex', 'label', 'target', 'correctanswer', 'answerkey', 'answerlatest'],
  correct: ['correct', 'iscorrect', 'acc', 'exactmatch'],
  pred: ['pred', 'prediction', 'predicted', 'predictedanswer', 'modelanswer'],
  scores: ['scores', 'choicescores', 'logprobs', 'loglikelihoods', 'logits'],
};
/** Descriptive columns of a wide file that are not models. */
const METADATA = new Set([
  'src',
  'source',
  'split',
  'question',
  'options',
  'choices',
  'prompt',
  'response',
  'cotcontent',
  'generatedtext',
]);
const NO_ANSWER = new Set(['none', 'null', 'nan', 'n/a', 'na', '-']);
const norm = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '');

export interface ImportOptions {
  files: string[];
  /** Default: from each file's extension (.csv, .jsonl/.ndjson/.json; .gz is unpacked). */
  format?: 'csv' | 'jsonl';
  /** Column of each role, overriding the usual names. */
  columns?: Partial<Record<Role, string>>;
  /** Columns to leave out (of a wide file, columns that are not models). */
  ignore?: string[];
  /** What a wide file's model columns hold (default: detected). */
  values?: ValueKind;
  /** Condition of rows without a condition column (default "baseline"); or one per file. */
  condition?: string;
  conditionPerFile?: boolean;
  baseline?: string;
  /** A CSV/JSONL file of item ids and gold answers (and subjects), for outputs that lack them. */
  answers?: string;
  /** A model without a result for some item: an error (default), or left out of those items. */
  missing?: 'error' | 'skip';
  scoring?: ConditionInfo['scoring'];
  /** The grid factor the imported conditions differ in (default template). */
  factor?: keyof ConditionFactors;
  name?: string;
  /** Number of choices of every item, for outputs without per-choice scores (random fill needs it). */
  choices?: number;
}

interface Row {
  line: number;
  values: Record<string, unknown>;
}

const identity = (n: number): number[] => Array.from({ length: n }, (_, k) => k);
interface Table {
  file: string;
  columns: string[];
  rows: Row[];
}

function readTable(file: string, format: ImportOptions['format']): Table {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new UserError(`cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, file);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const ext = path.extname(file.replace(/\.gz$/i, '')).toLowerCase();
  const kind = format ?? (ext === '.csv' ? 'csv' : ['.jsonl', '.ndjson', '.json'].includes(ext) ? 'jsonl' : null);
  if (!kind)
    throw new UserError(
      `cannot tell the format from the extension "${ext}": pass --format csv or --format jsonl`,
      file,
    );
  const rows: Row[] = [];
  if (kind === 'jsonl') {
    const columns = new Set<string>();
    text.split('\n').forEach((raw, i) => {
      if (!raw.trim()) return;
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch (e) {
        throw new UserError(`not JSON: ${(e as Error).message}`, `${file}:${i + 1}`);
      }
      if (!value || typeof value !== 'object' || Array.isArray(value))
        throw new UserError('a line must hold one JSON object', `${file}:${i + 1}`);
      Object.keys(value).forEach((k) => columns.add(k));
      rows.push({ line: i + 1, values: value as Record<string, unknown> });
    });
    return { file, columns: [...columns], rows };
  }
  const [header, ...records] = parseCsv(text);
  if (!header?.ok) throw new UserError(header ? `bad header: ${header.reason}` : 'file is empty', `${file}:1`);
  for (const r of records) {
    if (!r.ok) throw new UserError(`malformed row: ${r.reason}`, `${file}:${r.line}`);
    if (r.fields.length !== header.fields.length)
      throw new UserError(
        `the row has ${r.fields.length} fields, the header ${header.fields.length}`,
        `${file}:${r.line}`,
      );
    // An empty cell is no value at all (e.g. a model that did not answer that row).
    rows.push({
      line: r.line,
      values: Object.fromEntries(header.fields.flatMap((c, k) => (r.fields[k] === '' ? [] : [[c, r.fields[k]]]))),
    });
  }
  return { file, columns: header.fields, rows };
}

/** The column of each role in a table: given ones checked, the others found by their usual names. */
function resolveRoles(
  table: Table,
  given: Partial<Record<Role, string>>,
  ignore: readonly string[],
): Partial<Record<Role, string>> {
  const available = () => `columns: ${table.columns.join(', ')}`;
  for (const col of [...Object.values(given), ...ignore]) {
    if (col !== undefined && !table.columns.includes(col))
      throw new UserError(`no column "${col}" (${available()})`, table.file);
  }
  const roles: Partial<Record<Role, string>> = { ...given };
  const taken = new Set([...Object.values(given), ...ignore]);
  for (const role of ROLES) {
    if (roles[role] !== undefined) continue;
    const found = ALIASES[role]
      .map((a) => table.columns.find((c) => norm(c) === a && !taken.has(c)))
      .find((c) => c !== undefined);
    if (found) {
      roles[role] = found;
      taken.add(found);
    }
  }
  if (!roles.item)
    throw new UserError(`no item id column: name it with --columns item=<column> (${available()})`, table.file);
  return roles;
}

function isNoAnswer(v: unknown): boolean {
  return v === null || (typeof v === 'string' && NO_ANSWER.has(v.trim().toLowerCase()));
}

/** A letter (A = 0), "(A)", "A." or a 0-based index; null when the output gives no answer. */
function parseChoice(v: unknown, at: string): number | null {
  if (isNoAnswer(v)) return null;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string') {
    const t = v.trim();
    if (/^\d+$/.test(t)) return Number(t);
    const m = /^\(?([A-Za-z])[).:]?$/.exec(t);
    if (m) return m[1].toUpperCase().charCodeAt(0) - 65;
  }
  throw new UserError(`cannot read ${JSON.stringify(v)} as a choice: a letter A–Z or a 0-based index`, at);
}

function parseCorrect(v: unknown, at: string): boolean | null {
  if (isNoAnswer(v)) return null;
  const t = typeof v === 'string' ? v.trim().toLowerCase() : v;
  if (t === true || t === 1 || t === '1' || t === '1.0' || t === 'true') return true;
  if (t === false || t === 0 || t === '0' || t === '0.0' || t === 'false') return false;
  throw new UserError(`cannot read ${JSON.stringify(v)} as correctness: 1/0 or true/false`, at);
}

function parseScore(v: unknown, at: string): number | null {
  if (isNoAnswer(v)) return null;
  const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(x)) throw new UserError(`cannot read ${JSON.stringify(v)} as a score`, at);
  return x;
}

function parseScores(v: unknown, at: string): (number | null)[] {
  let list = v;
  if (typeof v === 'string') {
    try {
      list = JSON.parse(v);
    } catch {
      throw new UserError(`cannot read ${JSON.stringify(v)} as per-choice scores: a JSON array of numbers`, at);
    }
  }
  if (!Array.isArray(list) || list.length < 2)
    throw new UserError(`cannot read ${JSON.stringify(v)} as per-choice scores: a JSON array of numbers`, at);
  return list.map((x) => parseScore(x, at));
}

/** Model columns of a wide table: `<model>:<choice>` columns are scores, one group per model. */
function wideModels(table: Table, roles: Partial<Record<Role, string>>, ignore: readonly string[]) {
  const used = new Set<string>([...Object.values(roles), ...ignore]);
  const columns = table.columns.filter((c) => !used.has(c) && !METADATA.has(norm(c)));
  if (columns.length === 0)
    throw new UserError(
      `no model columns: a wide file has a column per model, a long one a model column (columns: ${table.columns.join(', ')})`,
      table.file,
    );
  const perChoice = columns.map((c) => /^(.+):([A-Za-z]|\d+)$/.exec(c));
  if (perChoice.every((m) => m !== null)) {
    const groups = new Map<string, string[]>();
    perChoice.forEach((m, k) => {
      const list = groups.get(m![1]) ?? [];
      list[parseChoice(m![2], `${table.file}: column "${columns[k]}"`)!] = columns[k];
      groups.set(m![1], list);
    });
    for (const [model, list] of groups) {
      if (list.length < 2 || list.some((c) => c === undefined))
        throw new UserError(
          `model "${model}" has score columns for some choices only: ${list.filter(Boolean).join(', ')}`,
          table.file,
        );
    }
    return { kind: 'scores' as const, models: [...groups].map(([model, cols]) => ({ model, columns: cols })) };
  }
  const binary = table.rows.every((r) =>
    columns.every((c) => {
      const v = r.values[c];
      return (
        v === undefined ||
        isNoAnswer(v) ||
        ['0', '1', '0.0', '1.0', 'true', 'false', 0, 1, true, false].includes(
          typeof v === 'string' ? v.trim().toLowerCase() : (v as number),
        )
      );
    }),
  );
  return {
    kind: binary ? ('correct' as const) : ('pred' as const),
    models: columns.map((c) => ({ model: c, columns: [c] })),
  };
}

/** Collects results, refusing duplicates and remembering where each model has gaps. */
class Results {
  readonly items: ItemResult[] = [];
  readonly itemsByCondition = new Map<string, Set<string>>();
  readonly count = new Map<string, number>();
  readonly firstGap = new Map<string, string>();
  private readonly seen = new Map<string, string>();

  add(r: ItemResult, where: string): void {
    const key = `${r.model}\u0000${r.condition}\u0000${r.itemId}`;
    const before = this.seen.get(key);
    if (before)
      throw new UserError(
        `a second result for model "${r.model}", condition "${r.condition}", item "${r.itemId}" (the first is at ${before})`,
        where,
      );
    this.seen.set(key, where);
    this.items.push(r);
    this.noteItem(r.condition, r.itemId);
    const cell = `${r.model}\u0000${r.condition}`;
    this.count.set(cell, (this.count.get(cell) ?? 0) + 1);
  }

  noteItem(condition: string, itemId: string): void {
    let set = this.itemsByCondition.get(condition);
    if (!set) this.itemsByCondition.set(condition, (set = new Set()));
    set.add(itemId);
  }
}

interface Answer {
  gold: number;
  subject?: string;
}

function readAnswers(file: string, format: ImportOptions['format']): Map<string, Answer> {
  const table = readTable(file, format);
  const roles = resolveRoles(table, {}, []);
  if (!roles.gold) throw new UserError(`no gold answer column (columns: ${table.columns.join(', ')})`, file);
  const answers = new Map<string, Answer>();
  for (const row of table.rows) {
    const at = `${file}:${row.line}`;
    const gold = parseChoice(row.values[roles.gold], `${at}: column "${roles.gold}"`);
    if (gold === null) throw new UserError('no gold answer', at);
    const subject = roles.subject ? row.values[roles.subject] : undefined;
    answers.set(String(row.values[roles.item!]), {
      gold,
      subject: subject === undefined ? undefined : String(subject),
    });
  }
  return answers;
}

const NEEDS_GOLD =
  'these outputs give predictions but no gold answer, so accuracy cannot be computed: name the answer column with --columns gold=<column>, or give a file of item ids and answers with --answers <file>';

export interface ImportedRun {
  summary: RunSummary;
  items: ItemResult[];
  warnings: string[];
  layout: string[];
}

export function importOutputs(opts: ImportOptions): ImportedRun {
  if (opts.files.length === 0) throw new UserError('no output files given');
  const answers = opts.answers ? readAnswers(opts.answers, undefined) : null;
  const results = new Results();
  const layout: string[] = [];
  const ignore = opts.ignore ?? [];
  for (const file of opts.files) {
    const table = readTable(file, opts.format);
    const roles = resolveRoles(table, opts.columns ?? {}, ignore);
    const wide = roles.model === undefined ? wideModels(table, roles, ignore) : null;
    if (wide && opts.values && (opts.values === 'scores') !== (wide.kind === 'scores')) {
      throw new UserError(
        `--values ${opts.values} does not fit these columns: scores come one column per model and choice, named <model>:<choice>`,
        file,
      );
    }
    const kind: ValueKind | undefined = wide
      ? (opts.values ?? wide.kind)
      : roles.scores
        ? 'scores'
        : roles.pred
          ? 'pred'
          : roles.correct
            ? 'correct'
            : undefined;
    if (!kind)
      throw new UserError(
        `no outcome column: name one with --columns correct=<column> (0/1), pred=<column> (a choice) or scores=<column> (per-choice scores) (columns: ${table.columns.join(', ')})`,
        file,
      );
    const fileCondition = opts.conditionPerFile
      ? path
          .basename(file)
          .replace(/(\.gz)?$/i, '')
          .replace(/\.[^.]+$/, '')
          .replace(/[^\w.:@+-]/g, '_')
      : (opts.condition ?? 'baseline');
    const mapping = ROLES.filter((r) => roles[r])
      .map((r) => `${r}=${roles[r]}`)
      .join(', ');
    layout.push(
      `${file}: ${wide ? `wide, ${wide.models.length} model columns of ${kind}` : `long, ${kind}`}; ${mapping}${roles.condition ? '' : `; condition ${fileCondition}`}`,
    );
    for (const row of table.rows) {
      const at = `${file}:${row.line}`;
      const cell = (role: Role) => (roles[role] === undefined ? undefined : row.values[roles[role]!]);
      const id = cell('item');
      if (id === undefined || id === null) throw new UserError(`no item id in column "${roles.item}"`, at);
      const itemId = String(id);
      const condition = roles.condition ? String(cell('condition') ?? '') : fileCondition;
      if (!/^[\w.:@+-]+$/.test(condition))
        throw new UserError(`condition "${condition}" must use letters, digits and _ . : @ + -`, at);
      const answer = answers?.get(itemId);
      const goldValue = cell('gold');
      const gold =
        goldValue !== undefined
          ? (parseChoice(goldValue, `${at}: column "${roles.gold}"`) ?? -1)
          : (answer?.gold ?? -1);
      const subjectValue = cell('subject');
      const subject = subjectValue !== undefined ? String(subjectValue) : answer?.subject;
      const given = roles.correct && !wide ? cell('correct') : undefined;
      const outcomes = wide
        ? wide.models.map(({ model, columns }) => ({
            model,
            column: columns.join(', '),
            values: columns.map((c) => row.values[c]),
          }))
        : [{ model: String(cell('model') ?? ''), column: roles[kind]!, values: [cell(kind)] }];
      results.noteItem(condition, itemId);
      for (const { model, column, values } of outcomes) {
        const where = `${at}: column "${column}"`;
        if (!model) throw new UserError(`no model name in column "${roles.model}"`, at);
        if (values.some((v) => v === undefined)) {
          if (!results.firstGap.has(model)) results.firstGap.set(model, where);
          continue;
        }
        // Per-choice scores are judged like a run's; a given prediction or correctness is taken as it is.
        const scores =
          kind === 'scores' ? (wide ? values.map((v) => parseScore(v, where)) : parseScores(values[0], where)) : [];
        const predicted = kind === 'correct' ? null : kind === 'pred' ? parseChoice(values[0], where) : undefined;
        const correct =
          kind === 'correct'
            ? parseCorrect(values[0], where)
            : given !== undefined
              ? parseCorrect(given, `${at}: column "${roles.correct}"`)
              : undefined;
        const result = judgeItem({
          model,
          condition,
          itemId,
          ...(subject !== undefined ? { subject } : {}),
          order: identity(scores.length || (opts.choices ?? 0)),
          goldPosition: gold,
          scores,
          predicted,
          correct,
        });
        if (correct === undefined && result.predicted !== null && gold < 0) throw new UserError(NEEDS_GOLD, where);
        results.add(result, at);
      }
    }
  }
  const warnings = checkMissing(results, opts.missing ?? 'error');
  return { ...buildRun(results, opts), warnings, layout };
}

/** Every model must answer every item of each condition it has, unless told to leave gaps. */
function checkMissing(results: Results, policy: 'error' | 'skip'): string[] {
  const models = [...new Set(results.items.map((r) => r.model))];
  const warnings: string[] = [];
  for (const [condition, items] of results.itemsByCondition) {
    for (const model of models) {
      const gap = items.size - (results.count.get(`${model}\u0000${condition}`) ?? 0);
      if (gap === 0) continue;
      const first = results.firstGap.get(model);
      const text = `model "${model}" has no result for ${gap} of ${items.size} items under condition "${condition}"`;
      if (policy === 'error') {
        throw new UserError(
          `${text}${first ? ` (the first gap: ${first})` : ''}; pass --missing skip to leave such items out (comparisons use only items every model answered)`,
        );
      }
      warnings.push(text);
    }
  }
  return warnings;
}

function buildRun(results: Results, opts: ImportOptions): { summary: RunSummary; items: ItemResult[] } {
  const models = [...new Set(results.items.map((r) => r.model))];
  const conditions = [...results.itemsByCondition.keys()];
  if (results.items.length === 0) throw new UserError('the files hold no results');
  const baseline = opts.baseline ?? conditions[0];
  if (!conditions.includes(baseline))
    throw new UserError(`baseline "${baseline}" is not one of the conditions (${conditions.join(', ')})`);
  // Grouped by model, then condition, as a run writes them (the analysis reads them fastest so).
  const rank = (xs: string[]) => new Map(xs.map((x, k) => [x, k]));
  const modelRank = rank(models);
  const conditionRank = rank(conditions);
  const items = results.items
    .map((r, k) => ({ r, k }))
    .sort(
      (a, b) =>
        modelRank.get(a.r.model)! - modelRank.get(b.r.model)! ||
        conditionRank.get(a.r.condition)! - conditionRank.get(b.r.condition)! ||
        a.k - b.k,
    )
    .map(({ r }) => r);
  const factor = opts.factor ?? 'template';
  const files = opts.files.map((f) => path.resolve(f));
  const info = (name: string): ConditionInfo => ({
    name,
    scoring: opts.scoring ?? 'symbol',
    normalization: 'none',
    perturbations: [{ name: 'imported', args: { files } }],
    factors: {
      ...(Object.fromEntries(GRID_FACTORS.map((f) => [f, 'as imported'])) as ConditionFactors),
      [factor]: name,
    },
  });
  const itemIds = new Set(items.map((r) => r.itemId));
  const summary = buildRunSummary({
    study: opts.name ?? 'imported',
    spec: { import: { ...opts, files } },
    baseline,
    benchmark: {
      description: `outputs imported from ${opts.files.map((f) => path.basename(f)).join(', ')}: ${itemIds.size} items`,
      items: itemIds.size,
      files,
      skipped: [],
    },
    models: models.map((name) => ({
      id: `imported:${name}`,
      name,
      backend: 'imported',
      details: { imported: true, files },
    })),
    conditions: conditions.map(info),
    cells: summarizeItems(items),
  });
  return { summary, items };
}
