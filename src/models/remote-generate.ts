/**
 * Greedy generation over HTTP, one request per prompt, in each server's own protocol. The prompt
 * is sent as text (as published generative evaluations send it); decoding is greedy (temperature
 * 0, or do_sample false) with the condition's seed passed along; the text is cut before the first
 * stop string on this side too, since some servers keep the stop string in the text (TGI).
 */
import type { GenerateRequest, GenerateResult, Outcome, Request } from '../core/types.js';
import { firstStop } from './gguf-generate.js';
import type { HttpClient } from './http.js';
import { brokenBackend, type WorkUnit } from './remote.js';
import { withoutTrailingWhitespace } from './tokenize.js';

/** OpenAI's API takes at most four stop sequences; the rest are applied here. */
const MAX_SERVER_STOPS = 4;

function result(text: string, finish: GenerateResult['finish'], stop: readonly string[]): Outcome {
  const at = firstStop(text, stop);
  return {
    ok: true,
    result: { kind: 'generate', text: at === null ? text : text.slice(0, at), finish: at === null ? finish : 'stop' },
  };
}

/** A finish reason as one of ours: the token budget, or anything that ended the text itself. */
const finishOf = (lengthReached: boolean): GenerateResult['finish'] => (lengthReached ? 'length' : 'stop');

/** One unit per request: generate requests to `generate`, the others to the backend's own handler. */
export function unitsWithGeneration(
  requests: Request[],
  others: (requests: Request[]) => WorkUnit[],
  generate: (r: GenerateRequest) => Promise<Outcome>,
): WorkUnit[] {
  const rest: number[] = [];
  const units: WorkUnit[] = [];
  requests.forEach((r, i) => {
    if (r.kind === 'generate') units.push({ indices: [i], run: async () => [await generate(r)] });
    else rest.push(i);
  });
  for (const unit of others(rest.map((i) => requests[i])))
    units.push({ indices: unit.indices.map((k) => rest[k]), run: unit.run });
  return units;
}

/** vLLM / SGLang / OpenAI `/v1/completions`: `choices[0].text`, finish_reason "stop" or "length". */
export async function generateCompletions(http: HttpClient, model: string, r: GenerateRequest): Promise<Outcome> {
  const answer = (await http.post('/v1/completions', {
    model,
    prompt: r.context,
    max_tokens: r.maxTokens,
    temperature: 0,
    seed: r.seed,
    stop: r.stop.slice(0, MAX_SERVER_STOPS),
  })) as { choices?: { text?: unknown; finish_reason?: unknown }[] };
  const choice = answer?.choices?.[0];
  if (typeof choice?.text !== 'string')
    throw brokenBackend(http.endpoint('/v1/completions'), 'the answer has no choices[0].text');
  return result(choice.text, finishOf(choice.finish_reason === 'length'), r.stop);
}

/** OpenAI-compatible `/v1/chat/completions`: the prompt as one user message; `choices[0].message.content`. */
export async function generateChat(http: HttpClient, model: string, r: GenerateRequest): Promise<Outcome> {
  const answer = (await http.post('/v1/chat/completions', {
    model,
    messages: [{ role: 'user', content: withoutTrailingWhitespace(r.context) }],
    max_tokens: r.maxTokens,
    temperature: 0,
    seed: r.seed,
    stop: r.stop.slice(0, MAX_SERVER_STOPS),
  })) as { choices?: { message?: { content?: unknown }; finish_reason?: unknown }[] };
  const choice = answer?.choices?.[0];
  const content = choice?.message?.content;
  if (typeof content !== 'string')
    throw brokenBackend(http.endpoint('/v1/chat/completions'), 'the answer has no choices[0].message.content');
  return result(content, finishOf(choice!.finish_reason === 'length'), r.stop);
}

/** llama.cpp server `/completion` with `n_predict`: `content`, and `stop_type` "limit" (or `stopped_limit` before 2025). */
export async function generateLlamaServer(
  http: HttpClient,
  model: string | undefined,
  r: GenerateRequest,
): Promise<Outcome> {
  const answer = (await http.post('/completion', {
    prompt: r.context,
    n_predict: r.maxTokens,
    temperature: 0,
    seed: r.seed,
    stop: r.stop,
    cache_prompt: true,
    ...(model ? { model } : {}),
  })) as { content?: unknown; stop_type?: unknown; stopped_limit?: unknown; truncated?: unknown };
  if (typeof answer?.content !== 'string')
    throw brokenBackend(http.endpoint('/completion'), 'the answer has no "content"');
  if (answer.truncated === true)
    return {
      ok: false,
      error: `${http.endpoint('/completion')}: the prompt was truncated to the server's context size`,
    };
  return result(answer.content, finishOf(answer.stop_type === 'limit' || answer.stopped_limit === true), r.stop);
}

/** Ollama `/api/generate` in raw mode (no chat template), not streamed: `response`, `done_reason`. */
export async function generateOllama(http: HttpClient, model: string, r: GenerateRequest): Promise<Outcome> {
  const answer = (await http.post('/api/generate', {
    model,
    prompt: r.context,
    raw: true,
    stream: false,
    options: { num_predict: r.maxTokens, temperature: 0, seed: r.seed, stop: r.stop },
  })) as { response?: unknown; done_reason?: unknown };
  if (typeof answer?.response !== 'string')
    throw brokenBackend(http.endpoint('/api/generate'), 'the answer has no "response"');
  return result(answer.response, finishOf(answer.done_reason === 'length'), r.stop);
}

/** Hugging Face TGI `/generate`: `generated_text` (the stop sequence kept), `details.finish_reason` "length" | "eos_token" | "stop_sequence". */
export async function generateTgi(http: HttpClient, r: GenerateRequest): Promise<Outcome> {
  const answer = (await http.post('/generate', {
    inputs: r.context,
    parameters: {
      max_new_tokens: r.maxTokens,
      do_sample: false,
      seed: r.seed,
      stop: r.stop.slice(0, MAX_SERVER_STOPS),
      details: true,
      return_full_text: false,
    },
  })) as { generated_text?: unknown; details?: { finish_reason?: unknown } | null };
  if (typeof answer?.generated_text !== 'string')
    throw brokenBackend(http.endpoint('/generate'), 'the answer has no "generated_text"');
  return result(answer.generated_text, finishOf(answer.details?.finish_reason === 'length'), r.stop);
}
