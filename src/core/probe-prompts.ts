/**
 * Prompt text of the probes that other layers must recognize: the simulated model (models/sim.ts)
 * answers the Min-K% probe's requests (probes/min-k-run.ts) by this opening.
 */

/** The context before each question the Min-K% probe scores. */
export const NEUTRAL_PREFIX = 'Here is a question:';
