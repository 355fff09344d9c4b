import path from 'node:path';
import { UserError } from '../core/errors.js';
import type { ConditionInfo, ItemResult } from '../core/results.js';
import type { ModelIdentity } from '../core/types.js';
import { buildRunSummary, type RunSummary } from '../output/run-dir.js';
import { factorsOf } from '../perturbations/registry.js';
import { CellTally, judgeItem } from '../scoring/item-results.js';
import { normalizedScore, type Method, type Normalization } from '../scoring/methods.js';
import { REPORTED_METRICS, type SampleDoc, type SamplesFile } from './lm-eval-samples.js';

/**
 * lm-eval samples → goodhart's run folder: each (model, task) becomes conditions `<task>:acc`
 * (sum of log-probs), `<task>:acc_norm` (per character), `<task>:acc_bytes` (per UTF-8 byte) and,
 * when the unconditional requests are there, `<task>:acc_mutual_info` (PMI). Every score is
 * recomputed from the raw log-likelihoods; lm-eval's own per-document metrics are only compared.
 */

export interface ModelSamples {
  model: string;
  files: SamplesFile[];
}

/** How far lm-eval's own metric agrees with the recomputation, per model × condition. */
export interface MetricCheck {
  model: string;
  condition: string;
  compared: number;
  disagree: number;
  /** doc_ids of the first disagreements. */
  examples: number[];
}

export interface ImportedRun {
  summary: RunSummary & {
    import: {
      from: 'lm-eval';
      files: string[];
      checks: MetricCheck[];
      skipped: { file: string; line: number; reason: string }[];
    };
  };
  items: ItemResult[];
}

const METRIC_NORMALIZATION: Record<(typeof REPORTED_METRICS)[number], Normalization> = {
  acc: 'none',
  acc_norm: 'char',
  acc_bytes: 'byte',
  acc_mutual_info: 'pmi',
};

const LETTERS = /^[A-Z]$/;

/** The scoring method the prompts show: the answer letters, the choices listed in the prompt, or the question alone. */
function methodOf(docs: SampleDoc[]): Method {
  if (docs.every((d) => d.continuations.every((c, k) => LETTERS.test(c.trim()) && c.trim().charCodeAt(0) === 65 + k)))
    return 'symbol';
  const listed = docs.filter((d) => d.continuations.every((c) => d.contexts[0].includes(c.trim()))).length;
  return listed >= 0.9 * docs.length ? 'hybrid' : 'cloze';
}

const conditionName = (task: string, metric: string) => `${task.replace(/[^\w.:@+-]/g, '_')}:${metric}`;

/** Check that every model's file for a task holds the same documents with the same answers. */
function checkSameDocs(task: string, byModel: { model: string; file: SamplesFile }[]): void {
  const first = new Map<number, { doc: SampleDoc; file: string }>();
  for (const { file } of byModel) {
    for (const doc of file.docs) {
      const seen = first.get(doc.docId);
      if (!seen) first.set(doc.docId, { doc, file: file.file });
      else if (
        (seen.doc.docHash && doc.docHash && seen.doc.docHash !== doc.docHash) ||
        seen.doc.gold !== doc.gold ||
        seen.doc.continuations.length !== doc.continuations.length
      ) {
        throw new UserError(
          `task ${task}, doc_id ${doc.docId} differs from ${seen.file}:${seen.doc.line} (doc_hash, target or choices): the files do not hold the same documents`,
          `${file.file}:${doc.line}`,
        );
      }
    }
  }
}

export function buildImportedRun(
  models: ModelSamples[],
  opts: { group?: string; study: string; version: string },
): ImportedRun {
  const names = new Set<string>();
  for (const m of models) {
    if (names.has(m.model)) throw new UserError(`model ${m.model} is given twice`);
    names.add(m.model);
  }
  const tasks = new Map<string, { model: string; file: SamplesFile }[]>();
  for (const m of models) {
    for (const file of m.files) {
      const list = tasks.get(file.task) ?? [];
      if (list.some((x) => x.model === m.model))
        throw new UserError(`two files for task ${file.task} and model ${m.model}`, file.file);
      list.push({ model: m.model, file });
      tasks.set(file.task, list);
    }
  }
  const conditions = new Map<string, ConditionInfo>();
  const checks = new Map<string, MetricCheck>();
  const tally = new CellTally();
  const items: ItemResult[] = [];
  for (const [task, byModel] of [...tasks].sort(([a], [b]) => a.localeCompare(b))) {
    checkSameDocs(task, byModel);
    const allDocs = byModel.flatMap((x) => x.file.docs);
    const method = methodOf(allDocs);
    const metrics = REPORTED_METRICS.filter((m) =>
      method === 'symbol' ? m === 'acc' : m !== 'acc_mutual_info' || allDocs.every((d) => d.unconditional),
    );
    for (const metric of metrics) {
      const name = conditionName(opts.group ?? task, metric);
      const normalization = METRIC_NORMALIZATION[metric];
      conditions.set(name, {
        name,
        scoring: method,
        normalization,
        perturbations: [],
        factors: factorsOf([], method, normalization),
      });
      for (const { model, file } of byModel) {
        tally.open(model, name);
        const key = `${model}\u0000${name}`;
        const check = checks.get(key) ?? { model, condition: name, compared: 0, disagree: 0, examples: [] };
        checks.set(key, check);
        for (const doc of file.docs) {
          const result = judgeItem({
            model,
            condition: name,
            itemId: `${task}/${doc.docId}`,
            ...(opts.group ? { subject: task } : {}),
            order: doc.continuations.map((_, k) => k),
            ...(method === 'symbol' ? { labels: doc.continuations.map((c) => c.trim()) } : {}),
            goldPosition: doc.gold,
            scores: doc.continuations.map((continuation, k) =>
              normalizedScore(normalization, {
                continuation,
                logprob: doc.loglikelihoods[k],
                unconditional: doc.unconditional?.[k],
              }),
            ),
          });
          items.push(result);
          tally.add(result);
          const theirs = doc.reported[metric];
          if (theirs !== undefined) {
            check.compared++;
            if ((theirs === 1) !== (result.correct === true)) {
              check.disagree++;
              if (check.examples.length < 5) check.examples.push(doc.docId);
            }
          }
        }
      }
    }
  }
  const allFiles = models.flatMap((m) => m.files);
  const identities: ModelIdentity[] = models.map((m) => ({
    id: `lm-eval:${m.model}`,
    name: m.model,
    backend: 'lm-eval-import',
    details: { files: m.files.map((f) => path.resolve(f.file)) },
  }));
  // The requests lm-eval made, counted as answered from its log (nothing computed here).
  const requestsOf = (files: SamplesFile[]) =>
    files.reduce(
      (sum, f) => sum + f.docs.reduce((s, d) => s + d.continuations.length * (d.unconditional ? 2 : 1), 0),
      0,
    );
  const countsOf = (n: number) => ({ total: n, unique: n, cached: n, computed: 0, failed: 0 });
  const itemCount = new Set(items.map((i) => i.itemId)).size;
  const firstCondition = [...conditions.keys()][0];
  const skipped = allFiles.flatMap((f) => f.skipped.map((s) => ({ file: f.file, ...s })));
  return {
    items,
    summary: {
      ...buildRunSummary({
        version: opts.version,
        study: opts.study,
        spec: { import: 'lm-eval', tasks: [...tasks.keys()], models: models.map((m) => m.model), group: opts.group },
        baseline: [...conditions.keys()].find((c) => c.endsWith(':acc')) ?? firstCondition,
        benchmark: {
          description: `lm-evaluation-harness samples: ${[...tasks.keys()].join(', ')}`,
          items: itemCount,
          files: allFiles.map((f) => path.resolve(f.file)),
          skipped,
        },
        models: identities,
        conditions: [...conditions.values()],
        cells: tally.summaries(),
        requests: countsOf(requestsOf(allFiles)),
        requestsByModel: Object.fromEntries(models.map((m) => [m.model, countsOf(requestsOf(m.files))])),
      }),
      import: {
        from: 'lm-eval',
        files: allFiles.map((f) => path.resolve(f.file)),
        checks: [...checks.values()].filter((c) => c.compared > 0),
        skipped,
      },
    },
  };
}
