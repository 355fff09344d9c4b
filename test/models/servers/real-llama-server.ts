import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * llama.cpp's own server, built from the llama.cpp release node-llama-cpp binds
 * (scripts/build-llama-tools.sh, cached by commit), started on 127.0.0.1 for a test.
 */

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * The llama-server binary: $GOODHART_LLAMA_BIN (the binary or its folder), else the build script's
 * cache (building it on first use). Returns the reason when there is none; in CI that is an error,
 * so these tests are never skipped there.
 */
export async function findLlamaServer(): Promise<{ bin: string } | { missing: string }> {
  const override = process.env.GOODHART_LLAMA_BIN;
  if (override) {
    const bin =
      fs.existsSync(override) && fs.statSync(override).isDirectory() ? path.join(override, 'llama-server') : override;
    if (fs.existsSync(bin)) return { bin };
    return fail(`GOODHART_LLAMA_BIN names no llama-server binary: ${bin}`);
  }
  try {
    const { stdout } = await promisify(execFile)('bash', [path.join(repoRoot, 'scripts/build-llama-tools.sh')], {
      cwd: repoRoot,
      maxBuffer: 64 << 20,
    });
    const bin = path.join(stdout.trim().split('\n').pop()!, 'llama-server');
    if (fs.existsSync(bin)) return { bin };
    return fail(`scripts/build-llama-tools.sh printed no folder holding llama-server (${stdout.trim()})`);
  } catch (e) {
    const stderr = String((e as { stderr?: string }).stderr ?? (e as Error).message)
      .trim()
      .split('\n')
      .slice(-5)
      .join('\n');
    return fail(
      `scripts/build-llama-tools.sh could not build llama-server (run npm run build:llama-server):\n${stderr}`,
    );
  }
}

function fail(reason: string): { missing: string } {
  if (process.env.CI) throw new Error(`llama-server is needed by the tests in CI: ${reason}`);
  return { missing: `skipped: no llama-server binary (${reason})` };
}

export interface RealLlamaServer {
  url: string;
  /** What the server printed, for failure messages. */
  output(): string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as net.AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * Start llama-server on a free port with one model. The KV cache is float32 and flash attention
 * off, as in the GGUF backend's `precise: true`, so both compute the same numbers.
 */
export async function startRealLlamaServer(bin: string, model: string, extra: string[] = []): Promise<RealLlamaServer> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const args = [
      '-m',
      model,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '-c',
      '2048',
      '-np',
      '1',
      '-t',
      '1',
      '-fa',
      'off',
      '-ctk',
      'f32',
      '-ctv',
      'f32',
      '--no-webui',
      ...extra,
    ];
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const url = `http://127.0.0.1:${port}`;
    const ready = await waitReady(child, url);
    if (ready) return { url, output: () => output, close: () => stop(child) };
    await stop(child);
    // Another process may have taken the port between the probe and the bind: try another one.
    if (attempt >= 2 || !/bind|address already in use/i.test(output))
      throw new Error(`llama-server did not start (${bin} ${args.join(' ')}):\n${output.slice(-2000)}`);
  }
}

/** Poll /health until the model is loaded; false if the process ends first. */
async function waitReady(child: ChildProcess, url: string): Promise<boolean> {
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + 120_000;
  while (!exited && Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/health`);
      await res.text();
      if (res.ok) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
