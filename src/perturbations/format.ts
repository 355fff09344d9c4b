/**
 * Family 2 (format): which answer symbols and which prompt template a presentation uses.
 */
import { z } from 'zod';
import { definePerturbation, registeredName } from './definition.js';
import { symbolSet, symbolSetRegistry } from './symbols.js';
import { LLAMA_CPP_TEMPLATE, templateRegistry } from './templates.js';

export const symbols = definePerturbation({
  name: 'symbols',
  factor: 'symbols',
  schema: z.strictObject({ set: registeredName(symbolSetRegistry) }),
  apply: (p, _ctx, { set }) => {
    symbolSet(set).labels(p.order.length); // fail here, naming the set, rather than at render time
    return { ...p, symbolSet: set };
  },
  label: ({ set }) => set,
});

export const template = definePerturbation({
  name: 'template',
  factor: 'template',
  schema: z.strictObject({ name: registeredName(templateRegistry, [LLAMA_CPP_TEMPLATE]) }),
  apply: (p, _ctx, { name }) => ({ ...p, template: name }),
  label: ({ name }) => name,
});

/** The choices-only probe: above-chance accuracy without the question means artifacts or contamination. */
export const choicesOnly = definePerturbation({
  name: 'choices-only',
  factor: 'template',
  schema: z.strictObject({}),
  apply: (p) => ({ ...p, hideQuestion: true }),
  label: () => 'choices-only',
});
