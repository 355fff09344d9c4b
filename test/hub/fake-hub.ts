import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the Hugging Face Hub on 127.0.0.1, with the Hub's URL layout and behaviour:
 * tree listing (paginated), `resolve` answering large (LFS) files with a 302 to a CDN path and the
 * `x-linked-etag`/`x-linked-size` headers, small files served directly with their git blob id as
 * ETag, HTTP Range, a transfer cut short once (to be resumed), the Parquet-conversion API, GGUF
 * manifests for `hf:<repo>:<quant>`, and 404s with the Hub's error body.
 */

export interface FakeRepo {
  kind?: 'datasets' | 'models';
  owner: string;
  name: string;
  revision?: string;
  files: Record<string, Buffer | string>;
  /** Paths stored in LFS (redirected to the CDN); default: .parquet and .gguf files. */
  lfs?: (path: string) => boolean;
  /** `config/split` → shard file contents served by the Parquet-conversion API. */
  parquetApi?: Record<string, Buffer[]>;
}

export interface FakeHubOptions {
  repos: FakeRepo[];
  /** Paths whose first transfer is cut after half of the bytes. */
  cutOnce?: string[];
  /** Entries per page of a tree listing. */
  pageSize?: number;
  /** When set, Hub routes (not the CDN) need `Authorization: Bearer <token>`. */
  token?: string;
  /** Serve this many bytes more or less than the listing says (a corrupted CDN). */
  corrupt?: string[];
}

export interface Hit {
  method: string;
  path: string;
  range?: string;
  auth?: string;
}

export interface FakeHub {
  url: string;
  hits: Hit[];
  close(): Promise<void>;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const gitOid = (b: Buffer) => createHash('sha1').update(`blob ${b.length}\0`).update(b).digest('hex');

function fail(res: http.ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'x-error-code': code, 'x-error-message': message });
  res.end(JSON.stringify({ error: message }));
}

/** Serve bytes with Range support; `cut` ends the connection after half of them. */
function sendBytes(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  body: Buffer,
  headers: Record<string, string>,
  cut: boolean,
): void {
  let start = 0;
  let end = body.length - 1;
  let status = 200;
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  if (range) {
    start = Number(range[1]);
    if (range[2]) end = Math.min(end, Number(range[2]));
    if (start >= body.length) {
      res.writeHead(416, { 'content-range': `bytes */${body.length}` });
      res.end();
      return;
    }
    status = 206;
  }
  const slice = body.subarray(start, end + 1);
  res.writeHead(status, {
    ...headers,
    'accept-ranges': 'bytes',
    'content-length': String(slice.length),
    'content-type': 'application/octet-stream',
    ...(status === 206 ? { 'content-range': `bytes ${start}-${end}/${body.length}` } : {}),
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  if (cut) {
    // A FIN, not a reset: the client gets the first half, then the connection ends early.
    res.write(slice.subarray(0, Math.floor(slice.length / 2)), () => res.socket?.end());
    return;
  }
  res.end(slice);
}

export async function startFakeHub(opts: FakeHubOptions): Promise<FakeHub> {
  const hits: Hit[] = [];
  const cutPending = new Set(opts.cutOnce ?? []);
  const cdn = new Map<string, { body: Buffer; path: string }>();
  const buf = (v: Buffer | string) => (typeof v === 'string' ? Buffer.from(v) : v);
  for (const repo of opts.repos) {
    for (const [p, v] of Object.entries(repo.files)) cdn.set(sha256(buf(v)), { body: buf(v), path: p });
    for (const shards of Object.values(repo.parquetApi ?? {}))
      for (const s of shards) cdn.set(sha256(s), { body: s, path: 'parquet-api' });
  }
  const findRepo = (kind: string, owner: string, name: string) =>
    opts.repos.find((r) => (r.kind ?? 'datasets') === kind && r.owner === owner && r.name === name);
  const isLfs = (repo: FakeRepo, p: string) => (repo.lfs ? repo.lfs(p) : /\.(parquet|gguf)$/.test(p));
  let base = '';
  let cdnBase = '';

  // The CDN is another origin, as on the real Hub: the token must not follow the redirect there.
  const cdnServer = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').slice(1).map(decodeURIComponent);
    hits.push({
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      range: req.headers.range,
      auth: req.headers.authorization,
    });
    const file = parts[0] === 'cdn' ? cdn.get(parts[1]) : undefined;
    if (!file) return fail(res, 404, 'EntryNotFound', 'Entry not found');
    const cut = cutPending.delete(file.path);
    let body = file.body;
    if (opts.corrupt?.includes(file.path))
      body = Buffer.concat([body.subarray(0, body.length - 1), Buffer.from([body[body.length - 1] ^ 1])]);
    return sendBytes(req, res, body, {}, cut);
  });

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const parts = url.pathname.split('/').slice(1).map(decodeURIComponent);
    hits.push({
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      range: req.headers.range,
      auth: req.headers.authorization,
    });
    if (opts.token && req.headers.authorization !== `Bearer ${opts.token}`)
      return fail(res, 401, 'GatedRepo', 'Access to this repository is restricted');
    // /api/datasets/<owner>/<name>/tree/<rev>   and   /api/datasets/<owner>/<name>/parquet/<config>/<split>[/<n>.parquet]
    if (parts[0] === 'api' && parts[1] === 'datasets') {
      const repo = findRepo('datasets', parts[2], parts[3]);
      if (!repo) return fail(res, 404, 'RepoNotFound', 'Repository not found');
      if (parts[4] === 'tree') {
        if (parts[5] !== (repo.revision ?? 'main')) return fail(res, 404, 'RevisionNotFound', 'Revision not found');
        const entries = Object.entries(repo.files).map(([p, v]) => {
          const b = buf(v);
          return isLfs(repo, p)
            ? {
                type: 'file',
                oid: gitOid(Buffer.from(`pointer ${p}`)),
                size: 134,
                path: p,
                lfs: { oid: sha256(b), size: b.length, pointerSize: 134 },
              }
            : { type: 'file', oid: gitOid(b), size: b.length, path: p };
        });
        const dirs = [
          ...new Set(
            Object.keys(repo.files)
              .filter((p) => p.includes('/'))
              .map((p) => p.split('/')[0]),
          ),
        ].map((d) => ({ type: 'directory', oid: 'x', size: 0, path: d }));
        const all = [...dirs, ...entries];
        const size = opts.pageSize ?? 1000;
        const cursor = Number(url.searchParams.get('cursor') ?? 0);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (cursor + size < all.length)
          headers.link = `<${base}${url.pathname}?recursive=true&expand=false&cursor=${cursor + size}>; rel="next"`;
        res.writeHead(200, headers);
        return res.end(JSON.stringify(all.slice(cursor, cursor + size)));
      }
      if (parts[4] === 'parquet') {
        const shards = repo.parquetApi?.[`${parts[5]}/${parts[6]}`];
        if (!shards) return fail(res, 404, 'ConfigNamesError', 'No Parquet conversion for this config/split');
        if (parts[7]) {
          const shard = shards[Number(parts[7].replace('.parquet', ''))];
          if (!shard) return fail(res, 404, 'EntryNotFound', 'Entry not found');
          res.writeHead(302, {
            location: `${cdnBase}/cdn/${sha256(shard)}`,
            'x-linked-etag': `"${sha256(shard)}"`,
            'x-linked-size': String(shard.length),
          });
          return res.end();
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end(
          JSON.stringify(
            shards.map(
              (_, k) => `${base}/api/datasets/${repo.owner}/${repo.name}/parquet/${parts[5]}/${parts[6]}/${k}.parquet`,
            ),
          ),
        );
      }
    }
    // /api/models/<owner>/<repo>: model info
    if (parts[0] === 'api' && parts[1] === 'models') {
      const repo = findRepo('models', parts[2], parts[3]);
      if (!repo) return fail(res, 404, 'RepoNotFound', 'Repository not found');
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(
        JSON.stringify({
          id: `${repo.owner}/${repo.name}`,
          siblings: Object.keys(repo.files).map((rfilename) => ({ rfilename })),
        }),
      );
    }
    // /v2/<owner>/<repo>/manifests/<tag>: the GGUF file of a quantization
    if (parts[0] === 'v2' && parts[3] === 'manifests') {
      const repo = findRepo('models', parts[1], parts[2]);
      const file =
        repo &&
        Object.keys(repo.files).find((p) => p.toLowerCase().includes(parts[4].toLowerCase()) && p.endsWith('.gguf'));
      if (!file) return fail(res, 404, 'EntryNotFound', 'Entry not found');
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(JSON.stringify({ ggufFile: { rfilename: file, size: buf(repo!.files[file]).length } }));
    }
    // /datasets/<owner>/<name>/resolve/<rev>/<path>   and   /<owner>/<repo>/resolve/<rev>/<path> (models)
    const kind = parts[0] === 'datasets' ? 'datasets' : 'models';
    const at = kind === 'datasets' ? 1 : 0;
    if (parts[at + 2] === 'resolve') {
      const repo = findRepo(kind, parts[at], parts[at + 1]);
      if (!repo) return fail(res, 404, 'RepoNotFound', 'Repository not found');
      if (parts[at + 3] !== (repo.revision ?? 'main')) return fail(res, 404, 'RevisionNotFound', 'Revision not found');
      const p = parts.slice(at + 4).join('/');
      const content = repo.files[p];
      if (content === undefined) return fail(res, 404, 'EntryNotFound', 'Entry not found');
      const b = buf(content);
      if (isLfs(repo, p)) {
        res.writeHead(302, {
          location: `${cdnBase}/cdn/${sha256(b)}?X-Amz-Signature=abc`,
          'x-linked-etag': `"${sha256(b)}"`,
          'x-linked-size': String(b.length),
          etag: `"${gitOid(Buffer.from('pointer'))}"`,
        });
        return res.end();
      }
      return sendBytes(req, res, b, { etag: `"${gitOid(b)}"` }, cutPending.delete(p));
    }
    return fail(res, 404, 'NotFound', 'Not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => cdnServer.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cdnBase = `http://127.0.0.1:${(cdnServer.address() as AddressInfo).port}`;
  return {
    url: base,
    hits,
    close: async () => {
      for (const s of [server, cdnServer]) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
    },
  };
}
