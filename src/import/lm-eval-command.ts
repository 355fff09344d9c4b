import fs from 'node:fs';
import path from 'node:path';
import { formatAccuracyTable } from '../report/accuracy-table.js';
import { VERSION } from '../core/version.js';
import { UserError } from '../core/errors.js';
import { prepareOutDir, readRun, writeRun } from '../output/run-dir.js';
import { buildImportedRun, type ImportedRun, type ModelSamples } from './lm-eval-run.js';
import { readSamplesFile } from './lm-eval-samples.js';

export interface ImportLmEvalOptions {
  out: string;
  /** Name of the model for every file; default: from lm-eval's results file or folder. */
  model?: string;
  /** One condition per metric for all tasks (`<group>:acc`), the task becoming the item's subject. */
  group?: string;
  /** Add these models to the run folder's earlier import. */
  append?: boolean;
  version: string;
}

/**
 * The model a samples file belongs to: lm-eval writes `results_<timestamp>.json` (with
 * `model_name`, or `pretrained=` in `config.model_args`) beside it, in a folder named after the
 * model with `/` written as `__`.
 */
export function modelNameFor(file: string): string {
  const dir = path.dirname(path.resolve(file));
  const results = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => /^results.*\.json$/.test(f))
        .sort()
    : [];
  for (const name of results.reverse()) {
    try {
      const r = JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')) as {
        model_name?: unknown;
        config?: { model_args?: unknown };
      };
      if (typeof r.model_name === 'string' && r.model_name) return r.model_name;
      const args = r.config?.model_args;
      const m = typeof args === 'string' ? /(?:^|,)\s*(?:pretrained|model)=([^,]+)/.exec(args) : null;
      if (m) return m[1].trim();
    } catch {
      // an unreadable results file just does not name the model
    }
  }
  return path.basename(dir).replaceAll('__', '/');
}

/** Merge an earlier run folder's models, conditions and items with a new import. */
function merge(dir: string, next: ImportedRun): ImportedRun {
  const { summary: before, items } = readRun(dir);
  const clash = next.summary.models.find((m) => before.models.some((b) => b.name === m.name));
  if (clash) throw new UserError(`model ${clash.name} is already in this run folder`, dir);
  const conditions = [...before.conditions];
  for (const c of next.summary.conditions) {
    const old = conditions.find((o) => o.name === c.name);
    if (!old) conditions.push(c);
    else if (old.scoring !== c.scoring || old.normalization !== c.normalization)
      throw new UserError(
        `condition ${c.name} is ${old.scoring}/${old.normalization} here but ${c.scoring}/${c.normalization} in the new files`,
        dir,
      );
  }
  const earlier = (before as Partial<ImportedRun['summary']>).import;
  const add = (
    a: { total: number; unique: number; cached: number; computed: number; failed: number },
    b: typeof a,
  ) => ({
    total: a.total + b.total,
    unique: a.unique + b.unique,
    cached: a.cached + b.cached,
    computed: a.computed + b.computed,
    failed: a.failed + b.failed,
  });
  return {
    items: [...items, ...next.items],
    summary: {
      ...next.summary,
      baseline: before.baseline,
      models: [...before.models, ...next.summary.models],
      conditions,
      cells: [...before.cells, ...next.summary.cells],
      requests: add(before.requests, next.summary.requests),
      requestsByModel: { ...before.requestsByModel, ...next.summary.requestsByModel },
      benchmark: {
        ...next.summary.benchmark,
        items: new Set([...items, ...next.items].map((i) => i.itemId)).size,
        files: [...before.benchmark.files, ...next.summary.benchmark.files],
      },
      import: {
        from: 'lm-eval',
        files: [...(earlier?.files ?? []), ...next.summary.import.files],
        checks: [...(earlier?.checks ?? []), ...next.summary.import.checks],
        skipped: [...(earlier?.skipped ?? []), ...next.summary.import.skipped],
      },
    },
  };
}

/** `goodhart import lm-eval`: returns the lines to print. */
export function importLmEval(files: string[], opts: ImportLmEvalOptions): { run: ImportedRun; report: string[] } {
  if (files.length === 0) throw new UserError('give at least one samples_<task>_<timestamp>.jsonl file');
  const byModel = new Map<string, ModelSamples>();
  for (const file of files) {
    const model = opts.model ?? modelNameFor(file);
    const entry = byModel.get(model) ?? { model, files: [] };
    entry.files.push(readSamplesFile(file));
    byModel.set(model, entry);
  }
  const out = path.resolve(opts.out);
  let run = buildImportedRun([...byModel.values()], {
    group: opts.group,
    study: path.basename(out),
    version: opts.version,
  });
  if (opts.append && fs.existsSync(path.join(out, 'summary.json'))) run = merge(out, run);
  prepareOutDir(out);
  writeRun(out, run.summary, run.items);
  const report: string[] = [];
  for (const c of run.summary.import.checks) {
    const metric = c.condition.slice(c.condition.lastIndexOf(':') + 1);
    const verdict =
      c.disagree === 0
        ? 'agrees'
        : `disagrees on ${c.disagree} (doc_id ${c.examples.join(', ')}${c.disagree > c.examples.length ? ', ...' : ''})`;
    const why =
      c.disagree && metric === 'acc_mutual_info'
        ? ' — lm-eval paired conditional and unconditional requests wrongly before its 2025 fix'
        : '';
    report.push(`${c.model} ${c.condition}: lm-eval's ${metric} ${verdict} of ${c.compared} documents${why}`);
  }
  const skipped = run.summary.import.skipped;
  if (skipped.length)
    report.push(
      `left out ${skipped.length} documents (listed in summary.json), e.g. ${skipped[0].file}:${skipped[0].line}: ${skipped[0].reason}`,
    );
  report.push(`wrote ${path.join(out, 'items.jsonl')} and ${path.join(out, 'summary.json')}`);
  return { run, report };
}

/** The CLI action: prints the accuracy table and the agreement with lm-eval's own metrics. */
export async function importLmEvalCommand(
  files: string[],
  opts: Omit<ImportLmEvalOptions, 'version'>,
): Promise<number> {
  const { run, report } = importLmEval(files, { ...opts, version: VERSION });
  process.stdout.write(formatAccuracyTable(run.summary) + '\n' + report.join('\n') + '\n');
  return 0;
}
