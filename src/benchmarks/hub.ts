import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Item } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { cachedFilesFor, ensureDataset, type CachedDataset } from '../hub/datasets.js';
import { globFiles, isDataFile, selectDataFiles, type DataFile } from '../hub/layout.js';
import { listLocalFiles } from '../hub/manifest.js';
import { formatRef, parseDatasetRef } from '../hub/refs.js';
import { readRows } from '../hub/rows.js';
import { isOffline } from '../hub/settings.js';
import { recipeRegistry, type ItemDraft, type Recipe } from './recipe.js';
import './recipes.js';
import { answerByLetter, answerByText, field, int, text, texts, type Answer } from './row-values.js';
import { addToPool, BadRows, FormatLoad, itemProblem, show } from './rows.js';
import type { HfSpec } from './spec-parts.js';
import { isFolder } from '../formats/text-file.js';

export interface HubLoadOptions {
  baseDir: string;
  offline?: boolean;
  log?: (line: string) => void;
  /** Expands `${GOODHART_SHARED}` and resolves against baseDir. */
  resolvePath: (p: string, baseDir: string) => string;
}

/** A recipe made from the study's own `fields` mapping (`format: hf` without a recipe). */
function fieldsRecipe(spec: HfSpec): Recipe {
  const f = spec.fields!;
  const mapRow = (row: Record<string, unknown>): ItemDraft | string => {
    const question = text(field(row, f.question));
    if (question === null) return `question field ${show(f.question)} is missing or not text`;
    const choices =
      typeof f.choices === 'string' ? texts(field(row, f.choices)) : f.choices.map((n) => text(field(row, n)));
    if (!choices || choices.some((c) => c === null)) return `choices ${show(f.choices)} are missing or not texts`;
    const list = choices as string[];
    const raw = field(row, f.answer);
    let answer: Answer;
    if (spec.answerFormat === 'letter') answer = answerByLetter(raw, list.length);
    else if (spec.answerFormat === 'text')
      answer = text(raw) === null ? `answer ${show(raw)} is not text` : answerByText(text(raw)!, list);
    else {
      const n = int(raw);
      answer = n === null ? `answer ${show(raw)} is not an integer` : spec.answerFormat === 'index1' ? n - 1 : n;
    }
    if (typeof answer === 'string') return answer;
    const id = f.id ? text(field(row, f.id)) : null;
    if (f.id && (id === null || id.trim() === '')) return `id field ${show(f.id)} is missing or empty`;
    const subject = f.subject ? text(field(row, f.subject)) : null;
    if (f.subject && subject === null) return `subject field ${show(f.subject)} is missing or not text`;
    return {
      question,
      choices: list,
      answer,
      ...(id !== null ? { id } : {}),
      ...(subject !== null ? { subject } : {}),
    };
  };
  return { name: 'fields', dataset: spec.dataset, split: 'test', subjects: 'rows', mapRow };
}

/**
 * Ids: the dataset's own (`<split>/<id>`), else `<subject>/<split>/<n>` counted per subject (the
 * scheme of the MMLU CSV loader), else `<split>/<n>`. The split keeps few-shot items apart from test items.
 */
async function readItems(
  root: string,
  files: DataFile[],
  split: string,
  recipe: Recipe,
  bad: BadRows,
): Promise<Item[]> {
  const items: Item[] = [];
  const counters = new Map<string, number>();
  const firstLine = new Map<string, string>();
  let n = 0;
  for (const f of files) {
    const file = path.join(root, ...f.path.split('/'));
    for (const rec of await readRows(file)) {
      if (!rec.ok) {
        bad.report(file, rec.line, rec.reason);
        continue;
      }
      const draft = recipe.mapRow(rec.row, { config: f.config, split });
      if (typeof draft === 'string') {
        bad.report(file, rec.line, draft);
        continue;
      }
      const problem = itemProblem(draft.question, draft.choices, draft.answer);
      if (problem) {
        bad.report(file, rec.line, problem);
        continue;
      }
      let id: string;
      if (draft.id !== undefined) id = `${split}/${draft.id}`;
      else if (draft.subject !== undefined) {
        const k = counters.get(draft.subject) ?? 0;
        counters.set(draft.subject, k + 1);
        id = `${draft.subject}/${split}/${k}`;
      } else id = `${split}/${n}`;
      n++;
      const seen = firstLine.get(id);
      if (seen) {
        bad.report(file, rec.line, `duplicate id ${show(id)} (first at ${seen})`);
        continue;
      }
      firstLine.set(id, `${file}:${rec.line}`);
      const { id: _own, ...rest } = draft;
      items.push({ id, ...rest, split });
    }
  }
  return items;
}

/** Items of the given subjects; `strict` makes a subject with no items an error listing the valid ones. */
function keepSubjects(items: Item[], subjects: string[] | undefined, strict = true): Item[] {
  if (!subjects) return items;
  const available = [...new Set(items.map((i) => i.subject).filter((s): s is string => s !== undefined))].sort();
  const unknown = subjects.filter((s) => !available.includes(s));
  if (strict && unknown.length > 0) {
    const valid = available.length ? `valid subjects: ${available.join(', ')}` : 'these items have no subjects';
    throw new UserError(`unknown subject(s) ${unknown.map((s) => show(s)).join(', ')}; ${valid}`, 'benchmark.subjects');
  }
  const wanted = new Set(subjects);
  return items.filter((i) => i.subject !== undefined && wanted.has(i.subject));
}

/** Load a Hugging Face dataset (by reference through the cache, or from local files) with a recipe or a fields mapping. */
export async function loadHf(spec: HfSpec, opts: HubLoadOptions, bad: BadRows): Promise<FormatLoad> {
  const recipe = spec.recipe ? recipeRegistry.require(spec.recipe, 'benchmark.recipe') : fieldsRecipe(spec);
  const split = spec.split ?? recipe.split;
  const config = spec.config ?? recipe.config;
  const fewshotSplit = spec.fewshotSplit === false ? undefined : (spec.fewshotSplit ?? recipe.fewshotSplit);
  const configs = recipe.subjects === 'configs' && spec.subjects ? spec.subjects : [config];
  const rowSubjects = recipe.subjects === 'rows' ? spec.subjects : undefined;
  const named = spec.recipe ? `${spec.recipe} ` : '';

  let root: string;
  let origin: string;
  let cached: CachedDataset | undefined;
  if (spec.path !== undefined) {
    root = opts.resolvePath(spec.path, opts.baseDir);
    if (!existsSync(root)) throw new UserError('not found', root);
    origin = root;
  } else {
    const ref = parseDatasetRef(spec.dataset ?? recipe.dataset!, spec.revision, 'benchmark.dataset');
    const wants = [
      { configs, split, required: true },
      ...(fewshotSplit ? [{ configs, split: fewshotSplit, required: typeof spec.fewshotSplit === 'string' }] : []),
    ];
    cached = await ensureDataset(ref, wants, {
      offline: isOffline(opts.offline),
      files: spec.files,
      log: opts.log ?? ((line) => process.stderr.write(line + '\n')),
    });
    root = cached.dir;
    origin = formatRef(ref);
  }

  // A benchmark's own format (a given folder, or a cache entry seeded from one) comes first.
  if (recipe.readLocal && (!cached || cached.manifest?.seededFrom || !cached.manifest)) {
    const local = await recipe.readLocal(root, { split, fewshotSplit, subjects: rowSubjects, bad });
    if (local)
      return withTask(
        {
          ...seeded(cached),
          ...local,
          items: keepSubjects(local.items, rowSubjects),
          description: `${named}${origin}: ${local.description}`,
        },
        spec.recipe,
      );
  }

  const single = !(await isFolder(root));
  const base = single ? path.dirname(root) : root;
  const filesOf = (c: string | undefined, s: string): DataFile[] => {
    if (single)
      return s === split && isDataFile(path.basename(root))
        ? [{ path: path.basename(root), config: c ?? 'default' }]
        : [];
    if (cached) return cachedFilesFor(cached, c, s, spec.files);
    const local = listLocalFiles(root);
    return spec.files ? globFiles(local, spec.files, c ?? 'default', s) : selectDataFiles(local, c, s);
  };
  const main = configs.flatMap((c) => filesOf(c, split));
  if (main.length === 0) {
    const which = `config ${JSON.stringify(configs.map((c) => c ?? 'default').join(', '))}, split ${JSON.stringify(split)}`;
    throw new UserError(
      `no data files for ${which} (looked for the Hub's layouts: <config>/<split>-*.parquet, data/<config>-<split>.csv, data/<split>-*.parquet; or set benchmark.files)`,
      root,
    );
  }
  const items = keepSubjects(await readItems(base, main, split, recipe, bad), rowSubjects);
  const fewshotPool = new Map<string, Item[]>();
  const shotFiles = fewshotSplit ? configs.flatMap((c) => filesOf(c, fewshotSplit)) : [];
  if (fewshotSplit && shotFiles.length === 0 && typeof spec.fewshotSplit === 'string') {
    throw new UserError(`no data files for the few-shot split ${JSON.stringify(fewshotSplit)}`, root);
  }
  for (const item of keepSubjects(
    await readItems(base, shotFiles, fewshotSplit ?? '', recipe, bad),
    rowSubjects,
    false,
  )) {
    addToPool(fewshotPool, item);
  }
  const shots = shotFiles.length ? `, few-shot pool from ${fewshotSplit}` : '';
  return withTask(
    {
      ...seeded(cached),
      items,
      fewshotPool,
      files: [...main, ...shotFiles].map((f) => path.join(base, ...f.path.split('/'))),
      description: `${named}${origin} ${configs.map((c) => c ?? 'default').join(', ')}/${split} (${main.length} file${main.length === 1 ? '' : 's'})${shots}`,
    },
    spec.recipe,
  );
}

/** A cache entry seeded from a folder stands for the Hub dataset without being it: the run records both. */
function seeded(cached: CachedDataset | undefined): Pick<FormatLoad, 'seededFrom'> {
  const folder = cached?.manifest?.seededFrom;
  return folder && cached ? { seededFrom: { dataset: formatRef(cached.ref), folder } } : {};
}

/** Items of a recipe know their task, so its published protocols can render them. */
function withTask(loaded: FormatLoad, task: string | undefined): FormatLoad {
  if (task === undefined) return loaded;
  const tag = (item: Item): Item => ({ ...item, task });
  return {
    ...loaded,
    items: loaded.items.map(tag),
    fewshotPool: new Map([...loaded.fewshotPool].map(([k, list]) => [k, list.map(tag)])),
  };
}
