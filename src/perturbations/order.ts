/**
 * Family 1: where each choice is shown. Every perturbation here only rearranges `order` (and, for
 * shuffle-pairs, `labelOrder`), so the gold stays traceable through `goldPosition`.
 */
import { z } from 'zod';
import { UserError } from '../core/errors.js';
import { rngFor, shuffled } from '../core/rng.js';
import { goldPosition } from '../core/types.js';
import { definePerturbation, positionArg, positionLabel, seedArg } from './definition.js';
import {
  identity,
  labelIndices,
  reorderTexts,
  swapped,
  type PerturbationContext,
  type PerturbedPresentation,
} from './presentation.js';

/** Seeded by (condition seed, item id, perturbation name, own seed): independent of the other items. */
function seededPermutation(name: string, seed: number, p: PerturbedPresentation, ctx: PerturbationContext): number[] {
  return shuffled(identity(p.order.length), rngFor(ctx.seed, p.item.id, name, seed));
}

const seedOnly = z.strictObject({ seed: seedArg.default(0) });
const noArgs = z.strictObject({});

export const shuffle = definePerturbation({
  name: 'shuffle',
  factor: 'order',
  schema: seedOnly,
  apply: (p, ctx, { seed }) => reorderTexts(p, seededPermutation('shuffle', seed, p, ctx)),
  label: ({ seed }) => `shuffle(seed=${seed})`,
});

/** The paper's released variant: lines move with their symbol, so "C." may now come first. */
export const shufflePairs = definePerturbation({
  name: 'shuffle-pairs',
  factor: 'order',
  schema: seedOnly,
  apply: (p, ctx, { seed }) => {
    const from = seededPermutation('shuffle-pairs', seed, p, ctx);
    const labels = labelIndices(p);
    return { ...reorderTexts(p, from), labelOrder: from.map((i) => labels[i]) };
  },
  label: ({ seed }) => `shuffle-pairs(seed=${seed})`,
});

export function rotateBy(k: number): (p: PerturbedPresentation) => PerturbedPresentation {
  return (p) => {
    const n = p.order.length;
    return reorderTexts(
      p,
      identity(n).map((i) => (((i + k) % n) + n) % n),
    );
  };
}

/** Rotation by k: the text at shown position k comes first (OpenCompass CircularEval). */
export const rotate = definePerturbation({
  name: 'rotate',
  factor: 'order',
  schema: z.strictObject({ k: z.number().int() }),
  apply: (p, _ctx, { k }) => rotateBy(k)(p),
  label: ({ k }) => `rotate(k=${k})`,
});

/** A placeholder in the study file: `expandCircular` turns it into n conditions with `rotate`. */
export const circular = definePerturbation({
  name: 'circular',
  factor: 'order',
  schema: z.strictObject({ n: z.number().int().min(1).default(4) }),
  apply: () => {
    throw new UserError('"circular" must be expanded into rotations (expandCircular) before it is applied');
  },
  label: ({ n }) => `circular(n=${n})`,
});

/** The paper's "all answers are A": swap the gold's text with the one at `position`; others stay. */
export const fixAnswer = definePerturbation({
  name: 'fix-answer',
  factor: 'order',
  schema: z.strictObject({ position: positionArg }),
  apply: (p, _ctx, { position }) => {
    if (position >= p.order.length) {
      throw new UserError(
        `fix-answer: position ${positionLabel(position)} is beyond the ${p.order.length} choices of ${p.item.id}`,
      );
    }
    return { ...p, order: swapped(p.order, goldPosition(p), position) };
  },
  label: ({ position }) => `fix-answer(${positionLabel(position)})`,
});

export const reverse = definePerturbation({
  name: 'reverse',
  factor: 'order',
  schema: noArgs,
  apply: (p) => reorderTexts(p, identity(p.order.length).reverse()),
  label: () => 'reverse',
});
