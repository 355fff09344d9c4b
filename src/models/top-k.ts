/** One entry of a top-k list keyed by decoded text (OpenAI chat, Ollama). */
export interface TopEntry {
  token: string;
  logprob: number;
}

/** OpenAI's placeholder for "not within the top 20": a marker, not a log-prob. */
const PLACEHOLDER_LOGPROB = -9999;

/** Leading/trailing whitespace and the space markers of SentencePiece ("▁") and byte-level BPE ("Ġ"). */
const SPACE = /^[\s\u2581\u0120]+|[\s\u2581\u0120]+$/g;

/** The answer a token's text gives: without spaces and space markers. */
export const answerText = (s: string) => s.replace(SPACE, '');

/**
 * Score candidates from a top-k list that names tokens by their decoded text, not their IDs.
 * A candidate matches every entry whose text equals it once spaces and space markers are
 * stripped, so " A", "A" and "▁A" all answer "A". Those spellings collide: a model may list both
 * "A" and " A". They are two ways of giving the same answer, so their probabilities are added
 * (log-sum-exp) rather than one being picked arbitrarily. A candidate with no entry gets null:
 * outside the top-k its score is unknown, which is not the same as wrong.
 */
export function matchCandidates(candidates: readonly string[], top: readonly TopEntry[]): (number | null)[] {
  const byToken = new Map<string, number>();
  for (const { token, logprob } of top) {
    if (typeof token !== 'string' || !Number.isFinite(logprob) || logprob <= PLACEHOLDER_LOGPROB) continue;
    byToken.set(token, Math.max(byToken.get(token) ?? -Infinity, logprob));
  }
  const byAnswer = new Map<string, number[]>();
  for (const [token, logprob] of byToken) {
    const key = answerText(token);
    if (!key) continue;
    byAnswer.set(key, [...(byAnswer.get(key) ?? []), logprob]);
  }
  return candidates.map((c) => {
    const found = byAnswer.get(answerText(c));
    return found ? logSumExp(found) : null;
  });
}

function logSumExp(values: number[]): number {
  const max = Math.max(...values);
  return max + Math.log(values.reduce((s, v) => s + Math.exp(v - max), 0));
}
