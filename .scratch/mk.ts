import { writeStudy } from '../test/helpers.js';
console.log(writeStudy(process.argv[2], { name: 'dist', subjects: ['anatomy', 'virology', 'astronomy'], perSubject: 8, conditions: ['{ name: base, scoring: symbol }', '{ name: hybrid, scoring: hybrid, normalization: token }', '{ name: circ, scoring: symbol, perturbations: [circular] }'] }));
