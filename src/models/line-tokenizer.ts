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
 *
 * A line not seen before is cut the same way into words when no piece holds a space mark (▁, the
 * tokenizer's escaped space) after anything but another one: nothing then merges across the start
 * of a run of spaces, and a word is tokenized, once, as it follows a newline (the first word of a
 * text as it starts one). Words repeat far more than lines (an answer choice under every label and
 * condition), so the native tokenizer reads a fraction of the text.
 */
export function ggufTokenizer(model: LlamaModel): (text: string) => Token[] {
  const bos = model.tokens.bos;
  const prefix: Token[] = model.tokens.shouldPrependBosToken && bos !== null ? [bos] : [];
  const whole = (text: string) => model.tokenize(text, false);
  if (!splitsAtNewlines(model)) return remembered((text) => [...prefix, ...whole(text)]);
  const afterNewline = whole('\n').length;
  // A first piece is tokenized as it starts a text (with the space prefix), the others as they follow a newline.
  const piece = (text: string, first: boolean) => (first ? whole(text) : whole(`\n${text}`).slice(afterNewline));
  const word = rememberedPieces(piece);
  const line = rememberedPieces(splitsAtSpaces(model) ? (text, first) => byWords(text, first, word) : piece);
  return (text) => {
    const pieces: Token[][] = [];
    let start = 0;
    for (let end = text.indexOf('\n'); ; end = text.indexOf('\n', start)) {
      const last = end < 0;
      pieces.push(line(text.slice(start, last ? text.length : end + 1), start === 0));
      // One concat of the lines' tokens: V8 copies packed arrays whole, where pushing went token by token.
      if (last) return prefix.concat(...pieces);
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

const SPACE = 0x20;
/** SPM's escaped space, which a text may also hold as itself. */
const SPACE_MARK = 0x2581;
const isSpace = (code: number) => code === SPACE || code === SPACE_MARK;

/** No piece holds a space (escaped or not) right after something other than a space. */
export function splitsAtSpaces(model: LlamaModel): boolean {
  const pieces = (model.fileInfo.metadata as { tokenizer?: { ggml?: { tokens?: unknown } } }).tokenizer?.ggml?.tokens;
  if (!Array.isArray(pieces)) return false;
  return pieces.every((p) => typeof p === 'string' && !/[^ \u2581][ \u2581]/.test(p));
}

/** A line's tokens as those of its words, each cut where a run of spaces starts. */
function byWords(text: string, first: boolean, word: (text: string, first: boolean) => Token[]): Token[] {
  const words: Token[][] = [];
  let start = 0;
  for (let i = 1; i <= text.length; i++) {
    if (i < text.length && !(isSpace(text.charCodeAt(i)) && !isSpace(text.charCodeAt(i - 1)))) continue;
    words.push(word(text.slice(start, i), first && start === 0));
    start = i;
  }
  return ([] as Token[]).concat(...words);
}

/** Memoize a tokenizer of pieces by text and whether the piece starts the text (at most 100,000 of each). */
function rememberedPieces(
  tokenize: (text: string, first: boolean) => Token[],
): (text: string, first: boolean) => Token[] {
  const firsts = new Map<string, Token[]>();
  const others = new Map<string, Token[]>();
  return (text, first) => {
    const known = first ? firsts : others;
    let tokens = known.get(text);
    if (!tokens) {
      tokens = tokenize(text, first);
      if (known.size >= 100_000) known.clear();
      known.set(text, tokens);
    }
    return tokens;
  };
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
