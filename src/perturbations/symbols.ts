/**
 * Answer symbol sets. A set gives the labels the model is scored on (" A") and how each label is
 * displayed in front of its choice line ("A." or "(A)"). Few-shot answers show the label.
 */
import { UserError } from '../core/errors.js';

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

const SETS: readonly SymbolSet[] = [
  { name: 'ABCD', labels: fromList('ABCD', LETTERS), display: dotted },
  {
    name: 'abcd',
    labels: fromList(
      'abcd',
      LETTERS.map((l) => l.toLowerCase()),
    ),
    display: dotted,
  },
  { name: '1234', labels: fromGenerator((i) => String(i + 1)), display: dotted },
  { name: 'roman', labels: fromGenerator((i) => toRoman(i + 1)), display: dotted },
  { name: 'paren', labels: fromList('paren', LETTERS), display: parenthesized },
  // The paper's language-independent tokens and its rare, unordered set: exactly four each.
  { name: 'signs', labels: fromList('signs', ['$', '&', '#', '@']), display: dotted },
  { name: 'rare', labels: fromList('rare', ['œ', '§', 'з', 'ü']), display: dotted },
];

export const SYMBOL_SET_NAMES = SETS.map((s) => s.name) as [string, ...string[]];

export function symbolSet(name: string): SymbolSet {
  const found = SETS.find((s) => s.name === name);
  if (!found) {
    throw new UserError(`unknown symbol set "${name}"; known: ${SYMBOL_SET_NAMES.join(', ')}`);
  }
  return found;
}
