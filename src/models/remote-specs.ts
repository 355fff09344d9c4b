import { z } from 'zod';

/**
 * Study-file settings of the models served over HTTP. The API key never appears here: `apiKeyEnv`
 * names the environment variable that holds it.
 */
const common = {
  name: z.string().min(1),
  /** Server URL; a trailing /v1 is accepted (`http://localhost:8000` and `http://localhost:8000/v1` are the same). */
  url: z
    .url({ protocol: /^https?$/, error: 'an http(s) URL of the server, e.g. http://localhost:8000' })
    .refine((u) => !URL.canParse(u) || (!new URL(u).username && !new URL(u).password), 'the URL must not hold credentials: put the key in an environment variable and name it in apiKeyEnv'),
  /** Name of the environment variable holding the API key (sent as a Bearer token). */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'the NAME of an environment variable that holds the key (the key itself never goes in the study file)')
    .optional(),
  /** Requests in flight to this endpoint at once. */
  concurrency: z.number().int().min(1).max(256).default(8),
  /** Time allowed for one HTTP attempt, in milliseconds. */
  timeoutMs: z.number().int().min(1).default(120_000),
  /** Retries of one call after a transient fault (429, 5xx, timeout, reset, truncated body). */
  maxRetries: z.number().int().min(0).max(20).default(5),
};

/** Server-side model name, as the server's API expects it. */
const modelName = z.string().min(1);
/**
 * A GGUF file with the served model's own vocabulary, to tokenize locally instead of asking the
 * server (relative to the study file). Another vocabulary would give wrong token IDs.
 */
const tokenizer = z.string().min(1).optional();

/** vLLM / SGLang `/v1/completions` with echoed prompt log-probs: log-likelihoods and next-token scores. */
export const openaiCompletionsSchema = z
  .object({
    ...common,
    backend: z.literal('openai-completions'),
    model: modelName,
    tokenizer,
    /** Prompts sent in one request. */
    batchSize: z.number().int().min(1).max(1024).default(16),
    /** Send max_tokens 1 and drop the generated entry, for servers that refuse max_tokens 0. */
    maxTokensOne: z.boolean().default(false),
  })
  .strict();

/** OpenAI-compatible `/v1/chat/completions`: the top-k log-probs of the first answer token (symbol scoring only). */
export const openaiChatSchema = z
  .object({
    ...common,
    backend: z.literal('openai-chat'),
    model: modelName,
    topLogprobs: z.number().int().min(1).max(20).default(20),
  })
  .strict();

/** llama.cpp server `/completion` with token-ID prompts and `n_probs` (symbol scoring only). */
export const llamaServerSchema = z
  .object({
    ...common,
    backend: z.literal('llama-server'),
    /** Only needed when the server hosts several models. */
    model: modelName.optional(),
    tokenizer,
    topLogprobs: z.number().int().min(1).max(100).default(20),
  })
  .strict();

/** Ollama `/api/generate` in raw mode with `logprobs` (Ollama ≥ 0.12.11; symbol scoring only). */
export const ollamaSchema = z
  .object({
    ...common,
    backend: z.literal('ollama'),
    model: modelName,
    topLogprobs: z.number().int().min(1).max(20).default(20),
  })
  .strict();

/** Hugging Face TGI `/generate` with prefill log-probs (TGI 3 needs `--enable-prefill-logprobs`). */
export const tgiSchema = z
  .object({
    ...common,
    backend: z.literal('tgi'),
    /** TGI serves one model; the name is only recorded. */
    model: modelName.optional(),
    tokenizer,
  })
  .strict();

export const remoteModelSchemas = [openaiCompletionsSchema, openaiChatSchema, llamaServerSchema, ollamaSchema, tgiSchema] as const;

export type OpenaiCompletionsSpec = z.infer<typeof openaiCompletionsSchema>;
export type OpenaiChatSpec = z.infer<typeof openaiChatSchema>;
export type LlamaServerSpec = z.infer<typeof llamaServerSchema>;
export type OllamaSpec = z.infer<typeof ollamaSchema>;
export type TgiSpec = z.infer<typeof tgiSchema>;
export type RemoteSpec = OpenaiCompletionsSpec | OpenaiChatSpec | LlamaServerSpec | OllamaSpec | TgiSpec;
export type RemoteBackend = RemoteSpec['backend'];
