import type { LlamaModel, Token } from 'node-llama-cpp';

/**
 * A GGUF vocabulary's tokenizer, BOS included when the model wants one, that tokenizes a text
 * line by line when that is exact, remembering each line.
 *
 * llama.cpp's SentencePiece (SPM) tokenizer merges neighbouring pieces only into pieces of the
 * vocabulary. When no piece but a bare newline holds a newline, nothing ever merges across one, so
 * the tokens of a text are those of its lines, each as it comes after a newline: for a middle
 * line `l`, tokens("\n" + l + "\n") less the leading tokens("\n") (the space prefix and the
 * newline). A prompt repeats most of its lines (few-shot examples, the question under every
 * choice and condition), so each text costs a few lookups instead of a pass of the tokenizer,
 * which is most of an HTTP study's client time. Other vocabularies (BPE's pre-tokenizer regexes
 * do group newlines with their neighbours) are tokenized whole, each text remembered (contexts
 * repeat across choices and conditions). Either way callers need no cache of their own.
 */
export function ggufTokenizer(model: LlamaModel): (text: string) => Token[] {
  const bos = model.tokens.bos;
  const prefix: Token[] = model.tokens.shouldPrependBosToken && bos !== null ? [bos] : [];
  const whole = (text: string) => model.tokenize(text, false);
  if (!splitsAtNewlines(model)) return remembered((text) => [...prefix, ...whole(text)]);
  const afterNewline = whole('\n').length;
  // A first line is tokenized as it starts a text (with the space prefix), the others as they follow a newline.
  const firstLines = new Map<string, Token[]>();
  const lines = new Map<string, Token[]>();
  const line = (text: string, first: boolean) => {
    const known = first ? firstLines : lines;
    let tokens = known.get(text);
    if (!tokens) {
      tokens = first ? whole(text) : whole(`\n${text}`).slice(afterNewline);
      if (known.size >= 100_000) known.clear();
      known.set(text, tokens);
    }
    return tokens;
  };
  return (text) => {
    const out = [...prefix];
    let start = 0;
    for (let end = text.indexOf('\n'); ; end = text.indexOf('\n', start)) {
      const last = end < 0;
      const piece = line(text.slice(start, last ? text.length : end + 1), start === 0);
      for (let i = 0; i < piece.length; i++) out.push(piece[i]);
      if (last) return out;
      start = end + 1;
    }
  };
}

/** SPM, and no piece of the vocabulary holds a newline but one that is a bare newline. */
export function splitsAtNewlines(model: LlamaModel): boolean {
  if (model.vocabularyType !== 'spm') return false;
  const pieces = (model.fileInfo.metadata as { tokenizer?: { ggml?: { tokens?: unknown } } }).tokenizer?.ggml?.tokens;
  if (!Array.isArray(pieces) || pieces.length === 0) return false;
  return pieces.every((p) => typeof p === 'string' && (p === '\n' || !p.includes('\n')));
}

/** Memoize a tokenizer by text (at most 50,000 texts, then forgotten at once). */
function remembered(tokenize: (text: string) => Token[]): (text: string) => Token[] {
  const known = new Map<string, Token[]>();
  return (text) => {
    let tokens = known.get(text);
    if (!tokens) {
      tokens = tokenize(text);
      if (known.size >= 50_000) known.clear();
      known.set(text, tokens);
    }
    return tokens;
  };
}
