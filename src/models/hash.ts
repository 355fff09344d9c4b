import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';

/** sha256 of a file's content, streamed (GGUF files can be many GB). */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Where file content hashes are remembered by (path, size, mtime); the result store keeps one table of them. */
export interface FileHashCache {
  fileHash(path: string, size: number, mtimeMs: number): string | undefined;
  setFileHash(path: string, size: number, mtimeMs: number, sha256: string): void;
}

/** A file's content hash, from the cache while its size and mtime are unchanged, so big files hash once. */
export async function cachedFileHash(file: string, cache: FileHashCache): Promise<string> {
  const stat = statSync(file);
  const cached = cache.fileHash(file, stat.size, stat.mtimeMs);
  if (cached) return cached;
  const sha = await sha256File(file);
  cache.setFileHash(file, stat.size, stat.mtimeMs, sha);
  return sha;
}
