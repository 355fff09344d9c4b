/**
 * The tokenization rule every backend shares (lm-evaluation-harness style):
 * trailing whitespace moves from the context to the continuation, the pair is tokenized
 * together, and the split falls at the length of the context's own tokenization. Tokenizing
 * the two apart would give " A" a different token than it gets after "Answer:".
 */
export type Tokenize<T extends number = number> = (text: string) => T[];

export interface SplitTokens<T extends number = number> {
  /** Context and continuation together, as tokenized (shared: never changed). */
  readonly whole: readonly T[];
  /** Where the continuation starts in `whole`. */
  readonly cut: number;
  readonly context: T[];
  readonly continuation: T[];
  /** False when tokenizing the whole moved the boundary (a token merged across it). */
  readonly prefixMatched: boolean;
}

/** The two parts are copied only when asked for: the HTTP path sends `whole` as it is. */
class Split<T extends number> implements SplitTokens<T> {
  constructor(
    readonly whole: readonly T[],
    readonly cut: number,
    readonly prefixMatched: boolean,
  ) {}

  get context(): T[] {
    return this.whole.slice(0, this.cut);
  }

  get continuation(): T[] {
    return this.whole.slice(this.cut);
  }
}

const WHITESPACE = /\s/;

/** Where the text's trailing whitespace (JavaScript's \s) starts: scanned from the end, as a regex anchored at $ would scan from the start. */
export function trailingWhitespaceStart(text: string): number {
  let i = text.length;
  while (i > 0 && WHITESPACE.test(text[i - 1])) i--;
  return i;
}

export const withoutTrailingWhitespace = (text: string) => text.slice(0, trailingWhitespaceStart(text));

export function moveTrailingWhitespace(context: string, continuation: string): [string, string] {
  const cut = trailingWhitespaceStart(context);
  if (cut === context.length) return [context, continuation];
  return [context.slice(0, cut), context.slice(cut) + continuation];
}

/** Split a pair's joint tokenization at the length of the context's own. */
export function cutTokens<T extends number>(contextOnly: readonly T[], whole: readonly T[]): SplitTokens<T> {
  const cut = Math.min(contextOnly.length, whole.length);
  let prefixMatched = true;
  for (let i = 0; i < cut; i++)
    if (whole[i] !== contextOnly[i]) {
      prefixMatched = false;
      break;
    }
  return new Split(whole, cut, prefixMatched);
}

export function splitTokens<T extends number>(
  tokenize: Tokenize<T>,
  context: string,
  continuation: string,
): SplitTokens<T> {
  const [ctx, cont] = moveTrailingWhitespace(context, continuation);
  return cutTokens(tokenize(ctx), tokenize(ctx + cont));
}
