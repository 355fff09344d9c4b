/**
 * How a simulated model answers, and the exact truth behind it. Per (model, item) a latent draw
 * decides whether the model knows the answer: it does with probability = its ability for the
 * item's subject, shifted per prompt format. A known answer gets +KNOWN log-odds, a memorized
 * answer position +MEMORY, and position and symbol biases tilt every choice. A choice's score is
 * its utility plus seeded Gumbel noise, so the chance that a choice wins the argmax is exactly
 * the softmax of the utilities: the truth of every condition is known in closed form.
 */
import { createHash } from 'node:crypto';
import { normalCdf } from '../core/distributions.js';
import type { Item } from '../core/types.js';
import { makeRng, seedFrom, type Rng } from '../core/rng.js';
import { STANDARD_FORMAT, type ReadPrompt } from './recognize.js';
import type { SimSpec } from './spec.js';

/** Large enough that a known answer survives any bias (a miss has probability ≈ n·e^-12). */
const KNOWN = 12;
/** Half of KNOWN: when the model knows the answer and remembers another position, knowledge wins. */
const MEMORY = 6;

/** What is scored: the shown symbols, or the choice texts. */
export type Scored = 'symbol' | 'text';

function normal(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));

/** An item is known by its text, so the behaviour is a function of the request alone (sound caching). */
export function itemKey(item: Item): string {
  return createHash('sha256')
    .update(JSON.stringify([item.question, item.choices, item.answer]))
    .digest('base64url');
}

export class SimBehaviour {
  constructor(private readonly spec: SimSpec) {}

  /** Probability of knowing the item under this format (the standard format keeps the ability). */
  knowProbability(read: ReadPrompt): number {
    if (!read.questionShown) return 0;
    const s = this.spec;
    const base = (read.item.subject !== undefined ? s.abilityBySubject?.[read.item.subject] : undefined) ?? s.ability;
    if (read.format === STANDARD_FORMAT || s.templateSensitivity === 0) return base;
    const shift = s.templateSensitivity * normal(makeRng(seedFrom('sim-format', s.name, s.seed, read.format)));
    return sigmoid(logit(base) + shift);
  }

  /** This model's latent draw for the item, uniform on (0, 1): it knows the item when below knowProbability. */
  latent(key: string): number {
    const rho = this.spec.sharedDifficulty;
    const shared = normal(makeRng(seedFrom('sim-difficulty', key)));
    const own = normal(makeRng(seedFrom('sim-latent', this.spec.name, this.spec.seed, key)));
    return normalCdf(Math.sqrt(rho) * shared + Math.sqrt(1 - rho) * own);
  }

  memorized(key: string): boolean {
    const m = this.spec.memorized;
    return m !== undefined && makeRng(seedFrom('sim-memory', m.seed, key))() < m.share;
  }

  /**
   * Utility of each slot: a shown position when the choices are shown, else an original choice.
   * `knows` and `memorized` are the latent state of the item.
   */
  utilities(read: ReadPrompt, scored: Scored, knows: boolean, memorized: boolean): number[] {
    const s = this.spec;
    const slots = read.order ?? read.item.choices.map((_, c) => c);
    return slots.map((original, slot) => {
      let u = knows && original === read.item.answer ? KNOWN : 0;
      if (read.order) {
        // The published position of the answer is what was memorized.
        if (memorized && slot === read.item.answer) u += MEMORY;
        u += s.positionBias?.[slot] ?? 0;
        if (scored === 'symbol') u += s.symbolBias?.[read.labels![slot]] ?? 0;
      }
      return u;
    });
  }

  /** Log-probs of every slot for one context: log-softmax of utility + seeded Gumbel noise. */
  scores(read: ReadPrompt, scored: Scored, context: string): number[] {
    const key = itemKey(read.item);
    const knows = this.latent(key) < this.knowProbability(read);
    const u = this.utilities(read, scored, knows, this.memorized(key));
    const rng = makeRng(seedFrom('sim-noise', this.spec.name, this.spec.seed, scored, context));
    const z = u.map((x) => x - Math.log(-Math.log(Math.max(rng(), 1e-12))));
    const max = Math.max(...z);
    const logSum = max + Math.log(z.reduce((acc, x) => acc + Math.exp(x - max), 0));
    return z.map((x) => x - logSum);
  }

  /**
   * True probability that the argmax of the raw scores is the gold, averaged over the latent
   * state (knows or not, memorized or not) as over a population of items like this one.
   */
  probabilityCorrect(read: ReadPrompt, scored: Scored): number {
    const gold = read.order ? read.order.indexOf(read.item.answer) : read.item.answer;
    const pKnow = this.knowProbability(read);
    const pMemory = this.spec.memorized?.share ?? 0;
    let p = 0;
    for (const knows of [true, false]) {
      for (const memorized of [true, false]) {
        const weight = (knows ? pKnow : 1 - pKnow) * (memorized ? pMemory : 1 - pMemory);
        if (weight === 0) continue;
        const u = this.utilities(read, scored, knows, memorized);
        const max = Math.max(...u);
        const total = u.reduce((acc, x) => acc + Math.exp(x - max), 0);
        p += (weight * Math.exp(u[gold] - max)) / total;
      }
    }
    return p;
  }

  /** Approximate token count of a choice text (about four characters a token). */
  static tokens(text: string): number {
    return Math.max(1, Math.ceil([...text.trim()].length / 4));
  }
}
