/**
 * The tokenization rule every backend shares (lm-evaluation-harness style):
 * trailing whitespace moves from the context to the continuation, the pair is tokenized
 * together, and the split falls at the length of the context's own tokenization. Tokenizing
 * the two apart would give " A" a different token than it gets after "Answer:".
 */
export type Tokenize<T extends number = number> = (text: string) => T[];

export interface SplitTokens<T extends number = number> {
  context: T[];
  continuation: T[];
  /** False when tokenizing the whole moved the boundary (a token merged across it). */
  prefixMatched: boolean;
}

export function moveTrailingWhitespace(context: string, continuation: string): [string, string] {
  const m = /\s+$/.exec(context);
  if (!m) return [context, continuation];
  return [context.slice(0, m.index), m[0] + continuation];
}

export function splitTokens<T extends number>(tokenize: Tokenize<T>, context: string, continuation: string): SplitTokens<T> {
  const [ctx, cont] = moveTrailingWhitespace(context, continuation);
  const whole = tokenize(ctx + cont);
  const contextOnly = tokenize(ctx);
  const cut = Math.min(contextOnly.length, whole.length);
  let prefixMatched = true;
  for (let i = 0; i < cut; i++) if (whole[i] !== contextOnly[i]) { prefixMatched = false; break; }
  return { context: whole.slice(0, cut), continuation: whole.slice(cut), prefixMatched };
}
