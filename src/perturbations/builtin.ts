/** The built-in perturbations; a new one is a file calling definePerturbation, and its line here. */
import { perturbationRegistry } from './definition.js';
import { fewshot, fewshotSameAnswer, selfShot } from './fewshot.js';
import { choicesOnly, symbols, template } from './format.js';
import { circular, fixAnswer, reverse, rotate, shuffle, shufflePairs } from './order.js';

/** The order messages and the JSON Schema list them. */
perturbationRegistry.arrange([
  shuffle,
  shufflePairs,
  rotate,
  circular,
  fixAnswer,
  reverse,
  symbols,
  template,
  choicesOnly,
  fewshot,
  fewshotSameAnswer,
  selfShot,
]);
