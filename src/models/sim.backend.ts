import { simModelSchema } from '../sim/spec.js';
import { defineBackend } from './backend.js';
import { SIM_CAPABILITIES, SimModel } from './sim.js';

/** A simulated model with known truth (its settings: sim/spec.ts); never a real language model. */
export const simBackend = defineBackend({
  name: 'sim',
  schema: simModelSchema.omit({ name: true, backend: true }),
  capabilities: SIM_CAPABILITIES,
  create: (spec, ctx) => new SimModel(spec, ctx.items ?? [], ctx.where),
});
