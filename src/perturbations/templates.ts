/**
 * Prompt templates and the renderer that turns a presentation into a context plus one scored
 * continuation per shown choice. Each template reproduces a published MMLU implementation; for
 * items of another known task, `lm-eval` and `llama.cpp` render that task's own published format
 * (see protocols.ts) when the condition scores the way the task is published. Each `defineTemplate`
 * registers one; the built-in ones are registered below, in the order messages list them.
 */
import { createHash } from 'node:crypto';
import { UserError } from '../core/errors.js';
import { Registry } from '../core/registry.js';
import type { Item } from '../core/types.js';
import { DEFAULT_TEMPLATE, type PerturbedPresentation } from './presentation.js';
import { llamaCppFormat, lmEvalFormat, splitAtBlank, type TaskFormat } from './protocols.js';
import { symbolSet, type SymbolSet } from './symbols.js';

/**
 * symbol: score " A"; hybrid: show the choices, score " text"; cloze: hide them, score " text";
 * generate: show the choices as symbol scoring does and read the answer from the model's text.
 */
export type Method = 'symbol' | 'hybrid' | 'cloze' | 'generate';

export interface RenderedPrompt {
  context: string;
  /** One per shown position, in shown order, each with a leading space. */
  continuations: string[];
  /** The cue alone ("Answer:"), the context of the unconditional term in PMI normalization. */
  unconditionalContext: string;
  /** Partial scoring (WinoGrande): one context per shown position, each scored with its continuation. */
  contexts?: string[];
}

export interface Template {
  name: string;
  /** What opens the prompt, before the first block (the subject when the item has one). */
  description(subject: string | undefined): string;
  /** The question as it opens a block. */
  question(text: string): string;
  cue: string;
}

export { DEFAULT_TEMPLATE };

const INTRO = 'The following are multiple choice questions (with answers)';

const aboutSubject = (subject: string | undefined) =>
  subject ? `${INTRO} about ${subject.replace(/_/g, ' ')}.\n\n` : `${INTRO}.\n\n`;

/** The original MMLU code prefixes every word with a space, hence "about  abstract algebra.". */
const hendrycksSubject = (subject: string | undefined) =>
  subject
    ? `${INTRO} about ${subject
        .split('_')
        .map((w) => ` ${w}`)
        .join('')}.\n\n`
    : `${INTRO}.\n\n`;

/** Renders only items of a task that llama.cpp evaluates (see protocols.ts). */
export const LLAMA_CPP_TEMPLATE = 'llama.cpp';

export const templateRegistry = new Registry<Template>('template');

/** Registers a prompt template and returns it. */
export function defineTemplate(template: Template): Template {
  if (template.name === LLAMA_CPP_TEMPLATE)
    throw new UserError(`a template named "${LLAMA_CPP_TEMPLATE}" is already registered`);
  return templateRegistry.add(template);
}

/** The templates that render any item (in MMLU's frame, or lm-eval's own format for a known task). */
export let TEMPLATE_NAMES: readonly string[] = [];
templateRegistry.onChange(() => {
  TEMPLATE_NAMES = templateRegistry.names();
});

defineTemplate({ name: 'lm-eval', description: aboutSubject, question: (q) => q.trim(), cue: 'Answer:' });
defineTemplate({ name: 'no-subject', description: () => `${INTRO}.\n\n`, question: (q) => q.trim(), cue: 'Answer:' });
defineTemplate({
  name: 'correct-answer',
  description: aboutSubject,
  question: (q) => q.trim(),
  cue: 'Correct Answer:',
});
defineTemplate({ name: 'helm', description: aboutSubject, question: (q) => `Question: ${q.trim()}`, cue: 'Answer:' });
defineTemplate({ name: 'hendrycks', description: hendrycksSubject, question: (q) => q, cue: 'Answer:' });

/** What one block shows: the item, its shown order and the label index on each line. */
interface BlockView {
  item: Item;
  order: readonly number[];
  labelOrder: readonly number[];
}

function labelsShown(view: BlockView, symbols: SymbolSet): string[] {
  const labels = symbols.labels(view.order.length);
  return view.labelOrder.map((i) => labels[i]);
}

/** A question block ending with the cue, never with whitespace. */
function renderBlock(
  view: BlockView,
  template: Template,
  symbols: SymbolSet,
  method: Method,
  hideQuestion: boolean,
): string {
  const lines = hideQuestion ? [] : [template.question(view.item.question)];
  if (method !== 'cloze') {
    const labels = labelsShown(view, symbols);
    view.order.forEach((choice, position) =>
      lines.push(`${symbols.display(labels[position])} ${view.item.choices[choice]}`),
    );
  }
  return `${lines.join('\n')}\n${template.cue}`;
}

/** Continuations in shown order: the labels for symbol scoring, the texts otherwise. */
function continuationsOf(view: BlockView, symbols: SymbolSet, method: Method): string[] {
  if (method === 'symbol' || method === 'generate') return labelsShown(view, symbols).map((label) => ` ${label}`);
  return view.order.map((choice) => ` ${view.item.choices[choice]}`);
}

function checkPermutation(order: readonly number[], n: number, what: string): void {
  const seen = new Set(order);
  if (order.length !== n || seen.size !== n || order.some((i) => !Number.isInteger(i) || i < 0 || i >= n)) {
    throw new Error(`${what}: order ${JSON.stringify(order)} is not a permutation of ${n} choices`);
  }
}

/** The task's own published format when the template and scoring select it, else undefined (MMLU's frame). */
function taskFormat(p: PerturbedPresentation, method: Method): TaskFormat | undefined {
  if (p.template === LLAMA_CPP_TEMPLATE) {
    const format = llamaCppFormat(p.item.task);
    if (method !== format.method)
      throw new UserError(`the llama.cpp template is published with ${format.method} scoring, not ${method}`);
    return format;
  }
  const format = p.template === DEFAULT_TEMPLATE ? lmEvalFormat(p.item.task) : undefined;
  return format && format.method === method && p.hideQuestion !== true ? format : undefined;
}

/** A task format has no cue of its own; PMI's unconditional term uses MMLU's. */
const UNCONDITIONAL = 'Answer:';

/** One block of a task's own format: doc_to_text, and the choices (doc_to_choice) in shown order. */
function taskBlock(view: BlockView, format: TaskFormat, symbols: SymbolSet): { text: string; choices: string[] } {
  const labels = labelsShown(view, symbols);
  const texts = view.order.map((choice) => view.item.choices[choice]);
  const text = format.text(view.item, { texts, labels }, symbols);
  return { text, choices: format.method === 'symbol' ? labels : texts };
}

/**
 * lm-eval's context: description, then each shot's doc_to_text + " " + target + "\n\n", then the
 * item's doc_to_text; continuations " " + choice. Partial scoring puts each choice into its own
 * context (the sentence up to the blank plus the option) and scores the rest of the sentence.
 */
function renderTask(p: PerturbedPresentation, view: BlockView, format: TaskFormat, symbols: SymbolSet): RenderedPrompt {
  let prefix = format.description;
  for (const shot of p.shots) {
    const shotView: BlockView = {
      item: shot.item,
      order: shot.order,
      labelOrder: shot.labelOrder ?? shot.order.map((_, i) => i),
    };
    if (format.partial) {
      const { before, after } = splitAtBlank(shot.item);
      prefix += `${before}${shot.item.choices[shot.order[shot.answerPosition]]} ${after}\n\n`;
      continue;
    }
    const block = taskBlock(shotView, format, symbols);
    const answer = block.choices[shot.answerPosition];
    if (answer === undefined)
      throw new Error(`shot ${shot.item.id}: answer position ${shot.answerPosition} is out of range`);
    prefix += `${block.text} ${answer}\n\n`;
  }
  if (format.partial) {
    const { before, after } = splitAtBlank(p.item);
    const contexts = view.order.map((choice) => `${prefix}${before}${p.item.choices[choice]}`);
    return {
      context: contexts[0],
      contexts,
      continuations: contexts.map(() => ` ${after}`),
      unconditionalContext: UNCONDITIONAL,
    };
  }
  const block = taskBlock(view, format, symbols);
  const continuations = block.choices.map((c) => ` ${c}`);
  const shared = format.sharedWordsInContext ? sharedWords(continuations) : 0;
  return {
    context: prefix + block.text + continuations[0].slice(0, shared),
    continuations: continuations.map((c) => c.slice(shared)),
    unconditionalContext: UNCONDITIONAL,
  };
}

/** Length of the whole words (each with its leading space) every text starts with. */
function sharedWords(texts: readonly string[]): number {
  let common = 0;
  while (common < texts[0].length && texts.every((t) => t[common] === texts[0][common])) common++;
  // Only a cut before a space that every text has there (or at its end) leaves each continuation a whole word.
  while (common > 0 && !texts.every((t) => t.length === common || t[common] === ' ')) common--;
  return texts.some((t) => t.length === common) ? 0 : common;
}

export function renderPrompt(p: PerturbedPresentation, method: Method): RenderedPrompt {
  const symbols = symbolSet(p.symbolSet);
  const hideQuestion = p.hideQuestion === true;
  if (hideQuestion && method === 'cloze')
    throw new UserError(
      'choices-only shows no question, so it needs symbol or hybrid scoring (cloze would show nothing)',
    );
  checkPermutation(p.order, p.item.choices.length, p.item.id);
  const view: BlockView = { item: p.item, order: p.order, labelOrder: p.labelOrder ?? p.order.map((_, i) => i) };
  checkPermutation(view.labelOrder, p.order.length, `${p.item.id} symbols`);
  for (const shot of p.shots) checkPermutation(shot.order, shot.item.choices.length, `shot ${shot.item.id}`);
  const format = taskFormat(p, method);
  if (format) return renderTask(p, view, format, symbols);
  const template = templateRegistry.require(p.template);

  let context = template.description(p.item.subject);
  for (const shot of p.shots) {
    checkPermutation(shot.order, shot.item.choices.length, `shot ${shot.item.id}`);
    const shotView: BlockView = {
      item: shot.item,
      order: shot.order,
      labelOrder: shot.labelOrder ?? shot.order.map((_, i) => i),
    };
    checkPermutation(shotView.labelOrder, shot.order.length, `shot ${shot.item.id} symbols`);
    const answer = continuationsOf(shotView, symbols, method)[shot.answerPosition];
    if (answer === undefined) {
      throw new Error(`shot ${shot.item.id}: answer position ${shot.answerPosition} is out of range`);
    }
    context += `${renderBlock(shotView, template, symbols, method, hideQuestion)}${answer}\n\n`;
  }
  context += renderBlock(view, template, symbols, method, hideQuestion);

  return { context, continuations: continuationsOf(view, symbols, method), unconditionalContext: template.cue };
}

/**
 * The first 16 hex digits of the sha256 of every context and continuation of a rendered prompt:
 * recorded with each result, so a report can tell whether re-rendering the benchmark files still
 * gives what the model was scored on.
 */
export function promptHash(prompt: RenderedPrompt): string {
  const hash = createHash('sha256');
  for (const context of prompt.contexts ?? [prompt.context]) hash.update(`${context}\u0000`);
  for (const continuation of prompt.continuations) hash.update(`\u0001${continuation}`);
  return hash.digest('hex').slice(0, 16);
}
