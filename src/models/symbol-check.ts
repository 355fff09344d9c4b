import type { SymbolUse } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { SYMBOL_SET_NAMES, symbolSet } from '../perturbations/symbols.js';
import { HttpFailure, type HttpClient } from './http.js';
import { answerText } from './top-k.js';

/** A text's tokens as the server spells them, or undefined when the server cannot say. */
export type Pieces = (text: string) => Promise<string[] | undefined>;

/**
 * The token texts of a label from the server's own tokenizer: llama.cpp's `/tokenize` with
 * `with_pieces`, else vLLM's with `return_token_strs`. A server with neither (OpenAI) gives none.
 */
export function serverPieces(http: HttpClient, model: string): Pieces {
  let protocol: 'llama.cpp' | 'vllm' | 'none' | undefined;
  const ask = async (which: 'llama.cpp' | 'vllm', text: string): Promise<string[] | undefined> => {
    try {
      if (which === 'llama.cpp') {
        const body = (await http.post('/tokenize', { content: text, add_special: false, with_pieces: true })) as {
          tokens?: { piece?: unknown }[];
        };
        // A piece that is not valid UTF-8 (one byte of a character) comes as a list of byte values.
        const pieces = body?.tokens?.map((t) => (Array.isArray(t?.piece) ? `<bytes ${t.piece.join(' ')}>` : t?.piece));
        return pieces?.length && pieces.every((p) => typeof p === 'string') ? (pieces as string[]) : undefined;
      }
      const body = (await http.post('/tokenize', {
        model,
        prompt: text,
        add_special_tokens: false,
        return_token_strs: true,
      })) as { token_strs?: unknown[] };
      return body?.token_strs?.length && body.token_strs.every((p) => typeof p === 'string')
        ? (body.token_strs as string[])
        : undefined;
    } catch (e) {
      if (e instanceof HttpFailure && e.status !== undefined && e.status < 500) return undefined;
      throw e;
    }
  };
  return async (text) => {
    if (protocol === 'none') return undefined;
    if (protocol) return ask(protocol, text);
    for (const which of ['llama.cpp', 'vllm'] as const) {
      const pieces = await ask(which, text);
      if (pieces) {
        protocol = which;
        return pieces;
      }
    }
    protocol = 'none';
    return undefined;
  };
}

/** A label is readable from a top-k keyed by text when one token spells it (spaces aside). */
async function unreadable(
  pieces: Pieces,
  labels: string[],
): Promise<{ label: string; pieces: string[] }[] | undefined> {
  const out: { label: string; pieces: string[] }[] = [];
  for (const label of labels) {
    const spelled = await pieces(label);
    if (!spelled) return undefined;
    const shown = spelled.filter((p) => answerText(p) !== '');
    if (shown.length !== 1 || answerText(shown[0]) !== answerText(label)) out.push({ label, pieces: spelled });
  }
  return out;
}

/**
 * Backends that read the answer from a top-k list by token text see a symbol only when one token
 * spells it: a symbol spelled by several tokens would always be unscored. Such symbol sets are
 * refused before any request, naming the symbols and the sets that would work.
 */
export async function refuseUnreadableSymbols(
  pieces: Pieces,
  uses: SymbolUse[],
  backend: string,
  where: string,
): Promise<void> {
  const problems: string[] = [];
  for (const use of uses) {
    const bad = await unreadable(pieces, use.labels);
    if (!bad) return;
    if (bad.length === 0) continue;
    const spelled = bad
      .map((b) => `${JSON.stringify(b.label)} is spelled ${b.pieces.map((p) => JSON.stringify(p)).join(' + ')}`)
      .join(', ');
    problems.push(`symbol set "${use.set}" (conditions ${use.conditions.join(', ')}): ${spelled}`);
  }
  if (problems.length === 0) return;
  const n = Math.max(...uses.map((u) => u.labels.length));
  const working: string[] = [];
  for (const name of SYMBOL_SET_NAMES) {
    let labels: string[];
    try {
      labels = symbolSet(name).labels(n);
    } catch {
      continue;
    }
    if ((await unreadable(pieces, labels))?.length === 0) working.push(name);
  }
  throw new UserError(
    `${backend} reads an answer from the top-k of its first token by the token's text, and this model's tokenizer spells some symbols with several tokens, so they could never be read:\n  ${problems.join('\n  ')}\n` +
      `Symbol sets whose symbols are one token each here: ${working.length ? working.join(', ') : 'none'}.`,
    where,
  );
}
