import http from 'node:http';
import https from 'node:https';
import { UserError } from '../core/errors.js';
import { authHeaders, hubEndpoint, hubToken } from './settings.js';

/** A failure worth retrying: the connection dropped, the server is busy or briefly broken. */
export class TransientHubError extends Error {}

/** The Hub could not be reached at all (or kept failing): a cached copy may stand in. */
export class HubUnreachableError extends UserError {}

export interface HubResponse {
  response: Response;
  /** URL that answered after every redirect. */
  url: string;
  /** `x-linked-etag` / `x-linked-size` seen on any hop: the Hub's own checksum and size of an LFS file. */
  linkedEtag?: string;
  linkedSize?: number;
  /** `etag` of the Hub's answer when it served the file itself (no redirect): the git blob id of a small file. */
  directEtag?: string;
}

const MAX_REDIRECTS = 10;

const unquote = (etag: string | null) => (etag ? etag.replace(/^W\//, '').replace(/^"|"$/g, '') : undefined);

function networkProblem(err: unknown, url: string): Error {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? (err as Error).message;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET' || code === 'EPIPE')
    return new TransientHubError(`connection to ${new URL(url).origin} dropped (${code})`);
  return new HubUnreachableError(
    `cannot reach the Hugging Face Hub at ${new URL(url).origin} (${code}). Set HF_ENDPOINT for a mirror, or work offline ` +
      `(--offline or GOODHART_OFFLINE=1) from the cache (see \`goodhart cache add-dataset\`)`,
  );
}

/**
 * GET with redirects followed by hand, so the Hub's checksum headers on the first hop are kept
 * and the token is sent to the Hub only (the CDN URL it redirects to is already signed).
 */
export async function hubGet(url: string, headers: Record<string, string> = {}): Promise<HubResponse> {
  let current = url;
  let linkedEtag: string | undefined;
  let linkedSize: number | undefined;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    let response: Response;
    try {
      response = await fetch(current, { headers: { ...headers, ...authHeaders(current) }, redirect: 'manual' });
    } catch (err) {
      throw networkProblem(err, current);
    }
    linkedEtag ??= unquote(response.headers.get('x-linked-etag'));
    const size = response.headers.get('x-linked-size');
    if (size !== null && linkedSize === undefined && /^\d+$/.test(size)) linkedSize = Number(size);
    const location = response.headers.get('location');
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      current = new URL(location, current).href;
      continue;
    }
    const directEtag = hop === 0 ? unquote(response.headers.get('etag')) : undefined;
    return { response, url: current, linkedEtag, linkedSize, directEtag };
  }
  throw new UserError(`more than ${MAX_REDIRECTS} redirects`, url);
}

export interface HubStream {
  message: http.IncomingMessage;
  url: string;
  linkedEtag?: string;
  linkedSize?: number;
  directEtag?: string;
}

function request(url: string, headers: Record<string, string>): Promise<http.IncomingMessage> {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.get(url, { headers: { 'user-agent': 'goodhart', ...headers, ...authHeaders(url) } }, resolve);
    // A stalled connection is a dropped one: the download resumes from what it has.
    req.setTimeout(60_000, () => req.destroy(Object.assign(new Error('no data for 60 s'), { code: 'ECONNRESET' })));
    req.on('error', (err) => reject(networkProblem(Object.assign(new Error(err.message), { cause: err }), url)));
  });
}

/**
 * Like hubGet, but the body is node's own stream: read in flowing mode, every byte that arrives
 * is handed over before a dropped connection is reported (fetch may discard the last chunks),
 * which is what lets a cut transfer resume exactly where it stopped.
 */
export async function hubStream(url: string, headers: Record<string, string> = {}): Promise<HubStream> {
  let current = url;
  let linkedEtag: string | undefined;
  let linkedSize: number | undefined;
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const message = await request(current, headers);
    const header = (name: string) => {
      const v = message.headers[name];
      return Array.isArray(v) ? v[0] : (v ?? null);
    };
    linkedEtag ??= unquote(header('x-linked-etag'));
    const size = header('x-linked-size');
    if (size !== null && linkedSize === undefined && /^\d+$/.test(size)) linkedSize = Number(size);
    const location = header('location');
    const status = message.statusCode ?? 0;
    if (status >= 300 && status < 400 && location) {
      message.resume();
      current = new URL(location, current).href;
      continue;
    }
    return {
      message,
      url: current,
      linkedEtag,
      linkedSize,
      directEtag: hop === 0 ? unquote(header('etag')) : undefined,
    };
  }
  throw new UserError(`more than ${MAX_REDIRECTS} redirects`, url);
}

/** A failed streamed answer as a fetch Response, so failHub can read the Hub's error from it. */
export async function asResponse(message: http.IncomingMessage): Promise<Response> {
  const chunks: Buffer[] = [];
  for await (const chunk of message) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [k, v] of Object.entries(message.headers)) if (typeof v === 'string') headers.set(k, v);
  return new Response(Buffer.concat(chunks), { status: message.statusCode, headers });
}

/** The Hub's error text: JSON `{"error": ...}` or `x-error-message`, with `x-error-code`. */
async function errorText(response: Response): Promise<{ code?: string; message?: string }> {
  const code = response.headers.get('x-error-code') ?? undefined;
  let message = response.headers.get('x-error-message') ?? undefined;
  try {
    const body = (await response.text()).slice(0, 2000);
    try {
      const parsed = JSON.parse(body) as { error?: unknown };
      if (typeof parsed.error === 'string') message = parsed.error;
    } catch {
      if (!message && body.trim() && !body.trimStart().startsWith('<')) message = body.trim().slice(0, 200);
    }
  } catch {
    // the body is only for the message
  }
  return { code, message };
}

/**
 * Throw what a failed Hub response means for the user; transient statuses (429, 5xx) become a
 * TransientHubError so callers may retry. `what` names the dataset or file in messages.
 */
export async function failHub(response: Response, what: string): Promise<never> {
  const { code, message } = await errorText(response);
  const detail = [code, message].filter(Boolean).join(': ');
  const said = detail ? ` (${detail})` : '';
  if (response.status === 429 || response.status >= 500) {
    throw new TransientHubError(`${what}: the Hub answered ${response.status}${said}`);
  }
  if (response.status === 401 || response.status === 403) {
    const hint = hubToken()
      ? 'the token in HF_TOKEN has no access to it (gated: accept its terms on the Hub)'
      : 'it may be private or gated: set HF_TOKEN';
    throw new UserError(`access denied (${response.status})${said}; ${hint}`, what);
  }
  if (response.status === 404) {
    const kind =
      code === 'RevisionNotFound' ? 'revision not found' : code === 'EntryNotFound' ? 'file not found' : 'not found';
    const hint = code === 'RepoNotFound' || !code ? ' — check the name; a private dataset also needs HF_TOKEN' : '';
    throw new UserError(`${kind} on ${hubEndpoint()}${said}${hint}`, what);
  }
  throw new UserError(`the Hub answered ${response.status}${said}`, what);
}

/** GET a JSON document from the Hub API, with the Hub's errors as UserErrors. */
export async function hubJson(url: string, what: string, attempts = 3): Promise<{ body: unknown; response: Response }> {
  let got: HubResponse;
  for (let k = 1; ; k++) {
    try {
      got = await hubGet(url, { accept: 'application/json' });
      if (!got.response.ok) await failHub(got.response, what);
      break;
    } catch (err) {
      if (!(err instanceof TransientHubError)) throw err;
      if (k >= attempts) throw new HubUnreachableError(`${err.message} (after ${attempts} attempts)`, what);
      await new Promise((resolve) => setTimeout(resolve, 200 * k));
    }
  }
  try {
    return { body: await got.response.json(), response: got.response };
  } catch (err) {
    throw new UserError(`the Hub's answer is not JSON: ${(err as Error).message}`, what);
  }
}

/** Next page of a paginated Hub listing, from `Link: <url>; rel="next"`. */
export function nextPage(response: Response, base: string): string | undefined {
  const link = response.headers.get('link');
  const m = link && /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
  return m ? new URL(m[1], base).href : undefined;
}
