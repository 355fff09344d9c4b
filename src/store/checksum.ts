import type { RequestResult } from '../core/types.js';

/**
 * Checksum of one stored result (FNV-1a, 32 bits, over model, key and result text): a flipped bit
 * in any of them is caught on read. Rows stored before checksums existed have none and are trusted.
 */
export function resultChecksum(modelId: string, key: string, result: string): number {
  let h = 0x811c9dc5;
  for (const part of [modelId, key, result]) {
    for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ 0, 0x01000193);
  }
  return h >>> 0;
}

/** A stored row's result if its checksum holds and it parses, else undefined. */
export function verifiedResult(
  modelId: string,
  key: string,
  text: string,
  checksum: number | null,
): RequestResult | undefined {
  if (checksum !== null && checksum !== resultChecksum(modelId, key, text)) return undefined;
  try {
    return JSON.parse(text) as RequestResult;
  } catch {
    return undefined;
  }
}
