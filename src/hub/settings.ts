import os from 'node:os';
import path from 'node:path';

/**
 * Where the Hugging Face Hub is, where its files are kept, and whether the network may be used.
 * Read from the environment at each call so tests (and long-lived processes) see changes.
 */

/** Base URL of the Hub: $HF_ENDPOINT, default https://huggingface.co (no trailing slash). */
export function hubEndpoint(): string {
  return (process.env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, '');
}

/** Root of goodhart's download cache: $GOODHART_CACHE, default ~/.cache/goodhart/hub. */
export function cacheRoot(): string {
  return process.env.GOODHART_CACHE
    ? path.resolve(process.env.GOODHART_CACHE)
    : path.join(os.homedir(), '.cache', 'goodhart', 'hub');
}

const TRUE = /^(1|true|yes|on)$/i;

/**
 * Offline when asked by the caller (`--offline`), or by $GOODHART_OFFLINE (or the Hub's own
 * $HF_HUB_OFFLINE) set to 1/true/yes/on.
 */
export function isOffline(flag?: boolean): boolean {
  if (flag) return true;
  return TRUE.test(process.env.GOODHART_OFFLINE ?? '') || TRUE.test(process.env.HF_HUB_OFFLINE ?? '');
}

/** $HF_TOKEN, for private and gated repositories. Never logged, never written anywhere. */
export function hubToken(): string | undefined {
  const token = process.env.HF_TOKEN?.trim();
  return token ? token : undefined;
}

/** Headers for a request to `url`: the token goes only to the Hub itself, never to the CDN it redirects to. */
export function authHeaders(url: string): Record<string, string> {
  const token = hubToken();
  if (!token) return {};
  return new URL(url).origin === new URL(hubEndpoint()).origin ? { authorization: `Bearer ${token}` } : {};
}
