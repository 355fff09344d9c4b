/**
 * Answer symbol sets. A set gives the labels the model is scored on (" A") and how each label is
 * displayed in front of its choice line ("A." or "(A)"). Few-shot answers show the label. Each
 * `defineSymbolSet` registers one; the built-in ones are registered at the end of this file.
 */
import { UserError } from '../core/errors.js';
import { Registry } from '../core/registry.js';

export interface SymbolSet {
  readonly name: string;
  /** The first n labels, in shown order; throws a UserError when the set has fewer than n. */
  labels(n: number): string[];
  /** Prefix of a choice line: the line reads `${display(label)} ${text}`. */
  display(label: string): string;
}

export const DEFAULT_SYMBOL_SET = 'ABCD';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('');

function fromList(name: string, list: readonly string[]): (n: number) => string[] {
  return (n) => {
    if (n > list.length) {
      throw new UserError(`symbol set "${name}" has too few symbols: ${list.length} for ${n} choices`);
    }
    return list.slice(0, n);
  };
}

function fromGenerator(make: (index: number) => string): (n: number) => string[] {
  return (n) => Array.from({ length: n }, (_, i) => make(i));
}

const ROMAN_DIGITS: [number, string][] = [
  [1000, 'M'],
  [900, 'CM'],
  [500, 'D'],
  [400, 'CD'],
  [100, 'C'],
  [90, 'XC'],
  [50, 'L'],
  [40, 'XL'],
  [10, 'X'],
  [9, 'IX'],
  [5, 'V'],
  [4, 'IV'],
  [1, 'I'],
];

export function toRoman(value: number): string {
  let rest = value;
  let out = '';
  for (const [amount, digits] of ROMAN_DIGITS) {
    while (rest >= amount) {
      out += digits;
      rest -= amount;
    }
  }
  return out;
}

const dotted = (label: string) => `${label}.`;
const parenthesized = (label: string) => `(${label})`;

export const symbolSetRegistry = new Registry<SymbolSet>('symbol set', true);

/** Registers a symbol set: a fixed list of symbols, or one made from each 0-based position. */
export function defineSymbolSet(definition: {
  name: string;
  symbols: readonly string[] | ((index: number) => string);
  /** Prefix of a choice line; default `A.` */
  display?: (label: string) => string;
}): SymbolSet {
  const { name, symbols, display = dotted } = definition;
  const labels = typeof symbols === 'function' ? fromGenerator(symbols) : fromList(name, [...symbols]);
  return symbolSetRegistry.add({ name, labels, display });
}

/** Every registered symbol set's name (kept current when one is registered later). */
export let SYMBOL_SET_NAMES: readonly string[] = [];
symbolSetRegistry.onChange(() => {
  SYMBOL_SET_NAMES = symbolSetRegistry.names();
});

export function symbolSet(name: string): SymbolSet {
  return symbolSetRegistry.require(name);
}

defineSymbolSet({ name: 'ABCD', symbols: LETTERS });
defineSymbolSet({ name: 'abcd', symbols: LETTERS.map((l) => l.toLowerCase()) });
defineSymbolSet({ name: '1234', symbols: (i) => String(i + 1) });
defineSymbolSet({ name: 'roman', symbols: (i) => toRoman(i + 1) });
defineSymbolSet({ name: 'paren', symbols: LETTERS, display: parenthesized });
// The paper's language-independent tokens and its rare, unordered set: exactly four each.
defineSymbolSet({ name: 'signs', symbols: ['$', '&', '#', '@'] });
defineSymbolSet({ name: 'rare', symbols: ['œ', '§', 'з', 'ü'] });
