import { defineRecipe, type ItemDraft, type RowContext } from './recipe.js';
import { localReaders } from './recipe-local.js';
import { answerByLetter, field, int, labelledChoices, text, texts } from './row-values.js';
import { show } from './rows.js';

export type { ItemDraft, Recipe, RowContext, RowMapper } from './recipe.js';

/**
 * Built-in recipes: where a well-known benchmark lives on the Hugging Face Hub and how its rows
 * become items. Field names are the datasets' own (as the Hub's dataset viewer shows them), and the
 * mappings follow lm-evaluation-harness where it transforms the data (HellaSwag's preprocessing).
 */

const missing = (name: string, what = 'text') => `field ${show(name)} is missing or not ${what}`;

function mmluRow(row: Record<string, unknown>, ctx: RowContext): ItemDraft | string {
  const question = text(row.question);
  const choices = texts(row.choices);
  const answer = int(row.answer);
  if (question === null) return missing('question');
  if (!choices) return missing('choices', 'a list of texts');
  if (answer === null) return missing('answer', 'an integer');
  const subject = text(row.subject) || (ctx.config !== 'all' && ctx.config !== 'default' ? ctx.config : undefined);
  return { question, choices, answer, ...(subject ? { subject } : {}) };
}

function arcRow(row: Record<string, unknown>): ItemDraft | string {
  const question = text(row.question);
  if (question === null) return missing('question');
  const labelled = labelledChoices(row.choices, row.answerKey);
  if (typeof labelled === 'string') return labelled;
  return { question, ...labelled, ...(text(row.id) ? { id: text(row.id)! } : {}) };
}

/** lm-eval's HellaSwag preprocessing: WikiHow's bracketed markers out, double spaces closed. */
export function hellaswagPreprocess(value: string): string {
  return value
    .trim()
    .replaceAll(' [title]', '. ')
    .replace(/\[.*?\]/g, '')
    .replaceAll('  ', ' ');
}

/** Python's str.capitalize: the first character upper case, the rest lower. */
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();

/** The line llama.cpp's HellaSwag file holds: lm-eval's preprocessing without capitalizing ctx_b. */
export const hellaswagLlamaCppLine = (label: string, ctxA: string, ctxB: string) =>
  hellaswagPreprocess(`${label}: ${ctxA} ${ctxB}`);

/**
 * Ids count rows (`validation/<n>`) rather than use `ind`, so the Hub's rows and llama.cpp's text
 * file of the same split give the very same items.
 */
function hellaswagRow(row: Record<string, unknown>): ItemDraft | string {
  const label = text(row.activity_label);
  const ctxA = text(row.ctx_a);
  const ctxB = text(row.ctx_b);
  const endings = texts(row.endings);
  if (label === null) return missing('activity_label');
  if (ctxA === null || ctxB === null) return missing(ctxA === null ? 'ctx_a' : 'ctx_b');
  if (!endings) return missing('endings', 'a list of texts');
  const gold = int(row.label);
  if (gold === null) return `label ${show(row.label)} is not an integer (the test split has no answers)`;
  return {
    question: hellaswagPreprocess(`${label}: ${ctxA} ${capitalize(ctxB)}`),
    choices: endings.map(hellaswagPreprocess),
    answer: gold,
    meta: { activity_label: label, llamaCppContext: hellaswagLlamaCppLine(label, ctxA, ctxB) },
  };
}

function truthfulqaRow(targets: 'mc1_targets' | 'mc2_targets') {
  return (row: Record<string, unknown>): ItemDraft | string => {
    const question = text(row.question);
    const choices = texts(field(row, `${targets}.choices`));
    const labels = field(row, `${targets}.labels`);
    if (question === null) return missing('question');
    if (!choices || !Array.isArray(labels) || labels.length !== choices.length)
      return `${targets} must be {choices: [...], labels: [...]} of equal length`;
    const correct = labels.flatMap((l, k) => (int(l) === 1 ? [k] : []));
    if (targets === 'mc1_targets' && correct.length !== 1)
      return `mc1_targets.labels has ${correct.length} correct answers, expected exactly 1`;
    if (correct.length === 0) return `${targets}.labels has no correct answer`;
    return { question, choices, answer: correct[0], ...(targets === 'mc2_targets' ? { answers: correct } : {}) };
  };
}

function piqaRow(row: Record<string, unknown>): ItemDraft | string {
  const goal = text(row.goal);
  const sol1 = text(row.sol1);
  const sol2 = text(row.sol2);
  const label = int(row.label);
  if (goal === null) return missing('goal');
  if (sol1 === null || sol2 === null) return missing(sol1 === null ? 'sol1' : 'sol2');
  if (label === null) return missing('label', 'an integer');
  return { question: goal, choices: [sol1, sol2], answer: label };
}

/** WinoGrande keeps its blank: the lm-eval protocol completes the sentence up to it with each option. */
function winograndeRow(row: Record<string, unknown>): ItemDraft | string {
  const sentence = text(row.sentence);
  const option1 = text(row.option1);
  const option2 = text(row.option2);
  if (sentence === null) return missing('sentence');
  if (!sentence.includes('_')) return 'sentence has no "_" blank';
  if (option1 === null || option2 === null) return missing(option1 === null ? 'option1' : 'option2');
  const answer = text(row.answer);
  if (answer !== '1' && answer !== '2')
    return `answer ${show(row.answer)} is not "1" or "2" (the test split has no answers)`;
  return { question: sentence, choices: [option1, option2], answer: Number(answer) - 1 };
}

function commonsenseQaRow(row: Record<string, unknown>): ItemDraft | string {
  const question = text(row.question);
  if (question === null) return missing('question');
  const labelled = labelledChoices(row.choices, row.answerKey);
  if (typeof labelled === 'string') return labelled;
  const concept = text(row.question_concept);
  return {
    question,
    ...labelled,
    ...(text(row.id) ? { id: text(row.id)! } : {}),
    ...(concept ? { meta: { question_concept: concept } } : {}),
  };
}

function openbookqaRow(row: Record<string, unknown>): ItemDraft | string {
  const question = text(row.question_stem);
  if (question === null) return missing('question_stem');
  const labelled = labelledChoices(row.choices, row.answerKey);
  if (typeof labelled === 'string') return labelled;
  return { question, ...labelled, ...(text(row.id) ? { id: text(row.id)! } : {}) };
}

/** MMLU-Pro pads some questions with "N/A" options; like the authors' evaluation code, they are left out. */
export function mmluProRow(row: Record<string, unknown>): ItemDraft | string {
  const question = text(row.question);
  const options = texts(row.options);
  const index = int(row.answer_index);
  if (question === null) return missing('question');
  if (!options) return missing('options', 'a list of texts');
  if (index === null || index < 0 || index >= options.length)
    return `answer_index ${show(row.answer_index)} is not an option's index`;
  // The letter is what MMLU-Pro's own evaluation compares against; a few rows' answer_index disagrees with it.
  const letter = text(row.answer);
  const byLetter = letter === null ? index : answerByLetter(letter, options.length);
  if (typeof byLetter === 'string') return byLetter;
  const gold = byLetter;
  if (options[gold] === 'N/A') return 'the answer is an "N/A" option';
  const kept = options.flatMap((o, k) => (o === 'N/A' ? [] : [k]));
  const category = text(row.category);
  const id = text(row.question_id);
  const src = text(row.src);
  return {
    question,
    choices: kept.map((k) => options[k]),
    answer: kept.indexOf(gold),
    ...(id !== null ? { id } : {}),
    ...(category ? { subject: category } : {}),
    ...(src || gold !== index
      ? { meta: { ...(src ? { src } : {}), ...(gold !== index ? { answer_index: index } : {}) } }
      : {}),
  };
}

function kmmluRow(row: Record<string, unknown>, ctx: RowContext): ItemDraft | string {
  const question = text(row.question);
  if (question === null) return missing('question');
  const choices: string[] = [];
  for (const name of ['A', 'B', 'C', 'D']) {
    const choice = text(row[name]);
    if (choice === null) return missing(name);
    choices.push(choice);
  }
  const answer = int(row.answer);
  if (answer === null) return missing('answer', 'an integer 1-4');
  const subject = ctx.config !== 'default' && ctx.config !== '*' ? ctx.config : (text(row.Category) ?? undefined);
  // KMMLU numbers its answers from 1.
  return { question, choices, answer: answer - 1, ...(subject ? { subject } : {}) };
}

/** The built-in recipes, each registered; a new one is its row mapper and one line here. */
export const RECIPES = {
  mmlu: defineRecipe({
    name: 'mmlu',
    dataset: 'hf://datasets/cais/mmlu',
    config: 'all',
    split: 'test',
    fewshotSplit: 'dev',
    subjects: 'rows',
    mapRow: mmluRow,
    readLocal: localReaders.mmlu,
  }),
  arc_challenge: defineRecipe({
    name: 'arc_challenge',
    dataset: 'hf://datasets/allenai/ai2_arc',
    config: 'ARC-Challenge',
    split: 'test',
    subjects: 'rows',
    mapRow: arcRow,
    readLocal: localReaders.arc_challenge,
  }),
  arc_easy: defineRecipe({
    name: 'arc_easy',
    dataset: 'hf://datasets/allenai/ai2_arc',
    config: 'ARC-Easy',
    split: 'test',
    subjects: 'rows',
    mapRow: arcRow,
    readLocal: localReaders.arc_easy,
  }),
  hellaswag: defineRecipe({
    name: 'hellaswag',
    dataset: 'hf://datasets/Rowan/hellaswag',
    split: 'validation',
    subjects: 'rows',
    mapRow: hellaswagRow,
    readLocal: localReaders.hellaswag,
  }),
  truthfulqa_mc1: defineRecipe({
    name: 'truthfulqa_mc1',
    dataset: 'hf://datasets/truthfulqa/truthful_qa',
    config: 'multiple_choice',
    split: 'validation',
    subjects: 'rows',
    mapRow: truthfulqaRow('mc1_targets'),
    readLocal: localReaders.truthfulqa_mc1,
  }),
  truthfulqa_mc2: defineRecipe({
    name: 'truthfulqa_mc2',
    dataset: 'hf://datasets/truthfulqa/truthful_qa',
    config: 'multiple_choice',
    split: 'validation',
    subjects: 'rows',
    mapRow: truthfulqaRow('mc2_targets'),
    readLocal: localReaders.truthfulqa_mc2,
  }),
  commonsense_qa: defineRecipe({
    name: 'commonsense_qa',
    dataset: 'hf://datasets/tau/commonsense_qa',
    split: 'validation',
    subjects: 'rows',
    mapRow: commonsenseQaRow,
    readLocal: localReaders.commonsense_qa,
  }),
  openbookqa: defineRecipe({
    name: 'openbookqa',
    dataset: 'hf://datasets/allenai/openbookqa',
    config: 'main',
    split: 'test',
    subjects: 'rows',
    mapRow: openbookqaRow,
    readLocal: localReaders.openbookqa,
  }),
  piqa: defineRecipe({
    name: 'piqa',
    dataset: 'hf://datasets/baber/piqa',
    split: 'validation',
    subjects: 'rows',
    mapRow: piqaRow,
    readLocal: localReaders.piqa,
  }),
  winogrande: defineRecipe({
    name: 'winogrande',
    dataset: 'hf://datasets/allenai/winogrande',
    config: 'winogrande_xl',
    split: 'validation',
    subjects: 'rows',
    mapRow: winograndeRow,
    readLocal: localReaders.winogrande,
  }),
  mmlu_pro: defineRecipe({
    name: 'mmlu_pro',
    dataset: 'hf://datasets/TIGER-Lab/MMLU-Pro',
    split: 'test',
    fewshotSplit: 'validation',
    subjects: 'rows',
    mapRow: mmluProRow,
  }),
  kmmlu: defineRecipe({
    name: 'kmmlu',
    dataset: 'hf://datasets/HAERAE-HUB/KMMLU',
    config: '*',
    split: 'test',
    fewshotSplit: 'dev',
    subjects: 'configs',
    mapRow: kmmluRow,
  }),
};
