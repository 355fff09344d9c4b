/**
 * Each statistic's null hypothesis in one sentence, as the report and README state them
 * (docs/statistics.md gives the formulas).
 */
export const NULLS: Record<string, string> = {
  pairwise:
    'Two models are equally accurate on these items: each item right for one only is as likely to favour either (McNemar exact test, Holm over every pair of a leaderboard).',
  tiedGroups:
    'Models in one group could all be equally accurate: no pair inside it is separated by the Holm-adjusted pairwise tests.',
  simultaneousRankCI:
    "Every model's true rank lies in its interval at once with probability ≥ 1 − alpha, because the Holm-adjusted pairwise tests wrongly separate no pair with that probability.",
  rankAgreementNoise:
    "The condition changes nothing: an item's outcomes under it and under the baseline are exchangeable, so swapping them at random gives the agreement noise alone produces.",
  movedBeyondNoise:
    'The difference between two models is the same under the condition as under the baseline (paired z-test of the change per item, Holm over every pair × condition).',
  goodhartGap:
    'A model is as accurate under the baseline as on average over the perturbation conditions (paired z-test per item, Holm over the models).',
  factorVarianceNoise:
    'The factor moves no accuracy: its sum of squares is what sampling noise alone gives, so the net share is 0.',
  rstd: 'Accuracy does not depend on where the gold answer is shown: assigning gold positions to items at random gives the same spread of recalls.',
  answerOrderMemory:
    "Without memory, a model picks the gold's old position as often as its own position preferences predict (one-sided z-test, Holm over every model × condition).",
  stress:
    "The stress condition leaves a model's accuracy as under the baseline (McNemar exact test, Holm over every model × stress condition).",
};
