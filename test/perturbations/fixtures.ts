/** Shared hand-made items for the perturbation tests. */
import type { Item } from '../../src/core/types.js';
import type { PerturbationContext } from '../../src/perturbations/registry.js';

export const biology: Item = {
  id: 'mmlu/test/high_school_biology/3',
  subject: 'high_school_biology',
  question: 'Which organelle makes ATP? ',
  choices: ['Nucleus', 'Mitochondrion', 'Ribosome', 'Golgi apparatus'],
  answer: 1,
};

export const biologyDev: Item[] = [
  {
    id: 'mmlu/dev/high_school_biology/0',
    subject: 'high_school_biology',
    question: 'What carries oxygen in blood?',
    choices: ['Platelets', 'Plasma', 'Red blood cells', 'White blood cells'],
    answer: 2,
  },
  {
    id: 'mmlu/dev/high_school_biology/1',
    subject: 'high_school_biology',
    question: 'DNA is made of?',
    choices: ['Amino acids', 'Nucleotides', 'Lipids', 'Sugars'],
    answer: 1,
  },
  {
    id: 'mmlu/dev/high_school_biology/2',
    subject: 'high_school_biology',
    question: 'Where does photosynthesis happen?',
    choices: ['Chloroplast', 'Vacuole', 'Cell wall', 'Nucleolus'],
    answer: 0,
  },
];

export const ctxWith = (pool: Item[], seed = 1): PerturbationContext => ({ seed, fewshotPool: () => pool });

export const biologyCtx = ctxWith(biologyDev);

/** A plain item whose texts name their original index, so positions are easy to read. */
export const wxyz: Item = { id: 'toy/0', question: 'Pick x.', choices: ['w', 'x', 'y', 'z'], answer: 1 };
