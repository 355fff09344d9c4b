import { createHash } from 'node:crypto';
import type { Model, ModelIdentity, Outcome, Request } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { HttpClient, HttpFailure, type HttpStats } from './http.js';
import type { RemoteSpec } from './remote-specs.js';

/** What every remote backend is built from: its spec, a client for its endpoint, and where it is declared. */
export interface RemoteSetup<S extends RemoteSpec = RemoteSpec> {
  spec: S;
  http: HttpClient;
  /** Where in the study file the model is declared (for error messages). */
  where: string;
  /** Configuration problems found on connecting are warnings instead of errors (`--lenient`). */
  lenient?: boolean;
  /** Where warnings go (default: stderr). */
  warn?: (line: string) => void;
}

/** Split a configured URL into the server root (its identity) and a query string sent with every request. */
function parseServerUrl(url: string): { root: string; query?: string } {
  const u = new URL(url);
  const query = u.search || undefined;
  u.search = '';
  u.hash = '';
  // OpenAI-style base URLs often end in /v1; every path here is given from the server root.
  return { root: u.toString().replace(/\/+$/, '').replace(/\/v1$/, ''), query };
}

/** The HTTP client for a spec; the API key is read from the named environment variable, never from the file. */
export function httpClientFor(spec: RemoteSpec, where: string): HttpClient {
  const { root, query } = parseServerUrl(spec.url);
  let apiKey: string | undefined;
  if (spec.apiKeyEnv) {
    apiKey = process.env[spec.apiKeyEnv];
    if (!apiKey)
      throw new UserError(
        `the environment variable ${spec.apiKeyEnv} (apiKeyEnv) is not set or empty`,
        `${where}.apiKeyEnv`,
      );
  }
  return new HttpClient({
    root,
    query,
    apiKey,
    concurrency: spec.concurrency,
    timeoutMs: spec.timeoutMs,
    maxRetries: spec.maxRetries,
  });
}

/**
 * A remote model's identity: backend, server root (no credentials or query), model name, and a
 * fingerprint of what the server reports about the model (weights path or hash, dtype, size...),
 * so that a different model behind the same URL gets its own cache entries.
 */
export function remoteIdentity(
  spec: RemoteSpec,
  root: string,
  modelName: string | undefined,
  reported: Record<string, unknown>,
): ModelIdentity {
  const known = Object.entries(reported).filter(([, v]) => v !== undefined && v !== null);
  const server = known.length > 0 ? Object.fromEntries(known) : undefined;
  const fingerprint = server ? `#${createHash('sha256').update(stableJson(server)).digest('hex').slice(0, 16)}` : '';
  return {
    id: `${spec.backend}:${modelName ?? '(default)'}@${root}${fingerprint}`,
    name: spec.name,
    backend: spec.backend,
    details: { url: root, model: modelName ?? null, ...(server ? { server } : {}), concurrency: spec.concurrency },
  };
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * Ask an optional info endpoint. An endpoint the server does not have (404, 405, 501) means
 * "nothing reported"; any other failure stops here, so a sick server is found before the run
 * and the identity never depends on a lucky answer.
 */
export async function serverInfo(http: HttpClient, path: string, where: string): Promise<unknown | undefined> {
  try {
    return await http.get(path);
  } catch (e) {
    if (e instanceof HttpFailure && (e.status === 404 || e.status === 405 || e.status === 501)) return undefined;
    throw configurationError(e, where) ?? new UserError((e as Error).message, where);
  }
}

/** Statuses that say the setup is wrong (credentials, URL, model name): every other request would fail the same way. */
function configurationError(e: unknown, where: string): UserError | undefined {
  if (!(e instanceof HttpFailure)) return undefined;
  if (e.status === 401 || e.status === 403)
    return new UserError(`${e.message} — the server refused the credentials; check apiKeyEnv`, where);
  if (e.status === 404) return new UserError(`${e.message} — check url and model`, where);
  return undefined;
}

/** A backend whose answers cannot be trusted: reported, never scored. */
export function brokenBackend(endpoint: string, problem: string): UserError {
  return new UserError(`broken backend: ${problem}. No score is computed from this server's answers.`, endpoint);
}

/** One exchange with the server: the requests it answers, in order. */
export interface WorkUnit {
  indices: number[];
  run(): Promise<Outcome[]>;
}

/**
 * Run units concurrently (the client limits how many are in flight) and report each outcome the
 * moment it is known. A failed call fails only its unit's requests (recorded, retried next run);
 * any other error (configuration, broken backend) halts the client and is thrown once every unit
 * has stopped.
 */
export async function runUnits(
  http: HttpClient,
  count: number,
  units: WorkUnit[],
  where: string,
  onResult?: (index: number, outcome: Outcome) => void,
): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(count);
  const settle = (i: number, o: Outcome) => {
    outcomes[i] = o;
    onResult?.(i, o);
  };
  await Promise.all(
    units.map(async (unit) => {
      try {
        const results = await unit.run();
        unit.indices.forEach((i, k) => settle(i, results[k]));
      } catch (e) {
        if (e === http.haltedBy) return;
        const fatal = configurationError(e, where);
        if (e instanceof HttpFailure && !fatal) {
          for (const i of unit.indices) settle(i, { ok: false, error: http.redact(e.message) });
        } else {
          http.halt(fatal ?? (e as Error));
        }
      }
    }),
  );
  if (http.haltedBy) throw http.haltedBy;
  return outcomes;
}

export interface RemoteStats extends HttpStats {
  /** The server root the attempts went to. */
  server: string;
}

/** A model served over HTTP: exposes its client's retry counts. */
export interface RemoteModel extends Model {
  readonly stats: RemoteStats;
}

export function remoteStats(model: Model): RemoteStats | undefined {
  return 'stats' in model ? (model as RemoteModel).stats : undefined;
}

/**
 * One exchange per request, for protocols that take one prompt at a time. Requests of another
 * kind fail (validation refuses studies that would send them, so this is only a safeguard).
 */
export function unitPerRequest<K extends Request['kind']>(
  requests: Request[],
  kind: K,
  backend: string,
  run: (request: Extract<Request, { kind: K }>) => Promise<Outcome>,
): WorkUnit[] {
  return requests.map((r, i) => ({
    indices: [i],
    run: async () => [
      r.kind === kind
        ? await run(r as Extract<Request, { kind: K }>)
        : { ok: false, error: `${backend} cannot answer ${r.kind} requests` },
    ],
  }));
}
