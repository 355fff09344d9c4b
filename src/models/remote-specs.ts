import { z } from 'zod';
import type { BackendSpec } from './backend.js';

/**
 * Study-file settings of the models served over HTTP. The API key never appears here: `apiKeyEnv`
 * names the environment variable that holds it.
 */
export const remoteOptions = {
  /** Server URL; a trailing /v1 is accepted (`http://localhost:8000` and `http://localhost:8000/v1` are the same). */
  url: z
    .url({ protocol: /^https?$/, error: 'an http(s) URL of the server, e.g. http://localhost:8000' })
    .refine(
      (u) => !URL.canParse(u) || (!new URL(u).username && !new URL(u).password),
      'the URL must not hold credentials: put the key in an environment variable and name it in apiKeyEnv',
    ),
  /** Name of the environment variable holding the API key (sent as a Bearer token). */
  apiKeyEnv: z
    .string()
    .regex(
      /^[A-Za-z_][A-Za-z0-9_]*$/,
      'the NAME of an environment variable that holds the key (the key itself never goes in the study file)',
    )
    .optional(),
  /** Requests in flight to this endpoint at once. */
  concurrency: z.number().int().min(1).max(256).default(8),
  /** Time allowed for one HTTP attempt, in milliseconds. */
  timeoutMs: z.number().int().min(1).default(120_000),
  /** Retries of one call after a transient fault (429, 5xx, timeout, reset, truncated body). */
  maxRetries: z.number().int().min(0).max(20).default(5),
};

/** Server-side model name, as the server's API expects it. */
export const modelName = z.string().min(1);
/**
 * A GGUF file with the served model's own vocabulary, to tokenize locally instead of asking the
 * server (relative to the study file). Another vocabulary would give wrong token IDs.
 */
export const tokenizer = z.string().min(1).optional();

/** What every remote backend's entry holds (its own options beside). */
export type RemoteSpec = z.output<z.ZodObject<typeof remoteOptions>> & {
  name: string;
  backend: string;
  model?: string;
  tokenizer?: string;
};

/** vLLM / SGLang `/v1/completions` with echoed prompt log-probs: log-likelihoods and next-token scores. */
export const openaiCompletionsOptions = z.object({
  ...remoteOptions,
  model: modelName,
  tokenizer,
  /** Prompts sent in one request. */
  batchSize: z.number().int().min(1).max(1024).default(16),
  /** Send max_tokens 1 and drop the generated entry, for servers that refuse max_tokens 0. */
  maxTokensOne: z.boolean().default(false),
});
export type OpenaiCompletionsSpec = BackendSpec<'openai-completions', typeof openaiCompletionsOptions.shape>;

/** OpenAI-compatible `/v1/chat/completions`: the top-k log-probs of the first answer token (symbol scoring only). */
export const openaiChatOptions = z.object({
  ...remoteOptions,
  model: modelName,
  topLogprobs: z.number().int().min(1).max(20).default(20),
});
export type OpenaiChatSpec = BackendSpec<'openai-chat', typeof openaiChatOptions.shape>;

/** llama.cpp server `/completion` with token-ID prompts and `n_probs` (symbol scoring only). */
export const llamaServerOptions = z.object({
  ...remoteOptions,
  /** Only needed when the server hosts several models. */
  model: modelName.optional(),
  tokenizer,
  topLogprobs: z.number().int().min(1).max(100).default(20),
});
export type LlamaServerSpec = BackendSpec<'llama-server', typeof llamaServerOptions.shape>;

/** Ollama `/api/generate` in raw mode with `logprobs` (Ollama ≥ 0.12.11; symbol scoring only). */
export const ollamaOptions = z.object({
  ...remoteOptions,
  model: modelName,
  topLogprobs: z.number().int().min(1).max(20).default(20),
});
export type OllamaSpec = BackendSpec<'ollama', typeof ollamaOptions.shape>;

/** Hugging Face TGI `/generate` with prefill log-probs (TGI 3 needs `--enable-prefill-logprobs`). */
export const tgiOptions = z.object({
  ...remoteOptions,
  /** TGI serves one model; the name is only recorded. */
  model: modelName.optional(),
  tokenizer,
});
export type TgiSpec = BackendSpec<'tgi', typeof tgiOptions.shape>;
