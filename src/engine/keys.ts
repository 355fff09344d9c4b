import { createHash } from 'node:crypto';
import type { Request } from '../core/types.js';

/**
 * A request's identity in the cache: a hash of exactly what the model sees. Contexts repeat
 * across choices and conditions, so their hashes are memoized.
 */
export class RequestKeys {
  private readonly contextHashes = new Map<string, string>();

  private contextHash(context: string): string {
    let h = this.contextHashes.get(context);
    if (!h) {
      h = createHash('sha256').update(context).digest('base64url');
      this.contextHashes.set(context, h);
    }
    return h;
  }

  keyOf(r: Request): string {
    const tail = r.kind === 'loglikelihood' ? r.continuation : JSON.stringify(r.candidates);
    return createHash('sha256').update(`${r.kind}\u0000${this.contextHash(r.context)}\u0000${tail}`).digest('base64url');
  }
}
