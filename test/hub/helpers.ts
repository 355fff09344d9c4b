import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { startFakeHub, type FakeHub, type FakeHubOptions } from './fake-hub.js';

const created: string[] = [];
after(() => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the test file ends. */
export function tempDir(prefix = 'goodhart-hub-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  created.push(dir);
  return dir;
}

export function writeFiles(dir: string, files: Record<string, string | Buffer>): string {
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

type Column = { name: string; data: unknown[]; type?: string };

/** A Parquet file (snappy, like the Hub's) from columns; integer columns are written as INT64, as the Hub's are. */
export function parquet(columns: Record<string, unknown[]>, codec: 'SNAPPY' | 'GZIP' = 'SNAPPY'): Buffer {
  const columnData: Column[] = Object.entries(columns).map(([name, data]) =>
    data.every((v) => typeof v === 'number' && Number.isInteger(v))
      ? { name, data: data.map((v) => BigInt(v as number)), type: 'INT64' }
      : { name, data },
  );
  const gzip = { GZIP: (input: Uint8Array) => new Uint8Array(gzipSync(input)) };
  return Buffer.from(
    parquetWriteBuffer({
      columnData: columnData as Parameters<typeof parquetWriteBuffer>[0]['columnData'],
      codec,
      ...(codec === 'GZIP' ? { compressors: gzip } : {}),
    }),
  );
}

const HUB_VARIABLES = [
  'HF_ENDPOINT',
  'GOODHART_CACHE',
  'GOODHART_OFFLINE',
  'HF_HUB_OFFLINE',
  'HF_TOKEN',
  'MODEL_ENDPOINT',
];

export interface HubFixture {
  hub: FakeHub;
  cache: string;
  /** Stop the server and put the environment back. */
  done(): Promise<void>;
}

/** Start a fake Hub and point HF_ENDPOINT and GOODHART_CACHE (a new temporary folder) at it. */
export async function useFakeHub(opts: FakeHubOptions, env: Record<string, string> = {}): Promise<HubFixture> {
  const saved = Object.fromEntries(HUB_VARIABLES.map((k) => [k, process.env[k]]));
  for (const k of HUB_VARIABLES) delete process.env[k];
  const hub = await startFakeHub(opts);
  const cache = tempDir('goodhart-cache-');
  Object.assign(process.env, { HF_ENDPOINT: hub.url, GOODHART_CACHE: cache, ...env });
  return {
    hub,
    cache,
    done: async () => {
      await hub.close();
      for (const k of HUB_VARIABLES) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    },
  };
}

/** Requests that fetched file bytes (CDN or direct resolve), not listings. */
export const fileHits = (hub: FakeHub) =>
  hub.hits.filter((h) => h.path.startsWith('/cdn/') || h.path.includes('/resolve/'));
