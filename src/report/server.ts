/**
 * `goodhart view`: serve a run folder's report and files on 127.0.0.1 only. Paths are decoded,
 * then refused if any segment is "..", if they leave the folder, or if a symbolic link inside the
 * folder points outside it; Host headers other than the loopback address are refused too, so a web
 * page elsewhere cannot reach the server through DNS rebinding.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

export interface ViewServer {
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/x-ndjson; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.yaml': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

const inside = (root: string, p: string): boolean => {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/** The file a request path names inside root, or null when it is not a safe path to a file there. */
export function resolveRequestPath(root: string, rawPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const segments = decoded.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '..' || s === '.')) return null;
  const file = path.resolve(root, ...(segments.length ? segments : ['report.html']));
  if (!inside(root, file)) return null;
  let real: string;
  try {
    real = fs.realpathSync(file);
  } catch {
    return null;
  }
  return inside(root, real) && fs.statSync(real).isFile() ? real : null;
}

export function serveRunDir(dir: string, port: number): Promise<ViewServer> {
  const root = fs.realpathSync(dir);
  const report = path.join(root, 'report.html');
  const server = http.createServer((req, res) => {
    const send = (status: number, message: string) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      res.end(`${message}\n`);
    };
    const address = server.address();
    const host = req.headers.host ?? '';
    if (
      typeof address !== 'object' ||
      !address ||
      (host !== `127.0.0.1:${address.port}` && host !== `localhost:${address.port}`)
    ) {
      return send(403, 'forbidden host');
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed');
    const rawPath = (req.url ?? '/').split(/[?#]/)[0];
    const file = resolveRequestPath(root, rawPath);
    if (!file) return send(404, 'not found');
    const headers: http.OutgoingHttpHeaders = {
      'Content-Type': TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': fs.statSync(file).size,
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
    };
    // Only the report may run its own script; any other file is inert even if opened as a page.
    if (file !== report) headers['Content-Security-Policy'] = "default-src 'none'; sandbox";
    res.writeHead(200, headers);
    if (req.method === 'HEAD') return res.end();
    fs.createReadStream(file)
      .on('error', () => res.destroy())
      .pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      resolve({
        url: `http://127.0.0.1:${address.port}/`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
