/**
 * The factors of the grid, in the order results and statistics list them. Scoring is set by the
 * condition; perturbations vary the others (each names its factor). A new factor is one entry
 * here and its default label in perturbations/registry.ts (the type checker asks for it).
 */
export const GRID_FACTORS = ['order', 'symbols', 'template', 'scoring', 'shots'] as const;

export type GridFactor = (typeof GRID_FACTORS)[number];

/** The factors a perturbation can vary. */
export type PerturbedFactor = Exclude<GridFactor, 'scoring'>;
export const PERTURBED_FACTORS = GRID_FACTORS.filter((f): f is PerturbedFactor => f !== 'scoring');
