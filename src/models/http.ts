/**
 * The one HTTP client every remote backend uses: a concurrency limit per endpoint, a timeout per
 * attempt, retries with exponential backoff and jitter on transient faults (429, 5xx, timeouts,
 * resets, truncated bodies), `Retry-After` honoured, and error messages that name the endpoint
 * and never contain the API key.
 */
import http, { type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import https from 'node:https';

export interface HttpClientOptions {
  /** Server root without credentials, query or trailing slash (e.g. `http://10.0.0.5:8000`). */
  root: string;
  /** Query string appended to every request (e.g. `?api-version=…`), kept out of the model identity. */
  query?: string;
  /** Bearer token; sent only in the Authorization header and redacted from every message. */
  apiKey?: string;
  concurrency: number;
  timeoutMs: number;
  maxRetries: number;
  /** Base of the exponential backoff; the n-th retry waits about base × 2^n. */
  backoffMs?: number;
}

export interface HttpStats {
  /** HTTP attempts made (first tries and retries). */
  attempts: number;
  /** Attempts that were retries after a transient fault (a batch split after a timeout counts once). */
  retries: number;
  /** Calls that finally failed (after their retries, or at once when not retryable). */
  failed: number;
  /** Attempts abandoned after timeoutMs (their connection is closed, so a server that cancels stops computing). */
  timeouts: number;
  /** Prompts sent again: by a retried attempt, or in the smaller pieces of a batch that timed out. */
  resentPrompts: number;
}

/** How one call counts its prompts and treats a timeout. */
export interface CallOptions {
  /** Prompts in the body (default 1), counted as resent when the call is repeated. */
  prompts?: number;
  /** The call repeats prompts sent before (a piece of a batch that timed out). */
  resend?: boolean;
  /** Throw a timeout at once (`HttpFailure.timedOut`) instead of resending the same body: the caller splits it. */
  splitOnTimeout?: boolean;
}

/** A call that failed for good; `status` is the last HTTP status, if any. */
export class HttpFailure extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly timedOut = false,
  ) {
    super(message);
    this.name = 'HttpFailure';
  }
}

const RETRYABLE_STATUS = new Set([408, 425, 429, 500, 502, 503, 504]);
/** A server asking for a longer pause than this is treated as down rather than busy. */
const MAX_RETRY_AFTER_MS = 5 * 60_000;
const MAX_BACKOFF_MS = 30_000;

interface AttemptFailure {
  message: string;
  retryable: boolean;
  status?: number;
  retryAfterMs?: number;
  timedOut?: boolean;
  /** What the caller's reader threw on a complete answer of the wrong shape. */
  unreadable?: Error;
}

export class HttpClient {
  readonly stats: HttpStats = { attempts: 0, retries: 0, failed: 0, timeouts: 0, resentPrompts: 0 };
  /** Request batches a caller may hand over at once: past its concurrency limit the client queues them itself. */
  readonly batchesInFlight = 8;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  private halted?: Error;
  private readonly haltController = new AbortController();
  /** The attempts in flight, each abandoned at once by halt(). */
  private readonly inFlight = new Set<() => void>();
  private readonly secrets: string[];
  private readonly transport: typeof http | typeof https;
  /** Where every request goes: host, port and the root's own path, connections kept open between requests. */
  private readonly target: { hostname: string; port?: string; path: string; agent: http.Agent };

  constructor(private readonly opts: HttpClientOptions) {
    this.secrets = opts.apiKey && opts.apiKey.length >= 4 ? [opts.apiKey] : [];
    const url = new URL(opts.root);
    this.transport = url.protocol === 'https:' ? https : http;
    this.target = {
      // An IPv6 literal comes bracketed in a URL, bare in a host name.
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port || undefined,
      path: url.pathname.replace(/\/+$/, ''),
      agent: new this.transport.Agent({ keepAlive: true }),
    };
  }

  get root(): string {
    return this.opts.root;
  }

  /** The endpoint as shown in messages. */
  endpoint(path: string): string {
    return this.opts.root + path;
  }

  /** Remove the key from a text that may quote the request back (some servers do). */
  redact(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('[redacted]');
    return out;
  }

  /** Make every call fail with this error, in flight ones included (a broken or misconfigured backend). */
  halt(error: Error): void {
    if (this.halted) return;
    this.halted = error;
    this.haltController.abort();
    for (const abort of this.inFlight) abort();
  }

  get haltedBy(): Error | undefined {
    return this.halted;
  }

  /**
   * `read` checks and converts the answer. An answer it rejects (from one sick worker or proxy) is
   * asked for again like any transient fault; when every attempt was rejected, the server is
   * broken and the reader's error is thrown as is.
   */
  post(path: string, body: unknown): Promise<unknown>;
  post<T>(path: string, body: unknown, read: (answer: unknown) => T, options?: CallOptions): Promise<T>;
  post(path: string, body: unknown, read?: (answer: unknown) => unknown, options?: CallOptions): Promise<unknown> {
    return this.call('POST', path, body, read, options);
  }

  get(path: string): Promise<unknown> {
    return this.call('GET', path);
  }

  private async call(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    read?: (answer: unknown) => unknown,
    options: CallOptions = {},
  ): Promise<unknown> {
    await this.acquire();
    try {
      let everyAttemptUnreadable = true;
      for (let attempt = 0; ; attempt++) {
        if (this.halted) throw this.halted;
        this.stats.attempts++;
        if (attempt > 0 || options.resend) this.stats.resentPrompts += options.prompts ?? 1;
        const result = await this.attempt(method, path, body, read);
        if (!('failure' in result)) return result.value;
        const f = result.failure;
        if (f.timedOut) this.stats.timeouts++;
        if (!f.unreadable) everyAttemptUnreadable = false;
        const split = f.timedOut && options.splitOnTimeout;
        if (split || !f.retryable || attempt >= this.opts.maxRetries || (f.retryAfterMs ?? 0) > MAX_RETRY_AFTER_MS) {
          // A split call is retried in pieces by its caller.
          if (split) this.stats.retries++;
          else this.stats.failed++;
          if (f.unreadable && everyAttemptUnreadable) throw f.unreadable;
          const tries = attempt > 0 ? ` (after ${attempt + 1} attempts)` : '';
          const wait =
            (f.retryAfterMs ?? 0) > MAX_RETRY_AFTER_MS
              ? ` (the server asked to wait ${Math.round(f.retryAfterMs! / 1000)} s)`
              : '';
          throw new HttpFailure(
            this.redact(`${method} ${this.endpoint(path)}: ${f.message}${tries}${wait}`),
            f.status,
            f.timedOut,
          );
        }
        this.stats.retries++;
        // An unreadable answer is no sign of overload: ask again at once.
        await sleep(f.unreadable ? 0 : this.delay(attempt, f.retryAfterMs), this.haltController.signal);
      }
    } finally {
      this.release();
    }
  }

  /**
   * One exchange on Node's own HTTP client: a keep-alive agent, headers and body in one write,
   * the answer's bytes read as they come (cheaper per request than fetch's web streams).
   */
  private attempt(
    method: string,
    path: string,
    body: unknown,
    read?: (answer: unknown) => unknown,
  ): Promise<{ value: unknown } | { failure: AttemptFailure }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      let done = false;
      let timedOut = false;
      const finish = (outcome: { value: unknown } | { failure: AttemptFailure }) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.inFlight.delete(abort);
        if (this.halted) reject(this.halted);
        else resolve(outcome);
      };
      const fail = (e: unknown) => {
        if (done) return;
        req.destroy();
        finish({ failure: timedOut ? this.timeoutFailure() : networkFailure(e) });
      };
      const req = this.transport.request(
        {
          ...this.target,
          method,
          path: this.target.path + path + (this.opts.query ?? ''),
          headers: this.headers(payload),
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', fail);
          res.on('close', () => {
            if (!res.complete) return fail(Object.assign(new Error('closed mid-answer'), { code: 'ECONNRESET' }));
            finish(this.answer(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), res.headers, read));
          });
        },
      );
      const abort = () => fail(new Error('aborted'));
      const timer = setTimeout(() => {
        timedOut = true;
        abort();
      }, this.opts.timeoutMs);
      this.inFlight.add(abort);
      req.on('error', fail);
      req.end(payload);
    });
  }

  /** A complete answer: its status, then JSON, then the caller's reader. */
  private answer(
    status: number,
    text: string,
    headers: IncomingHttpHeaders,
    read?: (answer: unknown) => unknown,
  ): { value: unknown } | { failure: AttemptFailure } {
    if (status < 200 || status > 299) {
      const retryAfter = headers['retry-after'];
      return { failure: statusFailure(status, text, typeof retryAfter === 'string' ? retryAfter : null) };
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      // A body cut short by a proxy or a dying worker: the next attempt usually gets it whole.
      return {
        failure: {
          message: `HTTP ${status} with a body that is not valid JSON (${text.length} bytes, truncated?)`,
          retryable: true,
        },
      };
    }
    if (!read) return { value };
    try {
      return { value: read(value) };
    } catch (e) {
      return { failure: { message: (e as Error).message, retryable: true, unreadable: e as Error } };
    }
  }

  private timeoutFailure(): AttemptFailure {
    return {
      message: `no complete answer within ${this.opts.timeoutMs} ms (timeoutMs)`,
      retryable: true,
      timedOut: true,
    };
  }

  private headers(payload: string | undefined): OutgoingHttpHeaders {
    const h: OutgoingHttpHeaders = { accept: 'application/json' };
    if (payload !== undefined) {
      h['content-type'] = 'application/json';
      h['content-length'] = Buffer.byteLength(payload);
    }
    if (this.opts.apiKey) h.authorization = `Bearer ${this.opts.apiKey}`;
    return h;
  }

  /** Retry-After when the server gave one (plus a little jitter so clients do not return in lockstep); else exponential backoff with jitter. */
  private delay(attempt: number, retryAfterMs?: number): number {
    if (retryAfterMs !== undefined) return retryAfterMs + Math.random() * Math.min(1000, retryAfterMs * 0.1 + 50);
    const ceiling = Math.min(MAX_BACKOFF_MS, (this.opts.backoffMs ?? 250) * 2 ** attempt);
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }

  private acquire(): Promise<void> {
    if (this.active < this.opts.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

function statusFailure(status: number, text: string, retryAfter: string | null): AttemptFailure {
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (an HTML page from a proxy, say): keep the text.
  }
  const message = `HTTP ${status}${serverMessage(body) ? `: ${serverMessage(body)}` : ''}`;
  const retryable = RETRYABLE_STATUS.has(status) || status >= 500;
  return { message, retryable, status, retryAfterMs: retryable ? parseRetryAfter(retryAfter) : undefined };
}

/**
 * The message in an error body, whatever the server's convention: vLLM `{object: "error", message}`,
 * OpenAI and llama.cpp `{error: {message}}`, Ollama and TGI `{error: "…"}`, or plain text.
 */
function serverMessage(body: unknown): string {
  if (typeof body === 'string') return body.trim().slice(0, 300);
  if (!body || typeof body !== 'object') return '';
  const b = body as Record<string, unknown>;
  if (typeof b.error === 'string') return b.error.slice(0, 300);
  if (b.error && typeof b.error === 'object' && typeof (b.error as Record<string, unknown>).message === 'string') {
    return String((b.error as Record<string, unknown>).message).slice(0, 300);
  }
  if (typeof b.message === 'string') return b.message.slice(0, 300);
  if (typeof b.detail === 'string') return b.detail.slice(0, 300);
  return '';
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is the server running, and is the url right?)',
  ECONNRESET: 'connection reset by the server',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed while sending',
};

function networkFailure(e: unknown): AttemptFailure {
  const code = (e as { code?: string }).code;
  const what = (code && NETWORK_CODES[code]) ?? (e as Error).message;
  return { message: `cannot reach the server: ${what}${code ? ` (${code})` : ''}`, retryable: true };
}

/** Wait, unless the client is halted meanwhile. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
