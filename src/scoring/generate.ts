/**
 * Generative scoring: the model writes an answer (greedy, at most maxTokens tokens), optionally
 * after thinking step by step, and the answer's label is read from the text by the benchmark's
 * published extraction. A text from which no shown label is read is unscored (strict policy:
 * counted in n, never correct); MMLU-Pro's random fill is computed beside it (see randomFill).
 */
import type { GenerateResult, RequestResult } from '../core/types.js';
import { makeRng, seedFrom } from '../core/rng.js';
import type { PerturbedPresentation } from '../perturbations/presentation.js';
import { labelIndices } from '../perturbations/presentation.js';
import { symbolSet } from '../perturbations/symbols.js';
import { renderPrompt, type RenderedPrompt } from '../perturbations/templates.js';
import { makeExtractor, type ExtractionRule } from './extract.js';

export interface ChainOfThought {
  /** Added to the prompt's first paragraph (the description), as MMLU-Pro's initial prompt does. */
  instruction: string;
  /** Appended after the final cue ("Answer:"). */
  cue: string;
}

/** MMLU-Pro's (cot_prompt_lib/initial_prompt.txt and format_cot_example in evaluate_from_local.py). */
export const MMLU_PRO_COT: ChainOfThought = {
  instruction:
    'Think step by step and then finish your answer with "the answer is (X)" where X is the correct letter choice.',
  cue: " Let's think step by step.",
};

export interface GenerationSettings {
  maxTokens: number;
  chainOfThought: ChainOfThought | null;
  extraction: ExtractionRule;
  /** Generation ends before the first of these (MMLU-Pro stops at "Question:"). */
  stop: string[];
  /** Recorded and sent to backends that take one; decoding is greedy, so it changes nothing there. */
  seed: number;
}

/** What a generative cell adds to its item line: the text as written and the label read from it. */
export interface GenerationReading {
  generated: string;
  finish: GenerateResult['finish'];
  /** The label the extraction read, or null when nothing matched. */
  extracted: string | null;
}

/** MMLU-Pro's answer alphabet is A-J whatever the number of options: read it from the same set when it has that many. */
const MMLU_PRO_LABELS = 10;

/** The labels an extraction rule can read for this presentation. */
function readableLabels(p: PerturbedPresentation, rule: ExtractionRule): string[] {
  const set = symbolSet(p.symbolSet);
  const n = p.order.length;
  if (rule === 'mmlu-pro' && n < MMLU_PRO_LABELS) {
    try {
      return set.labels(MMLU_PRO_LABELS);
    } catch {
      // A set of fewer symbols (signs, rare) reads only those.
    }
  }
  return set.labels(n);
}

/** The prompt a generative condition sends: the symbol-scoring prompt, with the chain-of-thought instruction and cue when asked for. */
export function generativeContext(p: PerturbedPresentation, cot: ChainOfThought | null): string {
  const { context } = renderPrompt(p, 'generate');
  if (!cot) return context;
  const end = context.indexOf('\n\n');
  const withInstruction =
    end > 0 ? `${context.slice(0, end)} ${cot.instruction}${context.slice(end)}` : `${cot.instruction}\n\n${context}`;
  return withInstruction + cot.cue;
}

export interface CompiledGeneration {
  /** The prompt as the model saw it (the generative context), for the result's prompt hash. */
  prompt: RenderedPrompt;
  requests: [{ kind: 'generate'; context: string; maxTokens: number; stop: string[]; seed: number }];
  reduce(results: RequestResult[]): (number | null)[];
  read(results: RequestResult[]): GenerationReading;
}

/**
 * One generate request; its score vector holds 0 at the shown position whose label was read and
 * null elsewhere (so the argmax is that position, and an unread answer is unscored).
 */
export function compileGeneration(p: PerturbedPresentation, settings: GenerationSettings): CompiledGeneration {
  const shown = symbolSet(p.symbolSet).labels(p.order.length);
  const labelAt = labelIndices(p).map((i) => shown[i]);
  const extract = makeExtractor(settings.extraction, readableLabels(p, settings.extraction));
  const read = (results: RequestResult[]): GenerationReading => {
    const r = results[0];
    if (r?.kind !== 'generate') throw new Error(`result of kind ${r?.kind} does not answer a generate request`);
    return { generated: r.text, finish: r.finish, extracted: extract(r.text) };
  };
  const context = generativeContext(p, settings.chainOfThought);
  return {
    prompt: { ...renderPrompt(p, 'generate'), context },
    requests: [{ kind: 'generate', context, maxTokens: settings.maxTokens, stop: settings.stop, seed: settings.seed }],
    read,
    reduce: (results) => {
      const { extracted } = read(results);
      const position = extracted === null ? -1 : labelAt.indexOf(extracted);
      return labelAt.map((_, i) => (i === position ? 0 : null));
    },
  };
}

/**
 * MMLU-Pro's fill for an answer it cannot read (save_res in evaluate_from_local.py: a uniform
 * random option under random.seed(12345)). Drawn per item from (seed, condition, item) rather
 * than from one sequential stream, so it does not depend on the order items were run in.
 */
export function randomFill(seed: number, condition: string, itemId: string, choices: number): number {
  return Math.floor(makeRng(seedFrom('random-fill', seed, condition, itemId))() * choices);
}
