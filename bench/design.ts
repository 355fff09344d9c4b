/**
 * Checks `goodhart design`'s predictions against simulated replications with known truth, at
 * larger scale than the test: for several pilots, the predicted power of McNemar's test on the
 * adjacent pairs and the expected τ between replications, against what independent replications
 * show, at three sizes; then the robust ranking's τ with new conditions, from pilots with 4 and 16
 * perturbation conditions. Target: |predicted − observed| ≤ 0.05.
 *
 *   node --import tsx bench/design.ts [--pilots 3] [--replications 400]
 */
import { parseArgs } from 'node:util';
import { validateDesign } from '../test/analysis/design-sim.js';

const { values } = parseArgs({
  options: { pilots: { type: 'string', default: '3' }, replications: { type: 'string', default: '400' } },
});
const pilots = Number(values.pilots);
const replications = Number(values.replications);
const panel = { abilities: [0, 0.2, 0.4, 0.6, 0.8, 1.0], conditionSD: 0 };
const sizes = [300, 1000, 3000];
let worst = 0;
const mark = (p: number, o: number) => {
  worst = Math.max(worst, Math.abs(p - o));
  return `${p.toFixed(3)} vs ${o.toFixed(3)}${Math.abs(p - o) <= 0.05 ? '' : '  (off by more than 0.05)'}`;
};
console.log(
  `six models 0.2 logits apart (4-choice IRT); pilots of 14,000 items; ${replications} pairs of replications per size`,
);
for (let seed = 1; seed <= pilots; seed++) {
  for (const r of validateDesign(panel, 14000, 1, sizes, replications, seed)) {
    console.log(
      `pilot ${seed}, ${r.items} items: power ${mark(r.predictedPower, r.observedPower)}; τ ${mark(r.predictedTau, r.observedTau)}`,
    );
  }
}
const itemWorst = worst;
console.log(`FIGURE design: largest |predicted − observed| over items: ${itemWorst.toFixed(3)} (target ≤ 0.05)`);
for (const K of [4, 16]) {
  worst = 0;
  for (let seed = 1; seed <= pilots; seed++) {
    for (const r of validateDesign(
      { ...panel, conditionSD: 0.15 },
      3000,
      K,
      [300, 1000],
      Math.ceil(replications / 4),
      100 + seed,
    )) {
      console.log(
        `pilot ${seed} with ${K} conditions, ${r.items} items, new conditions: τ ${mark(r.predictedTau, r.observedTau)}`,
      );
    }
  }
  console.log(
    `FIGURE design: robust τ from a pilot of ${K} conditions, largest |predicted − observed|: ${worst.toFixed(3)}${K < 16 ? " (few conditions: the pilot cannot pin each pair's condition effects; reported, no target)" : ' (target ≤ 0.05)'}`,
  );
}
