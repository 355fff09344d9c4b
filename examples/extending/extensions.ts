// Registers everything in this folder: import this file before a study that uses them is loaded.
import './gguf-instructed.backend.js';
import './sort-choices.perturbation.js';
import './error-consistency.statistic.js';
import './error-consistency.section.js';
