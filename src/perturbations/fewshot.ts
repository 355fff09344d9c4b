/**
 * Family 3: in-context examples. Shots come from the item's few-shot pool (the benchmark's dev
 * items for its subject), or are the test item itself.
 */
import { z } from 'zod';
import { UserError } from '../core/errors.js';
import { randInt, rngFor, shuffled } from '../core/rng.js';
import { goldPosition, type Item, type Shot } from '../core/types.js';
import { definePerturbation, positionArg, positionLabel } from './definition.js';
import { identity, swapped, type PerturbationContext, type PerturbedPresentation } from './presentation.js';

const selection = {
  k: z.number().int().min(0),
  seed: z.number().int().default(0),
  /** false: the first k pool items in file order, as lm-eval does. */
  shuffle: z.boolean().default(false),
};

interface Selection {
  k: number;
  seed: number;
  shuffle: boolean;
}

/**
 * Seeded under the name `fewshot` for both few-shot perturbations, so `fewshot-same-answer` shows
 * the very same examples as `fewshot` with the same args and only their order differs.
 */
function selectShotItems(p: PerturbedPresentation, ctx: PerturbationContext, { k, seed, shuffle }: Selection): Item[] {
  const pool = ctx.fewshotPool(p.item).filter((candidate) => candidate.id !== p.item.id);
  if (pool.length < k) {
    const subject = p.item.subject ? ` for subject "${p.item.subject}"` : '';
    throw new UserError(`fewshot: k=${k} but the few-shot pool has only ${pool.length} items${subject}`);
  }
  const ordered = shuffle ? shuffled(pool, rngFor(ctx.seed, p.item.id, 'fewshot', seed)) : pool;
  return ordered.slice(0, k);
}

const selectionLabel = (k: number, { seed, shuffle }: Selection, extra: string[] = []) => {
  const details = [...(shuffle ? [`shuffled, seed=${seed}`] : []), ...extra];
  return details.length ? `${k}-shot(${details.join(', ')})` : `${k}-shot`;
};

export const fewshot = definePerturbation({
  name: 'fewshot',
  factor: 'shots',
  schema: z.strictObject(selection),
  apply: (p, ctx, args) => ({
    ...p,
    shots: selectShotItems(p, ctx, args).map((item): Shot => ({
      item,
      order: identity(item.choices.length),
      answerPosition: item.answer,
    })),
  }),
  label: (args) => selectionLabel(args.k, args),
});

/** Every shot reordered (gold swapped into place) so all of them answer the same symbol. */
export const fewshotSameAnswer = definePerturbation({
  name: 'fewshot-same-answer',
  factor: 'shots',
  schema: z.strictObject({ ...selection, position: positionArg }),
  apply: (p, ctx, args) => ({
    ...p,
    shots: selectShotItems(p, ctx, args).map((item): Shot => {
      if (args.position >= item.choices.length) {
        throw new UserError(
          `fewshot-same-answer: position ${positionLabel(args.position)} is beyond the ${item.choices.length} choices of ${item.id}`,
        );
      }
      return {
        item,
        order: swapped(identity(item.choices.length), item.answer, args.position),
        answerPosition: args.position,
      };
    }),
  }),
  label: (args) => selectionLabel(args.k, args, [`all ${positionLabel(args.position)}`]),
});

/** The paper's leak test: the only shot is the test item itself, in its shown order. */
export const selfShot = definePerturbation({
  name: 'self-shot',
  factor: 'shots',
  schema: z.strictObject({ answer: z.enum(['correct', 'wrong']) }),
  apply: (p, ctx, { answer }) => {
    const gold = goldPosition(p);
    let answerPosition = gold;
    if (answer === 'wrong') {
      if (p.order.length < 2) throw new UserError(`self-shot: ${p.item.id} has no wrong choice`);
      const pick = randInt(rngFor(ctx.seed, p.item.id, 'self-shot'), p.order.length - 1);
      answerPosition = pick >= gold ? pick + 1 : pick;
    }
    const labels = p.labelOrder ? { labelOrder: p.labelOrder.slice() } : {};
    return { ...p, shots: [{ item: p.item, order: p.order.slice(), ...labels, answerPosition }] };
  },
  label: ({ answer }) => `self-shot(${answer})`,
});
