/**
 * The simulated model backend (`backend: sim`): a Model with known truth that answers through
 * the normal request path. It reads each request's context back to a benchmark item and each
 * continuation back to a shown symbol or choice text, and returns deterministic log-probs
 * (see sim/behaviour.ts), so the same request always gets the same answer and caching is sound.
 * Its identity says `simulated: true` wherever it is shown.
 */
import { createHash } from 'node:crypto';
import { UserError } from '../core/errors.js';
import type {
  Capabilities,
  GenerateRequest,
  Item,
  LoglikelihoodResult,
  Model,
  ModelIdentity,
  Outcome,
  Request,
} from '../core/types.js';
import { itemKey, SimBehaviour, type Scored } from '../sim/behaviour.js';
import { makeRng, seedFrom } from '../core/rng.js';
import { NEUTRAL_PREFIX } from '../core/probe-prompts.js';
import { PromptIndex, type ReadPrompt } from '../sim/recognize.js';
import type { SimSpec } from '../sim/spec.js';
import { simGeneration } from '../sim/generate.js';

export const SIM_CAPABILITIES: Capabilities = { loglikelihood: true, nextToken: true, generate: true };

/** Log-prob of a choice text after the bare cue (the unconditional term of PMI): its wording alone. */
const UNCONDITIONAL_BASE = -1;

/** JSON with object keys sorted, so equal parameters always hash alike. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** An item a context asks about, and the scores of its slots per kind of continuation (computed on demand). */
interface Reading {
  read: ReadPrompt;
  scores: Partial<Record<Scored, { logprobs: number[]; best: number }>>;
}

export class SimModel implements Model {
  readonly identity: ModelIdentity;
  readonly capabilities = SIM_CAPABILITIES;
  private readonly index: PromptIndex;
  private readonly behaviour: SimBehaviour;
  /** Every choice of an item comes with the same context: read and score it once. */
  private readonly memo = new Map<string, Reading[]>();
  /** Benchmark questions by their text, for reading a question on its own (the Min-K% probe). */
  private readonly questions = new Map<string, Item>();

  constructor(
    private readonly spec: SimSpec,
    items: readonly Item[],
    where = 'models',
  ) {
    if (items.length === 0) throw new UserError('a simulated model needs the benchmark items to answer', where);
    const subjects = new Set(items.map((i) => i.subject));
    for (const subject of Object.keys(spec.abilityBySubject ?? {})) {
      if (!subjects.has(subject)) {
        const known = [...subjects]
          .filter((s) => s !== undefined)
          .slice(0, 10)
          .join(', ');
        throw new UserError(
          `no item of the benchmark has the subject "${subject}"${known ? ` (subjects: ${known})` : ''}`,
          `${where}.abilityBySubject.${subject}`,
        );
      }
    }
    const { name, backend, ...parameters } = spec;
    const hash = createHash('sha256').update(canonicalJson(parameters)).digest('hex').slice(0, 16);
    this.identity = { id: `sim:${name}:${hash}`, name, backend, details: { simulated: true, parameters } };
    this.index = new PromptIndex(items);
    for (const item of items) this.questions.set(item.question.trim(), item);
    this.behaviour = new SimBehaviour(spec);
  }

  async evaluate(requests: Request[], onResult?: (index: number, outcome: Outcome) => void): Promise<Outcome[]> {
    return requests.map((r, i) => {
      const outcome = this.answer(r);
      onResult?.(i, outcome);
      return outcome;
    });
  }

  async close(): Promise<void> {}

  /**
   * True probability that the argmax over these continuations (one prompt's) is the correct
   * choice, under symbol scoring or choice texts scored raw or by PMI with no length penalty;
   * null when the context asks no question of the benchmark.
   */
  probabilityCorrect(context: string, continuations: readonly string[]): number | null {
    const found = this.find(context, continuations[0]);
    return found ? this.behaviour.probabilityCorrect(found.reading.read, found.slot.scored) : null;
  }

  private answer(r: Request): Outcome {
    if (r.kind === 'nextToken') {
      const reading = this.readings(r.context)[0];
      if (!reading) return this.unknownQuestion(r.context);
      const { logprobs } = this.scores(reading, 'symbol', r.context);
      // A candidate that is not a shown symbol is one this model never offers (as outside a top-k).
      return {
        ok: true,
        result: {
          kind: 'nextToken',
          logprobs: r.candidates.map((c) => {
            const slot = slotOf(reading.read, c);
            return slot?.scored === 'symbol' ? logprobs[slot.index] : null;
          }),
        },
      };
    }
    if (r.kind === 'generate') return this.generate(r);
    if (r.context === NEUTRAL_PREFIX) return { ok: true, result: this.readText(r.continuation) };
    const found = this.find(r.context, r.continuation);
    if (!found) {
      const read = this.readings(r.context)[0]?.read;
      if (read)
        return {
          ok: false,
          error: `sim: "${r.continuation}" is neither a shown symbol nor a choice of item ${read.item.id}`,
        };
      // The bare cue of PMI's unconditional term holds no question: only the wording is scored.
      if (!r.context.includes('\n'))
        return { ok: true, result: this.textResult(r.continuation, UNCONDITIONAL_BASE, false) };
      return this.unknownQuestion(r.context);
    }
    const { reading, slot } = found;
    const { logprobs, best } = this.scores(reading, slot.scored, r.context);
    const greedy = slot.index === best;
    if (slot.scored === 'symbol')
      return { ok: true, result: { kind: 'loglikelihood', logprob: logprobs[slot.index], tokens: 1, greedy } };
    return { ok: true, result: this.textResult(r.continuation, logprobs[slot.index], greedy) };
  }

  /** The text a simulated model writes: its symbol-scoring choice under this prompt, stated in words (see sim/generate.ts). */
  private generate(r: GenerateRequest): Outcome {
    const reading = this.readings(r.context)[0];
    if (!reading) return this.unknownQuestion(r.context);
    if (!reading.read.labels)
      return { ok: false, error: `sim: the prompt shows no choices of item ${reading.read.item.id} to answer with` };
    const { best } = this.scores(reading, 'symbol', r.context);
    return { ok: true, result: simGeneration(this.spec, r, reading.read.labels[best]) };
  }

  private textResult(continuation: string, logprob: number, greedy: boolean): LoglikelihoodResult {
    const tokens = SimBehaviour.tokens(continuation);
    return { kind: 'loglikelihood', logprob: logprob - this.spec.lengthPenalty * tokens, tokens, greedy };
  }

  /**
   * A text read on its own, one token per word: about −3 nats a word with seeded noise; the
   * question of a memorized item reads verbatim as familiar (about −0.5), its changed control does not.
   */
  private readText(continuation: string): LoglikelihoodResult {
    const item = this.questions.get(continuation.trim());
    const familiar = item !== undefined && this.behaviour.memorized(itemKey(item));
    const words = continuation.trim().split(/\s+/);
    const rng = makeRng(seedFrom('sim-text', this.spec.name, this.spec.seed, continuation));
    const tokenLogprobs = words.map(() => (familiar ? -0.5 : -3) - rng());
    const logprob = tokenLogprobs.reduce((a, b) => a + b, 0);
    return { kind: 'loglikelihood', logprob, tokens: words.length, greedy: false, tokenLogprobs };
  }

  private unknownQuestion(context: string): Outcome {
    const tail = context.slice(-80).replace(/\s+/g, ' ');
    return { ok: false, error: `sim: the prompt asks no question of this benchmark (ends "…${tail}")` };
  }

  /** The item (of those the context may ask) that has this continuation, and its slot. */
  private find(context: string, continuation: string | undefined) {
    for (const reading of this.readings(context)) {
      const slot = slotOf(reading.read, continuation);
      if (slot) return { reading, slot };
    }
    return null;
  }

  private readings(context: string): Reading[] {
    let value = this.memo.get(context);
    if (!value) {
      value = this.index.read(context).map((read) => ({ read, scores: {} }));
      if (this.memo.size >= 4096) this.memo.clear();
      this.memo.set(context, value);
    }
    return value;
  }

  private scores(reading: Reading, scored: Scored, context: string): { logprobs: number[]; best: number } {
    let s = reading.scores[scored];
    if (!s) {
      const logprobs = this.behaviour.scores(reading.read, scored, context);
      s = { logprobs, best: logprobs.indexOf(Math.max(...logprobs)) };
      reading.scores[scored] = s;
    }
    return s;
  }
}

/** Slot a continuation scores: a shown symbol (" A"), or a choice text (" Paris"). */
function slotOf(read: ReadPrompt, continuation: string | undefined): { scored: Scored; index: number } | null {
  if (continuation === undefined || !continuation.startsWith(' ')) return null;
  const text = continuation.slice(1);
  const symbol = read.labels?.indexOf(text) ?? -1;
  if (symbol >= 0) return { scored: 'symbol', index: symbol };
  const index = read.order
    ? read.order.findIndex((c) => read.item.choices[c] === text)
    : read.item.choices.indexOf(text);
  return index >= 0 ? { scored: 'text', index } : null;
}
