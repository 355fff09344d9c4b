import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { resolveRequestPath } from '../../src/report/server.js';
import { CLI_ARGS, repoRoot, sharedDir, tempDir } from '../helpers.js';
import { writeSimulatedRun } from './helpers.js';

/** A raw GET, so the path reaches the server exactly as written (no URL normalisation). */
function get(
  port: number,
  rawPath: string,
  opts: { host?: string; method?: string } = {},
): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: rawPath,
        method: opts.method ?? 'GET',
        headers: { host: opts.host ?? `127.0.0.1:${port}` },
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function setUp() {
  const root = tempDir();
  const run = path.join(root, 'run');
  writeSimulatedRun(run);
  fs.writeFileSync(path.join(root, 'secret.txt'), 'TOP SECRET');
  fs.symlinkSync(path.join(root, 'secret.txt'), path.join(run, 'link.txt'));
  return { root, run };
}

/** Ways to ask for ../secret.txt (or its absolute path) from inside the run folder. */
const traversals = (root: string) => [
  '/../secret.txt',
  '/..%2fsecret.txt',
  '/%2e%2e/secret.txt',
  '/%2e%2e%2fsecret.txt',
  '/run/../../secret.txt',
  '/..%5csecret.txt',
  '/link.txt',
  '/%00',
  '/%E0%A4%A',
  `/${encodeURIComponent(path.join(root, 'secret.txt'))}`,
];

test('request paths resolve only to files inside the run folder', () => {
  const { root, run } = setUp();
  const real = fs.realpathSync(run);
  assert.equal(resolveRequestPath(real, '/'), null, 'no report yet');
  assert.equal(resolveRequestPath(real, '/summary.json'), path.join(real, 'summary.json'));
  for (const p of traversals(root)) assert.equal(resolveRequestPath(real, p), null, p);
});

test('goodhart view serves the report on 127.0.0.1 only and refuses paths outside the run folder', async () => {
  const { root, run } = setUp();
  const child = spawn(process.execPath, [...CLI_ARGS, 'view', run, '--port', '0'], {
    cwd: repoRoot,
    env: { ...process.env, GOODHART_SHARED: sharedDir() },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
        const m = out.match(/(http:\/\/\S+)/);
        if (m) resolve(m[1]);
      });
      child.on('close', () => reject(new Error(`view exited: ${stderr}`)));
    });
    const { hostname, port: portText } = new URL(url);
    assert.equal(hostname, '127.0.0.1');
    const port = Number(portText);

    const index = await get(port, '/');
    assert.equal(index.status, 200);
    assert.match(index.type, /^text\/html/);
    assert.match(index.body, /goodhart report/);
    assert.ok(fs.existsSync(path.join(run, 'report.html')), 'the missing report was written first');
    const summary = await get(port, '/summary.json');
    assert.equal(summary.status, 200);
    assert.match(summary.type, /^application\/json/);
    assert.equal(JSON.parse(summary.body).study, 'simulated');

    for (const p of traversals(root)) {
      const r = await get(port, p);
      assert.equal(r.status, 404, `${p} is refused`);
      assert.doesNotMatch(r.body, /TOP SECRET/);
    }
    assert.equal((await get(port, '/', { host: 'evil.example' })).status, 403, 'foreign Host headers are refused');
    assert.equal((await get(port, '/', { method: 'POST' })).status, 405);

    // Not reachable on any other address of this machine.
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (external) {
      const connected = await new Promise<boolean>((resolve) => {
        const s = net.connect({ host: external.address, port }, () => {
          s.destroy();
          resolve(true);
        });
        s.on('error', () => resolve(false));
      });
      assert.equal(connected, false, `not listening on ${external.address}`);
    }
  } finally {
    child.kill('SIGINT');
  }
  assert.equal(await exited, 0, stderr);
});
