import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash } from 'node:crypto';
import { makeRng } from '../../../src/core/rng.js';

/** What a route answers. */
export interface Reply {
  status?: number;
  json: unknown;
  headers?: Record<string, string>;
}

export type Handler = (body: any, req: IncomingMessage) => Promise<Reply> | Reply;

/** Each server speaks its own error dialect (vLLM, OpenAI, llama.cpp, Ollama, TGI). */
export type ErrorBody = (status: number, message: string) => unknown;

export type Fault =
  | { kind: 'rate-limit'; retryAfter: string }
  | { kind: 'server-error'; status: 500 | 503 }
  | { kind: 'slow'; ms: number }
  | { kind: 'truncated' }
  | { kind: 'reset' };

export interface FaultOptions {
  /** Share of first attempts (a body never seen before) that fail. */
  firstAttemptRate: number;
  /** Share of repeated attempts that fail again. */
  retryRate: number;
  /** The first this-many requests all get 429 (a storm), retries included. */
  storm?: number;
  /** Delay of a slow answer (set above the client's timeout). */
  slowMs: number;
  seed?: number;
}

export interface ServerOptions {
  routes: Record<string, Handler>;
  errorBody: ErrorBody;
  /** When set, requests without `Authorization: Bearer <apiKey>` get 401. */
  apiKey?: string;
  faults?: FaultOptions;
}

export interface RequestLog {
  method: string;
  path: string;
  body: any;
  authorization?: string;
}

export interface TestServer {
  url: string;
  log: RequestLog[];
  counts: { requests: number; firstAttempts: number; failedFirstAttempts: number; faults: Record<string, number> };
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 with JSON routes, optional bearer auth and injected faults. */
export async function startServer(opts: ServerOptions): Promise<TestServer> {
  const log: RequestLog[] = [];
  const counts: TestServer['counts'] = { requests: 0, firstAttempts: 0, failedFirstAttempts: 0, faults: {} };
  const seen = new Set<string>();
  const rng = makeRng(opts.faults?.seed ?? 7);
  let injected = 0;

  const pickFault = (first: boolean, n: number): Fault | null => {
    const f = opts.faults;
    if (!f) return null;
    if (f.storm && n <= f.storm)
      return { kind: 'rate-limit', retryAfter: n % 2 ? '1' : new Date(Date.now() + 1000).toUTCString() };
    if (rng() >= (first ? f.firstAttemptRate : f.retryRate)) return null;
    // Slow answers cost a whole timeout each, so they are the rarest.
    const kinds: Fault[] = [
      { kind: 'rate-limit', retryAfter: '1' },
      { kind: 'rate-limit', retryAfter: '1' },
      { kind: 'server-error', status: 500 },
      { kind: 'server-error', status: 503 },
      { kind: 'slow', ms: f.slowMs },
      { kind: 'truncated' },
      { kind: 'reset' },
    ];
    // Kinds take turns, so even a short run sees every one of them.
    return kinds[injected++ % kinds.length];
  };

  // A handler that throws (a route giving up on a client that hung up) answers 500; it never leaves a rejected promise behind.
  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: Error) => send(res, 500, opts.errorBody(500, e.message)));
  });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0];
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      return send(res, 400, opts.errorBody(400, 'request body is not JSON'));
    }
    const n = ++counts.requests;
    log.push({ method: req.method ?? 'GET', path, body, authorization: req.headers.authorization });
    const key = createHash('sha256').update(`${req.method} ${path} ${raw}`).digest('hex');
    const first = !seen.has(key);
    seen.add(key);
    if (first) counts.firstAttempts++;
    if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`)
      return send(res, 401, opts.errorBody(401, 'invalid API key'));
    const route = opts.routes[`${req.method} ${path}`];
    if (!route) return send(res, 404, opts.errorBody(404, `no route ${req.method} ${path}`));

    const fault = pickFault(first, n);
    if (fault) {
      counts.faults[fault.kind] = (counts.faults[fault.kind] ?? 0) + 1;
      if (first) counts.failedFirstAttempts++;
      switch (fault.kind) {
        case 'rate-limit':
          return send(res, 429, opts.errorBody(429, 'rate limit reached, slow down'), {
            'retry-after': fault.retryAfter,
          });
        case 'server-error':
          return send(res, fault.status, opts.errorBody(fault.status, 'internal error'));
        case 'reset':
          return req.socket.destroy();
        case 'slow':
          await new Promise((r) => setTimeout(r, fault.ms));
          break;
        case 'truncated': {
          const reply = await route(body, req);
          const text = JSON.stringify(reply.json);
          return sendText(res, 200, text.slice(0, Math.floor(text.length / 2)));
        }
      }
    }
    // A client that gave up (timeout) is not answered: a real server cancels the request too.
    if (res.destroyed) return;
    try {
      const reply = await route(body, req);
      send(res, reply.status ?? 200, reply.json, reply.headers);
    } catch (e) {
      send(res, 500, opts.errorBody(500, (e as Error).message));
    }
  };
  return { ...(await listenLocal(server)), log, counts };
}

/** Listen on a free 127.0.0.1 port; `close` also drops kept-alive connections. */
export async function listenLocal(server: http.Server): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
    req.on('error', () => resolve(data));
  });
}

function send(res: ServerResponse, status: number, json: unknown, headers: Record<string, string> = {}): void {
  sendText(res, status, JSON.stringify(json), headers);
}

export function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.writableEnded) return;
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Token text as UTF-8 byte values, as OpenAI, llama.cpp and Ollama report them. */
export const bytesOf = (s: string) => [...Buffer.from(s, 'utf8')];
