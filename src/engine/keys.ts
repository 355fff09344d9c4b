import crypto from 'node:crypto';
import type { Request } from '../core/types.js';

/**
 * Every distinct request of a study, interned once for all models: an id (an index into these
 * arrays), its identity in the cache (a hash of exactly what the model sees) and its context.
 * Contexts repeat across choices and conditions, so each is hashed once.
 */
export class RequestTable {
  /** Cache key of each request. */
  readonly keys: string[] = [];
  readonly requests: Request[] = [];
  /** Context id of each request. */
  readonly contextIds: number[] = [];
  private readonly contextTexts: string[] = [];
  private ranks?: Int32Array;
  /** Lookups used while interning; dropped by compact() (they are a tenth of a large plan) and rebuilt on demand. */
  private ids?: Map<string, number>;
  private index?: { contexts: Record<string, number>; hashes: string[]; continuations: Record<string, true> };

  get size(): number {
    return this.keys.length;
  }

  /**
   * Texts are looked up as property names on purpose: V8 then keeps one copy of equal strings
   * (the others become references to it), and equal prompts rendered by several conditions
   * (symbol and hybrid scoring show the same one) stop costing memory each.
   */
  private lookups() {
    if (!this.index) {
      const contexts: Record<string, number> = Object.create(null);
      this.contextTexts.forEach((t, id) => (contexts[t] = id));
      this.index = { contexts, hashes: this.contextTexts.map(sha256), continuations: Object.create(null) };
    }
    return this.index;
  }

  /** The id of a request, the same for every identical request. */
  intern(r: Request): number {
    const index = this.lookups();
    let context = index.contexts[r.context];
    if (context === undefined) {
      context = index.contexts[r.context] = this.contextTexts.length;
      this.contextTexts.push(r.context);
      index.hashes.push(sha256(r.context));
      this.ranks = undefined;
    }
    let tail: string;
    if (r.kind === 'loglikelihood') index.continuations[(tail = r.continuation)] = true;
    else if (r.kind === 'nextToken') tail = JSON.stringify(r.candidates);
    else tail = JSON.stringify([r.maxTokens, r.stop, r.seed]);
    const key = sha256(`${r.kind}\u0000${index.hashes[context]}\u0000${tail}`);
    this.ids ??= new Map(this.keys.map((k, i) => [k, i]));
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.keys.length;
      this.ids.set(key, id);
      this.keys.push(key);
      this.requests.push(r);
      this.contextIds.push(context);
    }
    return id;
  }

  /** Forget the interning lookups (planning is done); interning again rebuilds them. */
  compact(): void {
    this.ids = undefined;
    this.index = undefined;
  }

  /** Rank of each context in string order: requests sorted by it keep shared prefixes together. */
  contextRanks(): Int32Array {
    if (!this.ranks) {
      const texts = this.contextTexts;
      const order = Array.from(texts.keys()).sort((a, b) => (texts[a] < texts[b] ? -1 : texts[a] > texts[b] ? 1 : 0));
      this.ranks = new Int32Array(texts.length);
      order.forEach((id, rank) => (this.ranks![id] = rank));
    }
    return this.ranks;
  }
}

/** One-shot hashing (Node ≥ 20.12) is several times faster on short texts than a Hash object. */
const sha256: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'base64url')
    : (text) => crypto.createHash('sha256').update(text).digest('base64url');
