/**
 * Reading a prompt back, as a simulated model must: which benchmark item a context asks about
 * (its last question block), in which order and under which symbols the choices are shown, and
 * in which format. The simulated model sees nothing but the request text, like any backend.
 */
import type { Item } from '../core/types.js';
import { basePresentation } from '../perturbations/presentation.js';
import { SYMBOL_SET_NAMES, symbolSet } from '../perturbations/symbols.js';
import { renderPrompt } from '../perturbations/templates.js';

export interface ReadPrompt {
  item: Item;
  /** order[shown] = original choice index; null when the choices are not shown (cloze). */
  order: number[] | null;
  /** The symbol on each shown line; null when the choices are not shown. */
  labels: string[] | null;
  /** False for the choices-only probe: the question itself is hidden. */
  questionShown: boolean;
  /** The prompt format: header without the subject, the question's prefix, the cue. */
  format: string;
}

const firstLine = (s: string) => s.trim().split('\n')[0].trim();
const choiceSetKey = (texts: readonly string[]) => JSON.stringify([...texts].sort());

export class PromptIndex {
  private readonly byQuestionLine = new Map<string, number[]>();
  private readonly byChoiceSet = new Map<string, number[]>();
  /** Per number of choices: shown line prefix ("A.", "(A)", "IV.") → symbol, over every symbol set. */
  private readonly displays = new Map<number, Map<string, string>>();

  constructor(readonly items: readonly Item[]) {
    items.forEach((item, k) => {
      push(this.byQuestionLine, firstLine(item.question), k);
      push(this.byChoiceSet, choiceSetKey(item.choices), k);
    });
  }

  /**
   * The items whose question block ends the context (none when it asks none of them). Several
   * only when items share a question and the choices are not shown: the continuation decides.
   */
  read(context: string): ReadPrompt[] {
    const cueAt = context.lastIndexOf('\n');
    if (cueAt < 0) return [];
    const body = context.slice(0, cueAt);
    const cue = context.slice(cueAt + 1);
    // The test block is the last one: scan lines upward for the first line of a known question.
    for (let end = body.length; ;) {
      const start = body.lastIndexOf('\n', end - 1) + 1;
      const line = body.slice(start, end);
      const keys = new Set([line.trim(), line.replace(/^\S+:\s+/, '').trim()]);
      const found: ReadPrompt[] = [];
      for (const key of keys) {
        for (const k of this.byQuestionLine.get(key) ?? []) {
          const block = this.readQuestionBlock(body, start, this.items[k]);
          if (block)
            found.push({
              item: this.items[k],
              ...block.shown,
              questionShown: true,
              format: formatOf(body, start, block.prefix, cue, this.items[k]),
            });
        }
      }
      if (found.length > 0) return found;
      if (start === 0) break;
      end = start - 1;
    }
    return this.readChoicesOnly(body, cue);
  }

  /** A block starting at `start`: optional prefix, the question, then the choice lines or nothing. */
  private readQuestionBlock(body: string, start: number, item: Item) {
    const question = item.question.trim();
    const at = body.indexOf(question, start);
    if (at < 0) return null;
    const prefix = body.slice(start, at);
    if (prefix.includes('\n')) return null;
    const rest = body.slice(at + question.length).replace(/^\s+/, '');
    const shown = rest === '' ? { order: null, labels: null } : this.readChoices(rest, item);
    return shown ? { prefix, shown } : null;
  }

  /** No question found: the choices-only probe shows the choice lines alone after a blank line. */
  private readChoicesOnly(body: string, cue: string): ReadPrompt[] {
    const start = body.lastIndexOf('\n\n') + 2;
    const block = body.slice(start === 1 ? 0 : start);
    const texts = block.split('\n').map((line) => line.slice(line.indexOf(' ') + 1));
    return (this.byChoiceSet.get(choiceSetKey(texts)) ?? []).flatMap((k) => {
      const shown = this.readChoices(block, this.items[k]);
      return shown
        ? [
            {
              item: this.items[k],
              ...shown,
              questionShown: false,
              format: formatOf(body, start, '(no question)', cue, this.items[k]),
            },
          ]
        : [];
    });
  }

  /** Exactly the item's n choices, one per line as `${display(symbol)} ${text}`, in some order. */
  private readChoices(text: string, item: Item): { order: number[]; labels: string[] } | null {
    const n = item.choices.length;
    const displays = this.displaysFor(n);
    const used = new Array<boolean>(n).fill(false);
    const order: number[] = [];
    const labels: string[] = [];
    let cursor = 0;
    for (let j = 0; j < n; j++) {
      const space = text.indexOf(' ', cursor);
      const label = space < 0 ? undefined : displays.get(text.slice(cursor, space));
      if (label === undefined) return null;
      // The longest unused choice that fills the rest of the line (one text may prefix another).
      let best = -1;
      item.choices.forEach((choice, k) => {
        const end = space + 1 + choice.length;
        if (used[k] || !text.startsWith(choice, space + 1) || (end !== text.length && text[end] !== '\n')) return;
        if (best < 0 || choice.length > item.choices[best].length) best = k;
      });
      if (best < 0) return null;
      used[best] = true;
      order.push(best);
      labels.push(label);
      cursor = space + 1 + item.choices[best].length + 1;
    }
    return cursor === text.length + 1 ? { order, labels } : null;
  }

  private displaysFor(n: number): Map<string, string> {
    let map = this.displays.get(n);
    if (!map) {
      map = new Map();
      for (const name of SYMBOL_SET_NAMES) {
        const set = symbolSet(name);
        let labels: string[];
        try {
          labels = set.labels(n);
        } catch {
          continue; // a set with fewer than n symbols cannot have been shown
        }
        for (const label of labels) map.set(set.display(label), label);
      }
      this.displays.set(n, map);
    }
    return map;
  }
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** What a template varies: the header (subject removed), the text before the question, the cue. */
function formatOf(body: string, blockStart: number, prefix: string, cue: string, item: Item): string {
  const headerEnd = body.indexOf('\n\n');
  let header = headerEnd >= 0 && headerEnd < blockStart ? body.slice(0, headerEnd) : '';
  if (item.subject) header = header.split(item.subject.replace(/_/g, ' ')).join('{subject}');
  return JSON.stringify([header, prefix, cue]);
}

/** The format of the standard prompt (lm-eval MMLU template), the one `ability` is defined under. */
export const STANDARD_FORMAT: string = (() => {
  const item: Item = { id: 'standard', subject: 'anatomy', question: 'Which?', choices: ['x', 'y'], answer: 0 };
  const [read] = new PromptIndex([item]).read(renderPrompt(basePresentation(item), 'symbol').context);
  if (!read) throw new Error('the standard prompt cannot be read back');
  return read.format;
})();
