/**
 * The exact prompt text each item was shown under each condition, re-rendered from the run's
 * validated study and its benchmark files with the same code the run used. Prompts depend on the
 * condition and the item only, never on the model.
 */
import { generativeContext } from '../scoring/generate.js';
import { loadBenchmark, type FileDigest } from '../benchmarks/load.js';
import type { ItemResult } from '../core/results.js';
import type { Item } from '../core/types.js';
import { buildPresentations } from '../engine/plan.js';
import type { RunSummary } from '../output/run-dir.js';
import { promptHash, renderPrompt } from '../perturbations/templates.js';
import { resolveStudy, shuffleSkewedBaseline } from '../study/load.js';
import { studySchema } from '../study/schema.js';

export interface ShownPrompt {
  context: string;
  /** Scored after the context, one per shown position. */
  continuations: string[];
  /** The context of the unconditional term, only under PMI normalization. */
  unconditional?: string;
  /** order[shownPosition] = original choice, as rendered. */
  order: number[];
  /** promptHash of the re-rendered prompt, compared with the one each result recorded. */
  hash: string;
}

export interface PromptSet {
  /** The benchmark's items in benchmark order (empty when the benchmark could not be read). */
  items: Item[];
  /** byCondition.get(condition)[i] is the prompt of items[i]. */
  byCondition: Map<string, ShownPrompt[]>;
  /** Why prompts are missing, when they are. */
  problem: string | null;
}

export async function renderRunPrompts(summary: RunSummary): Promise<PromptSet> {
  const spec = summary.spec as { benchmark?: unknown } | null;
  if (!spec || typeof spec !== 'object' || !spec.benchmark) {
    return {
      items: [],
      byCondition: new Map(),
      problem: 'the run has no study to re-render its prompts from (its results were imported or made by hand)',
    };
  }
  try {
    const study = resolveStudy(studySchema.parse(spec), summary.studyFile);
    const benchmark = await loadBenchmark(study.spec.benchmark, { baseDir: study.baseDir });
    // The run's own decision, not a new one from the files as they are now.
    const gold = summary.benchmark.goldPositions;
    if (gold?.baselineShuffled) shuffleSkewedBaseline(study, gold);
    const presentations = buildPresentations({
      items: benchmark.items,
      fewshotPool: benchmark.fewshotPool,
      conditions: study.conditions,
    });
    const byCondition = new Map<string, ShownPrompt[]>();
    for (const condition of study.conditions) {
      byCondition.set(
        condition.name,
        presentations.get(condition.name)!.map((p) => {
          const plain = renderPrompt(p, condition.method);
          // Generative scoring: the model saw the generative context (hashed as such when it was scored).
          const rendered = condition.generation
            ? { ...plain, context: generativeContext(p, condition.generation.chainOfThought) }
            : plain;
          return {
            context: rendered.context,
            continuations: rendered.continuations,
            ...(condition.normalization === 'pmi' ? { unconditional: rendered.unconditionalContext } : {}),
            order: p.order,
            hash: promptHash(rendered),
          };
        }),
      );
    }
    return {
      items: benchmark.items,
      byCondition,
      problem: changedFiles(summary.benchmark.provenance?.files, benchmark.provenance.files),
    };
  } catch (e) {
    const reason = (e as Error).message.split('\n')[0];
    return {
      items: [],
      byCondition: new Map(),
      problem: `the prompts could not be re-rendered from the study and its benchmark: ${reason}`,
    };
  }
}

/** A warning naming the benchmark files whose content differs from what the run recorded, or null. */
export function changedFiles(recorded: readonly FileDigest[] | undefined, now: readonly FileDigest[]): string | null {
  if (!recorded) return null;
  const current = new Map(now.map((f) => [f.path, f]));
  const changed = recorded.filter((f) => current.get(f.path)?.sha256 !== f.sha256).map((f) => f.path);
  const added = now.filter((f) => !recorded.some((r) => r.path === f.path)).map((f) => f.path);
  if (changed.length === 0 && added.length === 0) return null;
  const list = [...changed, ...added];
  const shown = list.slice(0, 3).join(', ') + (list.length > 3 ? ` and ${list.length - 3} more` : '');
  return `the benchmark data changed since the run (${shown} no longer hash to what was scored): prompts are shown only for items whose re-rendered prompt still matches the recorded hash`;
}

/**
 * The prompt a result was scored on, or null when the re-rendered prompt differs from the one the
 * run recorded (the benchmark files changed since the run): a prompt is shown only when exact.
 */
export function promptFor(prompts: PromptSet, index: Map<string, number>, r: ItemResult): ShownPrompt | null {
  const i = index.get(r.itemId);
  const p = i === undefined ? undefined : prompts.byCondition.get(r.condition)?.[i];
  if (!p || p.order.length !== r.order.length || p.order.some((o, k) => o !== r.order[k])) return null;
  if (r.promptHash !== undefined && r.promptHash !== p.hash) return null;
  return p;
}
