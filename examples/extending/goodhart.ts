// goodhart with the extensions of this folder registered first:
//   node --import tsx examples/extending/goodhart.ts run examples/extending/study.yaml
import './extensions.js';

await import('../../src/cli/main.js');
