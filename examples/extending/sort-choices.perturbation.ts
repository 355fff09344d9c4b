import { z } from 'zod';
import { definePerturbation, reorderTexts } from '../../src/registry.js';

/**
 * The choices shown sorted, shortest first or alphabetically, as some copies of a benchmark ship
 * them; the gold moves with its text. Ties keep the order they had.
 */
export const sortChoices = definePerturbation({
  name: 'sort-choices',
  factor: 'order',
  schema: z.strictObject({ by: z.enum(['length', 'alphabetical']).default('length') }),
  apply: (p, _ctx, { by }) => {
    const texts = p.order.map((choice) => p.item.choices[choice]);
    const key = (k: number) => (by === 'length' ? texts[k].length : texts[k]);
    const from = texts.map((_, k) => k).sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a - b));
    return reorderTexts(p, from);
  },
});
