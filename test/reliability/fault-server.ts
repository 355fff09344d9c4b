import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { makeRng, type Rng } from '../../src/core/rng.js';
import { listenLocal, readBody, sendText } from '../models/servers/harness.js';

/**
 * A vLLM-compatible server (`GET /v1/models`, and `POST /v1/completions` with `echo`, `logprobs`,
 * `max_tokens: 0` and token-ID prompts, as the openai-completions backend sends them with a local
 * tokenizer) whose answers are a pure function of the request: the log-prob of each prompt token
 * is a hash of the tokens up to it. It answers exactly the same with faults or without, so a run
 * against it can be checked value for value against a fault-free run.
 *
 * A seeded generator makes `/v1/completions` fail at random: 500 and 503, 429 with Retry-After,
 * connections reset before or in the middle of the answer, stalls (no answer at all, until the
 * client gives up), bodies cut short, answers of the wrong shape, and echoes with fewer log-prob
 * entries than the prompt has tokens. Requests whose query has `faults=off` never fail (a
 * fault-free run against the same server). `/v1/models` is the model's identity and is asked once
 * per run: it always answers.
 */

export const FAULT_KINDS = [
  'http-500',
  'http-503',
  'rate-limit',
  'reset-before-answer',
  'reset-mid-answer',
  'stall',
  'truncated-json',
  'wrong-shape',
  'short-logprobs',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Relative frequency of each kind among injected faults. */
const WEIGHTS: Record<FaultKind, number> = {
  'http-500': 2,
  'http-503': 2,
  'rate-limit': 3,
  'reset-before-answer': 1,
  'reset-mid-answer': 1,
  stall: 1,
  'truncated-json': 2,
  'wrong-shape': 2,
  'short-logprobs': 2,
};

export interface FaultServerOptions {
  /** The served model's name. */
  served: string;
  /** Share of `/v1/completions` requests that fail. */
  rate: number;
  seed: number;
}

export interface FaultCounts {
  /** Requests received, by `METHOD /path`, failed ones included (those with `faults=off` apart). */
  requests: Record<string, number>;
  /** Requests received with `faults=off`. */
  faultFreeRequests: number;
  /** Faults injected, by kind. */
  faults: Record<FaultKind, number>;
  /** 429s that asked for a wait of one second (the others ask for none). */
  retryAfterOneSecond: number;
  /** Requests the backend should never send (bad shape, wrong model, missing echo...): answered 400 and listed. */
  protocolErrors: string[];
}

/**
 * Every prompt the server computed, and the answers the client provably read: on a keep-alive
 * connection (one request at a time) a client sends its next request only once it has read the
 * whole previous answer, so an answer followed by two more requests on its connection has been
 * read and handed on (the request after it may be sent before the answer's body is parsed).
 */
export interface PromptLedger {
  /** Times each prompt (its token IDs as JSON) was answered. */
  computed: Map<string, number>;
  /** Prompts of answers the client provably read, with the run that read each (first time). */
  read: Map<string, number>;
  /**
   * Computations of a prompt whose answer the client had already read (in this run or an earlier
   * one): the work a kill must never make anyone redo. A prompt in flight at a kill, computed
   * again by the next run and read there, is not among them.
   */
  recomputedAfterRead: { prompt: string; readIn: number; computedIn: number }[];
  /** Prompts answered in all. */
  answered: number;
  /** Set by a test: which run of the client is talking (recorded with each computation in `history`). */
  run: number;
  /** Runs in which each prompt was computed, in order. */
  history: Map<string, number[]>;
  /**
   * Set by a test: once this many prompts have been answered, further completions are held (never
   * answered) until their connection closes, so a kill lands after a chosen amount of work however
   * fast or slow the machine is.
   */
  holdAfter: number;
}

export interface FaultServer {
  url: string;
  counts: FaultCounts;
  ledger: PromptLedger;
  /** Requests received in all, failed ones included (those with `faults=off` apart). */
  total(): number;
  close(): Promise<void>;
}

const VOCAB = 32_000;
const MAX_MODEL_LEN = 4096;

/** 32-bit mix of two integers (murmur3's finalizer over a combination). */
function mix(a: number, b: number): number {
  let h = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(b + 0x632be59b, 0xc2b2ae35)) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Per position j ≥ 1: log P(token j | tokens before it), the top alternative, and its log-prob. */
export interface PositionScore {
  logprob: number;
  alt: number;
  altLogprob: number;
}

/** A log-prob in (-scale, 0) from a hash, with four decimals (short answers parse fast; the values are exact either way). */
const logprobOf = (hash: number, scale: number) => -Math.round(((hash / 2 ** 32) * scale + 1e-4) * 1e4) / 1e4;

/** The log-prob of every prompt token given the ones before it: a hash of the prefix and the token. */
export function promptScores(tokens: number[]): (PositionScore | null)[] {
  const out: (PositionScore | null)[] = [null];
  let h = 0x2545f491;
  for (let j = 0; j < tokens.length; j++) {
    if (j > 0) {
      const logprob = logprobOf(mix(h, tokens[j] * 31 + j), 12);
      const alt = 3 + (mix(h, 17) % (VOCAB - 3));
      const altLogprob = logprobOf(mix(h, 29), 6);
      out.push({ logprob, alt, altLogprob });
    }
    h = mix(h, tokens[j] + 1);
  }
  return out;
}

const vllmError = (status: number, message: string) => ({
  object: 'error',
  message,
  type: status === 404 ? 'NotFoundError' : status === 400 ? 'BadRequestError' : 'InternalServerError',
  param: null,
  code: status,
});

interface Reply {
  status: number;
  json: unknown;
}

export async function startFaultServer(opts: FaultServerOptions): Promise<FaultServer> {
  const counts: FaultCounts = {
    requests: {},
    faultFreeRequests: 0,
    faults: Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>,
    retryAfterOneSecond: 0,
    protocolErrors: [],
  };
  const ledger: PromptLedger = {
    computed: new Map(),
    read: new Map(),
    recomputedAfterRead: [],
    answered: 0,
    run: 0,
    history: new Map(),
    holdAfter: Infinity,
  };
  /** Per connection: prompts of the last two answers, oldest first. */
  const recent = new WeakMap<object, string[][]>();
  const rng: Rng = makeRng(opts.seed);
  const totalWeight = FAULT_KINDS.reduce((s, k) => s + WEIGHTS[k], 0);

  const pickFault = (): FaultKind | null => {
    if (rng() >= opts.rate) return null;
    let r = rng() * totalWeight;
    let kind: FaultKind = FAULT_KINDS[0];
    for (const k of FAULT_KINDS) {
      r -= WEIGHTS[k];
      if (r < 0) {
        kind = k;
        break;
      }
    }
    return kind;
  };

  const protocolError = (message: string): Reply => {
    counts.protocolErrors.push(message);
    return { status: 400, json: vllmError(400, message) };
  };

  const answer = (route: string, body: any): Reply => {
    switch (route) {
      case 'GET /v1/models':
        return {
          status: 200,
          json: {
            object: 'list',
            data: [
              {
                id: opts.served,
                object: 'model',
                owned_by: 'vllm',
                root: `/models/${opts.served}`,
                parent: null,
                max_model_len: MAX_MODEL_LEN,
              },
            ],
          },
        };
      case 'POST /v1/completions': {
        if (body?.model !== opts.served)
          return protocolError(`/v1/completions for model ${JSON.stringify(body?.model)}`);
        const prompts = body.prompt;
        if (
          !Array.isArray(prompts) ||
          prompts.length === 0 ||
          !prompts.every(
            (p) => Array.isArray(p) && p.length > 0 && p.every((t) => Number.isInteger(t) && t >= 0 && t < VOCAB),
          )
        ) {
          return protocolError('/v1/completions prompt is not a list of token-ID lists');
        }
        if (
          body.echo !== true ||
          body.max_tokens !== 0 ||
          body.logprobs !== 1 ||
          body.return_tokens_as_token_ids !== true
        ) {
          return protocolError(
            `/v1/completions with echo ${body.echo}, max_tokens ${body.max_tokens}, logprobs ${body.logprobs}, return_tokens_as_token_ids ${body.return_tokens_as_token_ids}`,
          );
        }
        const choices = (prompts as number[][]).map((tokens, index) => {
          const scores = promptScores(tokens);
          return {
            index,
            text: '',
            logprobs: {
              text_offset: tokens.map((_, j) => j),
              token_logprobs: scores.map((s) => (s ? s.logprob : null)),
              tokens: tokens.map((t) => `token_id:${t}`),
              top_logprobs: scores.map((s, j) =>
                s ? { [`token_id:${tokens[j]}`]: s.logprob, [`token_id:${s.alt}`]: s.altLogprob } : null,
              ),
            },
            finish_reason: 'length',
            stop_reason: null,
            prompt_logprobs: null,
          };
        });
        const promptTokens = (prompts as number[][]).reduce((s, p) => s + p.length, 0);
        return {
          status: 200,
          json: {
            id: 'cmpl-0',
            object: 'text_completion',
            created: 0,
            model: opts.served,
            choices,
            usage: { prompt_tokens: promptTokens, total_tokens: promptTokens, completion_tokens: 0 },
          },
        };
      }
      case 'POST /tokenize':
        // No tokenizer behind this server: the study tokenizes locally, and the client finds no endpoint to compare with.
        return { status: 404, json: vllmError(404, 'Not Found') };
      default:
        return protocolError(`no route ${route}`);
    }
  };

  let variant = 0;
  /** A well-formed JSON answer of the wrong shape (variants take turns). */
  const wrongShape = (right: any): unknown => {
    const v = variant++;
    const choice = right.choices[0];
    const variants = [
      {},
      { ...right, choices: [] },
      { ...right, choices: right.choices.slice(1) },
      { ...right, choices: right.choices.map((c: any) => ({ ...c, logprobs: null })) },
      // The echo of another prompt: right length, wrong token IDs.
      {
        ...right,
        choices: [
          {
            ...choice,
            logprobs: {
              ...choice.logprobs,
              tokens: choice.logprobs.tokens.map((_: string, j: number) => `token_id:${(j * 7919) % VOCAB}`),
            },
          },
          ...right.choices.slice(1),
        ],
      },
      // A log-prob missing in the middle of the continuation.
      {
        ...right,
        choices: [
          {
            ...choice,
            logprobs: {
              ...choice.logprobs,
              token_logprobs: choice.logprobs.token_logprobs.map((x: number | null, j: number, all: unknown[]) =>
                j === all.length - 1 ? null : x,
              ),
            },
          },
          ...right.choices.slice(1),
        ],
      },
    ];
    return variants[v % variants.length];
  };

  /** Fewer log-prob entries than prompt tokens: the generated token only (echo ignored), or the last one dropped. */
  const shortLogprobs = (right: any): unknown => {
    const v = variant++;
    const cut = (lp: any) => {
      const keep = v % 2 ? (a: unknown[]) => a.slice(-1) : (a: unknown[]) => a.slice(0, -1);
      return {
        text_offset: keep(lp.text_offset),
        token_logprobs: keep(lp.token_logprobs),
        tokens: keep(lp.tokens),
        top_logprobs: keep(lp.top_logprobs),
      };
    };
    return {
      ...right,
      choices: right.choices.map((c: any, i: number) =>
        i === v % right.choices.length ? { ...c, logprobs: cut(c.logprobs) } : c,
      ),
    };
  };

  // Whatever a handler throws answers 500: no rejected promise is left behind.
  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: Error) => send(res, { status: 500, json: vllmError(500, e.message) }));
  });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://server');
    const route = `${req.method} ${url.pathname}`;
    const faultFree = url.searchParams.get('faults') === 'off';
    if (faultFree) counts.faultFreeRequests++;
    else counts.requests[route] = (counts.requests[route] ?? 0) + 1;
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return send(res, protocolError(`${route} with a body that is not JSON`));
    }
    const socket = req.socket;
    const answeredBefore = recent.get(socket) ?? [];
    if (answeredBefore.length === 2)
      for (const prompt of answeredBefore.shift()!) if (!ledger.read.has(prompt)) ledger.read.set(prompt, ledger.run);
    const right = answer(route, body);
    if (route === 'POST /v1/completions' && ledger.answered >= ledger.holdAfter) return;
    const fault = route === 'POST /v1/completions' && right.status === 200 && !faultFree ? pickFault() : null;
    if (!fault) {
      if (route === 'POST /v1/completions' && right.status === 200) {
        const prompts = (body.prompt as number[][]).map((p) => JSON.stringify(p));
        for (const p of prompts) {
          const readIn = ledger.read.get(p);
          if (readIn !== undefined) ledger.recomputedAfterRead.push({ prompt: p, readIn, computedIn: ledger.run });
          ledger.computed.set(p, (ledger.computed.get(p) ?? 0) + 1);
          ledger.history.set(p, [...(ledger.history.get(p) ?? []), ledger.run]);
        }
        ledger.answered += prompts.length;
        res.on('finish', () => recent.set(socket, [...answeredBefore, prompts]));
      }
      return send(res, right);
    }
    counts.faults[fault]++;
    switch (fault) {
      case 'http-500':
        return send(res, { status: 500, json: vllmError(500, 'Internal Server Error') });
      case 'http-503':
        return send(res, { status: 503, json: vllmError(503, 'The server is overloaded') });
      case 'rate-limit': {
        // Mostly "no wait" (as seconds or as a date that is already due); now and then one second.
        const which = counts.faults['rate-limit'] % 16;
        const retryAfter = which === 0 ? '1' : which % 2 ? '0' : new Date().toUTCString();
        if (which === 0) counts.retryAfterOneSecond++;
        return send(
          res,
          { status: 429, json: vllmError(429, 'Too many requests, retry later') },
          { 'retry-after': retryAfter },
        );
      }
      case 'reset-before-answer':
        return req.socket.destroy();
      case 'reset-mid-answer': {
        const text = JSON.stringify(right.json);
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
        res.write(text.slice(0, Math.floor(text.length / 2)), () => req.socket.destroy());
        return;
      }
      case 'stall':
        // Never answered: the client's timeout ends the attempt and its connection.
        return;
      case 'truncated-json': {
        const text = JSON.stringify(right.json);
        return sendText(res, 200, text.slice(0, Math.max(1, Math.floor(text.length * rng()))));
      }
      case 'wrong-shape':
        return send(res, { status: 200, json: wrongShape(right.json) });
      case 'short-logprobs':
        return send(res, { status: 200, json: shortLogprobs(right.json) });
    }
  };
  server.keepAliveTimeout = 30_000;
  return {
    ...(await listenLocal(server)),
    counts,
    ledger,
    total: () => Object.values(counts.requests).reduce((s, n) => s + n, 0),
  };
}

function send(res: ServerResponse, reply: Reply, headers: Record<string, string> = {}): void {
  sendText(res, reply.status, JSON.stringify(reply.json), headers);
}
