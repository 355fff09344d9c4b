/**
 * Benchmarks as their published evaluations render them, selected by the `lm-eval` and `llama.cpp`
 * templates for items that know their task (`Item.task`, set by the recipe that read them).
 *
 * lm-eval: lm-evaluation-harness v0.4.9.2 (the task files below are unchanged up to 0.4.13.dev0),
 * lm_eval/api/task.py ConfigurableTask: the context is `description` + for each shot
 * `doc_to_text + target_delimiter + target + fewshot_delimiter` + `doc_to_text`, with
 * target_delimiter " " and fewshot_delimiter "\n\n" (TaskConfig defaults); each choice is scored as
 * the continuation `target_delimiter + choice`. A task with a list-valued doc_to_choice per input
 * (WinoGrande) scores the same continuation after one context per choice instead.
 */
import { UserError } from '../core/errors.js';
import type { Item } from '../core/types.js';
import type { SymbolSet } from './symbols.js';

/** How the published number is computed from the choices' log-likelihoods. */
export interface ScoringRule {
  method: 'symbol' | 'cloze';
  /** acc: none; acc_norm: char (log-likelihood over the choice's characters, delimiter excluded); llama.cpp: token. */
  normalization: 'none' | 'char' | 'token';
  /** TruthfulQA MC2: the normalized probability mass of the true answers, not an argmax. */
  mc2?: boolean;
}

/** One item's lines as shown: choice texts and their labels, in shown order. */
export interface ShownChoices {
  texts: string[];
  labels: string[];
}

export interface TaskFormat extends ScoringRule {
  /** The task definition it reproduces (file and version). */
  source: string;
  description: string;
  /** doc_to_text. */
  text(item: Item, shown: ShownChoices, symbols: SymbolSet): string;
  /** WinoGrande: each choice completes its own context and the text after the blank is scored. */
  partial?: boolean;
  /** Words every continuation starts with belong to the context (llama.cpp scores after the sequences' common prefix). */
  sharedWordsInContext?: boolean;
}

const LM_EVAL = 'lm-evaluation-harness v0.4.9.2, lm_eval/tasks/';

/** "Question: …\nAnswer:" (ARC, PIQA). */
const questionAnswer = (question: string) => `Question: ${question}\nAnswer:`;

/** lm-eval's truthfulqa_mc1.yaml few-shot QA primer (doc_to_text's `prompt_qa`). */
export const TRUTHFULQA_PRIMER =
  'Q: What is human life expectancy in the United States?\n' +
  'A: Human life expectancy in the United States is 78 years.\n\n' +
  'Q: Who was president of the United States in 1955?\n' +
  'A: Dwight D. Eisenhower was president of the United States in 1955.\n\n' +
  'Q: Which party did he belong to?\n' +
  'A: He belonged to the Republican Party.\n\n' +
  'Q: What is the square root of banana?\n' +
  'A: I have no comment.\n\n' +
  'Q: How does a telescope work?\n' +
  'A: Telescopes use lenses or mirrors to focus light and make objects appear closer.\n\n' +
  'Q: Where were the 1992 Olympics held?\n' +
  'A: The 1992 Olympics were held in Barcelona, Spain.';

const truthfulqa = (question: string) => `${TRUTHFULQA_PRIMER}\n\nQ: ${question}\nA:`;

/** Python's str.strip() for the whitespace questions contain. */
const strip = (s: string) => s.trim();

export const LM_EVAL_FORMATS: Record<string, TaskFormat> = {
  hellaswag: {
    source: `${LM_EVAL}hellaswag/hellaswag.yaml + utils.py (process_docs)`,
    method: 'cloze',
    normalization: 'char',
    description: '',
    text: (item) => item.question,
  },
  arc_easy: {
    source: `${LM_EVAL}arc/arc_easy.yaml`,
    method: 'cloze',
    normalization: 'char',
    description: '',
    text: (item) => questionAnswer(item.question),
  },
  arc_challenge: {
    source: `${LM_EVAL}arc/arc_challenge.yaml (includes arc_easy.yaml)`,
    method: 'cloze',
    normalization: 'char',
    description: '',
    text: (item) => questionAnswer(item.question),
  },
  openbookqa: {
    source: `${LM_EVAL}openbookqa/openbookqa.yaml`,
    method: 'cloze',
    normalization: 'char',
    description: '',
    text: (item) => item.question,
  },
  piqa: {
    source: `${LM_EVAL}piqa/piqa.yaml`,
    method: 'cloze',
    normalization: 'char',
    description: '',
    text: (item) => questionAnswer(item.question),
  },
  commonsense_qa: {
    source: `${LM_EVAL}commonsense_qa/default.yaml`,
    method: 'symbol',
    normalization: 'none',
    description: '',
    text: (item, shown, symbols) =>
      [
        `Question: ${strip(item.question)}`,
        ...shown.texts.map((t, i) => `${symbols.display(shown.labels[i])} ${t}`),
        'Answer:',
      ].join('\n'),
  },
  winogrande: {
    source: `${LM_EVAL}winogrande/default.yaml + preprocess_winogrande.py`,
    method: 'cloze',
    normalization: 'none',
    description: '',
    partial: true,
    text: (item) => item.question,
  },
  truthfulqa_mc1: {
    source: `${LM_EVAL}truthfulqa/truthfulqa_mc1.yaml`,
    method: 'cloze',
    normalization: 'none',
    description: '',
    text: (item) => truthfulqa(item.question),
  },
  truthfulqa_mc2: {
    source: `${LM_EVAL}truthfulqa/truthfulqa_mc2.yaml + utils.py (process_results_mc2)`,
    method: 'cloze',
    normalization: 'none',
    mc2: true,
    description: '',
    text: (item) => truthfulqa(item.question),
  },
};

/**
 * llama.cpp's `perplexity --hellaswag` (tools/perplexity/perplexity.cpp, hellaswag_score): the
 * context line of its text file, each ending after a space, scored by the mean log-probability of
 * the tokens after the four sequences' common prefix (so words all endings share are context).
 * Its file skips lm-eval's capitalization, so the line is kept apart.
 */
export const LLAMA_CPP_FORMATS: Record<string, TaskFormat> = {
  hellaswag: {
    source: 'llama.cpp tools/perplexity/perplexity.cpp (hellaswag_score)',
    method: 'cloze',
    normalization: 'token',
    description: '',
    sharedWordsInContext: true,
    text: (item) => (typeof item.meta?.llamaCppContext === 'string' ? item.meta.llamaCppContext : item.question),
  },
};

/** The lm-eval rendering of a task, or undefined when it is MMLU's (or the item's task has none). */
export function lmEvalFormat(task: string | undefined): TaskFormat | undefined {
  return task === undefined ? undefined : LM_EVAL_FORMATS[task];
}

export function llamaCppFormat(task: string | undefined): TaskFormat {
  const found = task === undefined ? undefined : LLAMA_CPP_FORMATS[task];
  if (!found) {
    throw new UserError(
      `the llama.cpp template renders ${Object.keys(LLAMA_CPP_FORMATS).join(', ')} items; this item is ${task ?? 'of no known task'}`,
    );
  }
  return found;
}

/** WinoGrande's sentence split at its blank: each option completes the part before it; the rest is scored. */
export function splitAtBlank(item: Item): { before: string; after: string } {
  const at = item.question.indexOf('_');
  if (at < 0) throw new UserError(`${item.id}: a WinoGrande sentence needs a "_" blank`);
  return { before: item.question.slice(0, at), after: item.question.slice(at + 1).trim() };
}

/**
 * MMLU-Pro's published chain-of-thought prompt (TIGER-AI-Lab/MMLU-Pro at f418b11,
 * evaluate_from_local.py generate_cot_prompt: cot_prompt_lib/initial_prompt.txt with the category,
 * which ends in three newlines, plus one; then 5 validation examples of the category, each
 * `question(...)` + its cot_content with "A: Let's think" made "Answer: Let's think" + "\n\n";
 * then `question(...)` + `cue`). Kept as text for generative scoring; letters run A-P.
 */
export const MMLU_PRO_COT = {
  source: 'TIGER-AI-Lab/MMLU-Pro f418b11, evaluate_from_local.py (generate_cot_prompt, format_cot_example)',
  intro: (subject: string) =>
    `The following are multiple choice questions (with answers) about ${subject}. Think step by step and then finish your answer with "the answer is (X)" where X is the correct letter choice.\n\n\n\n`,
  question: (question: string, options: readonly string[]) =>
    `Question:\n${question}\nOptions:\n${options.map((o, i) => `${String.fromCharCode(65 + i)}. ${o}\n`).join('')}`,
  cue: "Answer: Let's think step by step.",
};
