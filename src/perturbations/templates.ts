/**
 * Prompt templates and the renderer that turns a presentation into a context plus one scored
 * continuation per shown choice. Each template reproduces a published MMLU implementation.
 */
import { UserError } from '../core/errors.js';
import type { Item } from '../core/types.js';
import type { PerturbedPresentation } from './presentation.js';
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
}

interface Template {
  name: string;
  description(subject: string | undefined): string;
  /** The question as it opens a block. */
  question(text: string): string;
  cue: string;
}

export const DEFAULT_TEMPLATE = 'lm-eval';

const INTRO = 'The following are multiple choice questions (with answers)';

const aboutSubject = (subject: string | undefined) =>
  subject ? `${INTRO} about ${subject.replace(/_/g, ' ')}.\n\n` : `${INTRO}.\n\n`;

/** The original MMLU code prefixes every word with a space, hence "about  abstract algebra.". */
const hendrycksSubject = (subject: string | undefined) =>
  subject ? `${INTRO} about ${subject.split('_').map((w) => ` ${w}`).join('')}.\n\n` : `${INTRO}.\n\n`;

const TEMPLATES: readonly Template[] = [
  { name: 'lm-eval', description: aboutSubject, question: (q) => q.trim(), cue: 'Answer:' },
  { name: 'no-subject', description: () => `${INTRO}.\n\n`, question: (q) => q.trim(), cue: 'Answer:' },
  { name: 'correct-answer', description: aboutSubject, question: (q) => q.trim(), cue: 'Correct Answer:' },
  { name: 'helm', description: aboutSubject, question: (q) => `Question: ${q.trim()}`, cue: 'Answer:' },
  { name: 'hendrycks', description: hendrycksSubject, question: (q) => q, cue: 'Answer:' },
];

export const TEMPLATE_NAMES = TEMPLATES.map((t) => t.name) as [string, ...string[]];

function templateNamed(name: string): Template {
  const found = TEMPLATES.find((t) => t.name === name);
  if (!found) throw new UserError(`unknown template "${name}"; known: ${TEMPLATE_NAMES.join(', ')}`);
  return found;
}

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
function renderBlock(view: BlockView, template: Template, symbols: SymbolSet, method: Method, hideQuestion: boolean): string {
  const lines = hideQuestion ? [] : [template.question(view.item.question)];
  if (method !== 'cloze') {
    const labels = labelsShown(view, symbols);
    view.order.forEach((choice, position) => lines.push(`${symbols.display(labels[position])} ${view.item.choices[choice]}`));
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

export function renderPrompt(p: PerturbedPresentation, method: Method): RenderedPrompt {
  const template = templateNamed(p.template);
  const symbols = symbolSet(p.symbolSet);
  const hideQuestion = p.hideQuestion === true;
  if (hideQuestion && method === 'cloze') throw new UserError('choices-only shows no question, so it needs symbol or hybrid scoring (cloze would show nothing)');
  checkPermutation(p.order, p.item.choices.length, p.item.id);
  const view: BlockView = { item: p.item, order: p.order, labelOrder: p.labelOrder ?? p.order.map((_, i) => i) };
  checkPermutation(view.labelOrder, p.order.length, `${p.item.id} symbols`);

  let context = template.description(p.item.subject);
  for (const shot of p.shots) {
    checkPermutation(shot.order, shot.item.choices.length, `shot ${shot.item.id}`);
    const shotView: BlockView = { item: shot.item, order: shot.order, labelOrder: shot.labelOrder ?? shot.order.map((_, i) => i) };
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
