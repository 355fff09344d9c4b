/** The printed form of a design (goodhart design): the recommendation, then the tables behind it. */
import type { CandidateDesign, Design } from './design.js';
import { textTable } from './formatTables.js';

const items = (n: number | null) => (n === null ? 'never' : n.toLocaleString('en-US'));
const fixed = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');

function candidateRow(c: CandidateDesign): string[] {
  return [
    c.name,
    fixed(c.expectedTau, 2),
    c.expectedTauNewConditions === null ? '' : fixed(c.expectedTauNewConditions, 2),
    `${fixed(c.splitHalf.observed, 2)} / ${fixed(c.splitHalf.predicted, 2)}`,
    fixed(c.medianRankIntervalWidth, 1),
    `${c.separableAdjacentPairs}/${c.adjacentPairs.length}`,
    items(c.itemsForPairShare),
    items(c.itemsForTargetSeparation),
    items(c.itemsForTargetTau),
  ];
}

export function formatDesign(d: Design): string {
  const s = d.settings;
  const out: string[] = [];
  out.push(`Design advice from a pilot of ${d.models.length} models × ${d.items.toLocaleString('en-US')} items`);
  out.push('');
  for (const line of d.recommendation) out.push(`- ${line}`);
  out.push('');
  out.push(
    `Stability of each candidate protocol (τ: expected Kendall τ between two independent replications of ${d.items.toLocaleString('en-US')} items)`,
  );
  out.push(
    textTable(
      [
        'protocol',
        'τ',
        'τ new conditions',
        'split-half τ obs/pred',
        'median rank CI width',
        'separable adjacent',
        `items for ${Math.round(s.pairShare * 100)}% of pairs`,
        `items for ${(s.targetSeparation * 100).toFixed(1)} pt`,
        `items for τ ${s.targetTau}`,
      ],
      d.candidates.map(candidateRow),
    ),
  );
  for (const c of d.candidates) {
    out.push('');
    out.push(
      `Items needed per adjacent pair under ${c.name} (power ${s.power}, α ${s.alpha} per pair; if the true difference is the pilot's)`,
    );
    out.push(
      textTable(
        [
          'pair',
          'difference',
          'interval',
          c.kind === 'condition' ? 'discordance' : 'sd',
          'Holm p',
          'power now',
          'items needed',
          'range',
        ],
        c.adjacentPairs.map((p) => [
          `${p.a} > ${p.b}`,
          fixed(p.difference),
          `[${fixed(p.differenceCI[0])}, ${fixed(p.differenceCI[1])}]`,
          fixed(p.discordance ?? p.sd),
          fixed(p.holmP),
          fixed(p.powerAtPilot, 2),
          items(p.itemsNeeded),
          `${items(p.itemsNeededRange[0])}–${items(p.itemsNeededRange[1])}`,
        ]),
      ),
    );
  }
  const curve = d.conditionsNeeded;
  if (curve) {
    out.push('');
    out.push(
      `Perturbation conditions needed by the robust score (${curve.perturbations.join(', ')}); τ with new conditions of the same kinds`,
    );
    out.push(
      textTable(
        ['conditions', `τ at ${d.items.toLocaleString('en-US')} items`, 'τ with unlimited items'],
        curve.byConditions.map((r) => [String(r.conditions), fixed(r.tau, 2), fixed(r.tauUnlimitedItems, 2)]),
      ),
    );
    out.push(
      `settles (within 0.01 of ${fixed(curve.tauUnlimitedConditions, 2)}, the τ with unlimited conditions) at: ${curve.conditionsToSettle ?? 'more than 1000'}`,
    );
    if (curve.splitCheck.length > 0) {
      out.push(
        `check on the pilot (disjoint halves of items and conditions): ${curve.splitCheck.map((r) => `${r.conditions} condition(s): observed ${fixed(r.observed, 2)}, predicted ${fixed(r.predicted, 2)}`).join('; ')}`,
      );
    }
  } else {
    out.push('');
    out.push('Perturbation conditions needed: not applicable (the run has no perturbation condition).');
  }
  return out.join('\n');
}
