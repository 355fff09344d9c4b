import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../../src/core/errors.js';
import type { ConditionInfo, ItemResult } from '../../src/core/results.js';
import { analyzeRun, formatAnalysisTables } from '../../src/analysis/analyze.js';
import { simulateRun } from '../../src/analysis/simulate.js';
import { close } from './helpers.js';

const run = simulateRun({ models: 4, items: 300, conditions: 8, seed: 9 });
const input = { items: run.items, conditions: run.conditions, baseline: run.baseline };
const analysis = analyzeRun(input, { seed: 1, bootstrap: 200 });

test('shape: one cell per model × condition, one leaderboard per condition, JSON round trip', () => {
  assert.deepEqual(analysis.models, run.models);
  assert.equal(analysis.cells.length, 4 * 8);
  assert.equal(analysis.leaderboards.length, 8);
  assert.equal(analysis.items.n, 300);
  assert.equal(analysis.items.subjects, 5);
  assert.equal(analysis.baselineComparisons.length, 6);
  assert.equal(analysis.rankAgreement.vsBaseline.length, 7);
  assert.equal(analysis.rankAgreement.pairs.length, 28);
  assert.equal(analysis.bias.rstd.length, 32);
  for (const board of analysis.leaderboards) {
    const ranks = board.entries.map((e) => e.rank);
    assert.deepEqual(
      ranks,
      [...ranks].sort((a, b) => a - b),
    );
    for (const e of board.entries) {
      assert.ok(e.rankCI && e.rankCI[0] <= e.rankCI[1]);
      assert.ok(e.rankUpperBound <= e.rank, 'the upper bound is never worse than the point rank');
    }
    assert.deepEqual([...new Set(board.tiedGroups.flat())].sort(), [...run.models].sort());
    assert.deepEqual(board.splitPairs, []);
  }
  const json = JSON.stringify(analysis);
  assert.deepEqual(JSON.parse(json).settings, analysis.settings);
  assert.equal(JSON.stringify(JSON.parse(json)), json);
});

test('cells count correct and unscored items under the strict policy', () => {
  for (const cell of analysis.cells) {
    const rs = run.items.filter((r) => r.model === cell.model && r.condition === cell.condition);
    assert.equal(cell.n, rs.length);
    assert.equal(cell.correct, rs.filter((r) => r.correct === true).length);
    assert.equal(cell.unscored, rs.filter((r) => r.correct === null).length);
    close(cell.accuracy, cell.correct / cell.n, 1e-15);
    assert.ok(cell.stratifiedSE !== null && cell.stratifiedSE <= cell.se + 1e-15);
    assert.ok(cell.bootstrap && cell.bootstrap[0] <= cell.accuracy && cell.accuracy <= cell.bootstrap[1]);
  }
});

test('deterministic given the seed; the seed only moves bootstrap results', () => {
  assert.equal(JSON.stringify(analyzeRun(input, { seed: 1, bootstrap: 200 })), JSON.stringify(analysis));
  const other = analyzeRun(input, { seed: 2, bootstrap: 200 });
  assert.notDeepEqual(
    other.cells.map((c) => c.bootstrap),
    analysis.cells.map((c) => c.bootstrap),
  );
  assert.deepEqual(
    other.cells.map((c) => c.wilson),
    analysis.cells.map((c) => c.wilson),
  );
  assert.deepEqual(
    other.robust!.entries.map((e) => e.mean),
    analysis.robust!.entries.map((e) => e.mean),
  );
});

test('robust score and gap agree with the cells', () => {
  const robust = analysis.robust!;
  // Another scoring method is a protocol alternative, not a perturbation.
  assert.deepEqual(
    robust.conditions,
    run.conditions
      .slice(1)
      .filter((c) => c.scoring === 'symbol')
      .map((c) => c.name),
  );
  assert.deepEqual(analysis.roles.protocol, ['scoring=cloze-char']);
  for (const e of robust.entries) {
    const accs = analysis.cells
      .filter((c) => c.model === e.model && robust.conditions.includes(c.condition))
      .map((c) => c.accuracy);
    close(e.mean, accs.reduce((s, x) => s + x, 0) / accs.length, 1e-12);
    close(e.worst, Math.min(...accs), 1e-15);
    assert.ok(e.naiveSE < e.se, 'perturbations of the same items are positively correlated');
    const gap = analysis.goodhartGap.find((g) => g.model === e.model)!;
    close(gap.gap, gap.baselineAccuracy - gap.robustAccuracy, 1e-12);
    assert.equal(gap.robustRank, e.rank);
  }
});

test('CircularEval and PriDe on the rotation set found in the data', () => {
  assert.equal(analysis.bias.circular.length, 1);
  const circ = analysis.bias.circular[0];
  assert.deepEqual(circ.conditions, ['baseline', 'rotate-1', 'rotate-2', 'rotate-3']);
  assert.equal(circ.pride!.target, 'baseline');
  assert.equal(circ.pride!.calibrationItems, 15);
  for (const p of circ.pride!.perModel) {
    close(
      p.prior!.reduce((s, x) => s + x, 0),
      1,
      1e-12,
    );
    assert.equal(p.n, 285);
  }
  for (const m of circ.perModel) assert.ok(m.perf <= Math.min(...m.perRotationAccuracy));
});

test('options: perturbation list, no bootstrap, clustering by subject, circular groups off', () => {
  const a = analyzeRun(input, {
    seed: 1,
    bootstrap: 0,
    clusterBySubject: true,
    robust: ['rotate-1', 'rotate-2'],
    circularGroups: [],
  });
  assert.deepEqual(a.settings.perturbations, ['rotate-1', 'rotate-2']);
  assert.deepEqual(
    a.conditions.filter((c) => c.inRobustScore).map((c) => c.name),
    ['rotate-1', 'rotate-2'],
  );
  assert.equal(a.settings.cellInterval, 'normal-subject-clustered');
  assert.ok(a.cells.every((c) => c.bootstrap === null && c.subjectClusteredSE !== null));
  assert.ok(a.leaderboards.every((l) => l.entries.every((e) => e.rankCI === null)));
  assert.equal(a.bias.circular.length, 0);
  const onlyBaseline = analyzeRun({ ...input, conditions: run.conditions.slice(0, 1) }, { seed: 1, bootstrap: 10 });
  assert.equal(onlyBaseline.robust, null);
  assert.deepEqual(onlyBaseline.goodhartGap, []);
});

test('incomplete items are left out everywhere; bad input is refused', () => {
  const missing = run.items.filter(
    (r) => !(r.itemId === 'sim/3' && r.model === 'model-02' && r.condition === 'rotate-2'),
  );
  const a = analyzeRun({ ...input, items: missing }, { seed: 1, bootstrap: 0 });
  assert.equal(a.items.n, 299);
  assert.equal(a.items.incomplete, 1);
  assert.ok(a.cells.every((c) => c.n === 299));
  assert.throws(() => analyzeRun({ ...input, baseline: 'nope' }, { seed: 1 }), UserError);
  assert.throws(() => analyzeRun({ ...input, items: [...run.items, run.items[0]] }, { seed: 1 }), /duplicate/);
  assert.throws(() => analyzeRun({ ...input, models: ['ghost'] }, { seed: 1 }), /no results at all for: ghost/);
  assert.throws(() => analyzeRun(input, { seed: 1, alpha: 5 }), UserError);
  assert.throws(() => analyzeRun(input, { seed: 1, bootstrap: -1 }), UserError);
});

/** Three models on 400 items: A is strong only under the baseline, B is steady, C is weak. */
function handRun(): { items: ItemResult[]; conditions: ConditionInfo[] } {
  const factors = { order: 'original', symbols: 'ABCD', template: 't', scoring: 'symbol', shots: '0' };
  const conditions: ConditionInfo[] = ['base', 'p1', 'p2'].map((name, k) => ({
    name,
    scoring: 'symbol',
    normalization: 'none',
    perturbations: [],
    factors: { ...factors, symbols: k === 0 ? 'ABCD' : name },
  }));
  const rate: Record<string, number[]> = { A: [0.9, 0.5, 0.5], B: [0.7, 0.7, 0.7], C: [0.3, 0.3, 0.3] };
  const items: ItemResult[] = [];
  for (const [model, r] of Object.entries(rate)) {
    conditions.forEach((c, k) => {
      for (let i = 0; i < 400; i++) {
        // Spread the correct items evenly (with an offset per condition) for exact rates.
        const correct = (i * 37 + k * 11) % 400 < r[k] * 400;
        items.push({
          model,
          condition: c.name,
          itemId: `q${i}`,
          order: [0, 1, 2, 3],
          goldPosition: i % 4,
          scores: [],
          predicted: correct ? i % 4 : (i + 1) % 4,
          correct,
          tie: false,
        });
      }
    });
  }
  return { items, conditions };
}

test('hand-built run: rank shifts, robust ranks and the high-only-under-baseline flag', () => {
  const { items, conditions } = handRun();
  const a = analyzeRun({ items, conditions, baseline: 'base' }, { seed: 3, bootstrap: 100 });
  assert.deepEqual(
    a.leaderboards[0].entries.map((e) => [e.model, e.rank, e.rankUpperBound]),
    [
      ['A', 1, 1],
      ['B', 2, 2],
      ['C', 3, 3],
    ],
  );
  assert.deepEqual(a.leaderboards[0].tiedGroups, [['A'], ['B'], ['C']]);
  assert.deepEqual(
    a.robust!.entries.map((e) => [e.model, e.rank]),
    [
      ['B', 1],
      ['A', 2],
      ['C', 3],
    ],
  );
  close(a.robust!.entries[1].mean, 0.5, 1e-15);
  const gap = Object.fromEntries(a.goodhartGap.map((g) => [g.model, g]));
  close(gap.A.gap, 0.4, 1e-12);
  assert.equal(gap.A.rankDifference, -1);
  assert.equal(gap.A.highOnlyUnderBaseline, true);
  assert.equal(gap.B.highOnlyUnderBaseline, false);
  close(gap.B.gap, 0, 1e-12);
  assert.equal(a.rankShifts.modelsMoved, 2);
  assert.deepEqual(a.rankShifts.movedByCondition, { base: 0, p1: 2, p2: 2 });
  close(a.rankAgreement.vsBaseline[0].kendallTauB, 1 / 3, 1e-12);
  const symbols = a.factorVariance.factors.find((f) => f.factor === 'symbols')!;
  // Only A reacts to the symbols: a small main effect, the rest is symbols × model interaction.
  close(symbols.share, 1 / 3, 1e-12);
  close(symbols.totalShare, 1, 1e-12); // the only factor that varies explains all of it

  const text = formatAnalysisTables(a);
  for (const heading of [
    'Baseline leaderboard',
    'Robust leaderboard',
    'Goodhart gap',
    'Rank shifts',
    'Agreement with the baseline',
    'HIGH ONLY UNDER BASELINE',
  ]) {
    assert.ok(text.includes(heading), `missing "${heading}"`);
  }
});
