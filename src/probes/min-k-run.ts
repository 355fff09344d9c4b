/**
 * Runs the Min-K% probe through the normal request path: one log-likelihood request per item for
 * its question after a neutral prefix, and one for its seeded control, cached like any other.
 */
import type { Item, LoglikelihoodRequest, Model, RequestResult } from '../core/types.js';
import { computeRequests } from '../engine/compute.js';
import { RequestTable } from '../engine/keys.js';
import type { ResultStore } from '../store/store.js';
import { NEUTRAL_PREFIX } from '../core/probe-prompts.js';
import { controlText, minKScore } from './min-k.js';
import type { MinKScores } from './index.js';

export interface MinKSettings {
  k: number;
  seed: number;
}

const request = (text: string): LoglikelihoodRequest => ({
  kind: 'loglikelihood',
  context: NEUTRAL_PREFIX,
  continuation: ` ${text.trim()}`,
});

/** Min-K% scores of one model; null when its backend gives no per-token log-probs. */
export async function runMinK(
  model: Model,
  items: Item[],
  store: ResultStore,
  settings: MinKSettings,
): Promise<MinKScores['perModel'][number] | null> {
  if (!model.capabilities.loglikelihood) return null;
  const requests = items.flatMap((item) => [
    request(item.question),
    request(controlText(item.question, settings.seed, item.id)),
  ]);
  // Interned: two items with the same question make one request.
  const table = new RequestTable();
  const idOf = requests.map((r) => table.intern(r));
  const { results: byId } = await computeRequests(model, table, Int32Array.from(table.keys.keys()), store, {
    keepTokenLogprobs: true,
  });
  const results: (RequestResult | undefined)[] = idOf.map((id) => byId.get(id));
  const itemIds: string[] = [];
  const benchmark: number[] = [];
  const control: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const [a, b] = [results[2 * i], results[2 * i + 1]];
    if (a?.kind !== 'loglikelihood' || b?.kind !== 'loglikelihood') continue;
    if (!a.tokenLogprobs || !b.tokenLogprobs) return null;
    itemIds.push(items[i].id);
    benchmark.push(minKScore(a.tokenLogprobs, settings.k));
    control.push(minKScore(b.tokenLogprobs, settings.k));
  }
  return { model: model.identity.name, itemIds, benchmark, control };
}
