/**
 * The key tables of an analysis as plain text: baseline leaderboard with intervals and tied
 * groups, robust leaderboard with the Goodhart gap, rank shifts, and agreement with the baseline.
 */
import type { Interval } from './accuracy.js';
import type { Analysis } from './analysisTypes.js';

const pct = (x: number): string => (Number.isFinite(x) ? (100 * x).toFixed(1) : '–');
const pctInterval = (ci: Interval | null): string => (ci ? `[${pct(ci[0])}, ${pct(ci[1])}]` : '–');
const rankInterval = (ci: Interval | null | undefined): string => (ci ? `${ci[0]}–${ci[1]}` : '–');
const numInterval = (ci: Interval | null, digits = 3): string =>
  ci ? `[${num(ci[0], digits)}, ${num(ci[1], digits)}]` : '–';
const num = (x: number | null, digits = 3): string => (x === null || !Number.isFinite(x) ? '–' : x.toFixed(digits));
const signedPct = (x: number): string => {
  const s = pct(x).replace(/^-(0\.0)$/, '$1'); // no "-0.0"
  return x > 0 && s !== '0.0' ? `+${s}` : s;
};

/** Left-aligned text columns, numbers right-aligned, two spaces apart. */
export function textTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const numeric = header.map((_, k) => rows.length > 0 && rows.every((r) => /^[-+–\d.[\], %]*$/.test(r[k])));
  const line = (cells: string[]): string =>
    cells
      .map((c, k) => (numeric[k] ? c.padStart(widths[k]) : c.padEnd(widths[k])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function groupsText(groups: string[][], split: [string, string][]): string {
  const lines = groups.map((g, k) => `  group ${k + 1}: ${g.join(', ')}`);
  if (split.length)
    lines.push(`  not separable yet in no common group: ${split.map(([a, b]) => `${a} / ${b}`).join('; ')}`);
  return lines.join('\n');
}

const GROUPS_NOTE = 'no two models within a group are separable; groups may overlap';
const RANKS_NOTE =
  'rank CI: marginal bootstrap percentile interval; simultaneous: Holm-adjusted pairwise tests, all models at once';

export function formatAnalysisTables(a: Analysis): string {
  const conf = `${Math.round(100 * a.settings.confidence)}%`;
  const out: string[] = [];
  out.push(
    `${a.models.length} models × ${a.conditions.length} conditions × ${a.items.n} items` +
      (a.items.incomplete > 0 ? ` (${a.items.incomplete} incomplete items left out)` : '') +
      `; baseline "${a.settings.baseline}"; seed ${a.settings.seed}; ${a.settings.bootstrap} bootstrap resamples`,
  );

  const base = a.leaderboards.find((l) => l.condition === a.settings.baseline);
  if (base) {
    const cellOf = (model: string) => a.cells.find((c) => c.model === model && c.condition === base.condition);
    out.push(
      '',
      `Baseline leaderboard (${base.condition}); strict accuracy % (unscored = not correct), ${conf} ${a.settings.cellInterval} interval`,
    );
    out.push(
      textTable(
        ['rank', 'model', 'strict %', `${conf} CI`, 'rank CI', 'simultaneous', 'group', 'unscored'],
        base.entries.map((e) => [
          String(e.rank),
          e.model,
          pct(e.accuracy),
          pctInterval(e.ci),
          rankInterval(e.rankCI),
          rankInterval(e.simultaneousRankCI),
          (e.groups ?? [e.group]).join(','),
          String(cellOf(e.model)?.unscored ?? 0),
        ]),
      ),
    );
    out.push(RANKS_NOTE);
    out.push(
      `Tied groups (Holm-adjusted McNemar tests; ${GROUPS_NOTE}):`,
      groupsText(base.tiedGroups, base.splitPairs ?? []),
    );
  }

  if (a.robust) {
    const gapOf = new Map(a.goodhartGap.map((g) => [g.model, g]));
    const source = a.settings.robustSet?.source === 'option' ? 'given to --robust' : 'role perturbation';
    out.push(
      '',
      `Robust leaderboard: strict accuracy averaged over ${a.robust.conditions.length} conditions (${source}): ${a.robust.conditions.join(', ')}; SE clustered by item`,
    );
    const left = a.conditions.filter((c) => !c.isBaseline && !c.inRobustScore);
    if (left.length) out.push(`Not in the robust set: ${left.map((c) => `${c.name} (${c.role ?? '?'})`).join(', ')}`);
    out.push(
      textTable(
        ['rank', 'model', 'robust %', `${conf} CI`, 'worst %', 'worst condition', 'rank CI', 'simultaneous', 'group'],
        a.robust.entries.map((e) => [
          String(e.rank),
          e.model,
          pct(e.mean),
          pctInterval(e.ci),
          pct(e.worst),
          e.worstCondition,
          rankInterval(e.rankCI),
          rankInterval(e.simultaneousRankCI),
          (e.groups ?? [e.group]).join(','),
        ]),
      ),
    );
    out.push(
      `Tied groups (Holm-adjusted paired z-tests; ${GROUPS_NOTE}):`,
      groupsText(a.robust.tiedGroups, a.robust.splitPairs ?? []),
    );
    out.push(
      '',
      `Goodhart gap = baseline − robust accuracy (paired per item; robust set: ${a.robust.conditions.join(', ')})`,
    );
    out.push(
      textTable(
        ['model', 'baseline %', 'robust %', 'gap %', `${conf} CI`, 'rank base→robust', 'flag'],
        a.robust.entries.map((e) => {
          const g = gapOf.get(e.model)!;
          return [
            g.model,
            pct(g.baselineAccuracy),
            pct(g.robustAccuracy),
            signedPct(g.gap),
            pctInterval(g.ci),
            `${g.baselineRank} → ${g.robustRank}`,
            g.highOnlyUnderBaseline ? 'HIGH ONLY UNDER BASELINE' : '',
          ];
        }),
      ),
    );
  }

  const beyond = a.rankShifts.modelsMovedBeyondNoise;
  out.push(
    '',
    `Rank shifts from the baseline: ${beyond ?? '–'} of ${a.models.length} models moved beyond noise under the robust set's conditions` +
      ` (raw, noise included: ${a.rankShifts.modelsMovedInRobustSet ?? '–'} change rank under them, ${a.rankShifts.modelsMoved} under some condition)`,
  );
  out.push(
    textTable(
      ['model', 'baseline rank', 'best', 'worst', 'range', 'max |shift|', 'where'],
      [...a.rankShifts.perModel]
        .sort((x, y) => x.baselineRank - y.baselineRank)
        .map((s) => [
          s.model,
          String(s.baselineRank),
          String(s.bestRank),
          String(s.worstRank),
          String(s.rankRange),
          String(s.maxAbsShift),
          s.maxShiftCondition ?? '',
        ]),
    ),
  );

  out.push(
    '',
    `Agreement with the baseline leaderboard; noise = the ${conf} range of τ-b when the condition changes nothing`,
  );
  out.push(
    textTable(
      ['condition', 'role', 'Kendall τ-b', `${conf} CI`, 'noise', 'τ_k', 'Spearman ρ', 'moved (raw)', 'beyond noise'],
      a.rankAgreement.vsBaseline.map((r) => [
        r.b,
        r.role ?? '',
        num(r.kendallTauB),
        numInterval(r.noise?.kendallTauBCI ?? null, 2),
        numInterval(r.noise?.kendallTauBNull ?? null, 2),
        num(r.tauK),
        num(r.spearmanRho),
        String(r.modelsMoved),
        String(a.rankShifts.movedBeyondNoiseByCondition?.[r.b] ?? '–'),
      ]),
    ),
  );

  const noise = a.factorVariance.noise;
  out.push(
    '',
    'Share of within-model variance in accuracy by factor (main effect, factor × model, total; net = beyond sampling noise)',
  );
  if (noise?.noiseShare !== null && noise?.noiseShare !== undefined)
    out.push(`sampling noise alone is expected to give ${num(noise.noiseShare)} of it`);
  out.push(
    textTable(
      ['factor', 'levels', 'main', 'net main', `${conf} CI`, '× model', 'net × model', `${conf} CI`, 'total'],
      a.factorVariance.factors.map((f, k) => {
        const n = noise?.factors[k];
        return [
          f.factor,
          String(f.levels.length),
          num(f.share),
          num(n?.netShare ?? null),
          numInterval(n?.netShareCI ?? null),
          num(f.interactionShare),
          num(n?.netInteractionShare ?? null),
          numInterval(n?.netInteractionShareCI ?? null),
          num(f.totalShare),
        ];
      }),
    ),
  );

  const fills = a.conventions?.randomFill ?? [];
  const baseFill = fills.find((f) => f.condition === a.settings.baseline);
  if (baseFill) {
    out.push(
      '',
      `Unscored answers under ${baseFill.condition}: strict (not correct) beside the random-fill convention (a random choice)`,
    );
    out.push(
      textTable(
        ['model', 'unscored', 'strict %', 'random fill (expected) %', 'random fill (seeded) %'],
        baseFill.perModel.map((m) => [
          m.model,
          String(m.unscored),
          pct(m.strict),
          pct(m.randomFillExpected),
          pct(m.randomFillSeeded),
        ]),
      ),
    );
  }
  if (fills.length) {
    out.push(
      `Pairs ordered differently by strict and random-fill accuracy (${fills.length} conditions with unscored answers):`,
    );
    const swapped = fills.filter((f) => f.swappedPairs.length);
    out.push(
      ...(swapped.length
        ? swapped.map((f) => `  ${f.condition}: ${f.swappedPairs.map((p) => `${p.a} / ${p.b}`).join('; ')}`)
        : ['  none']),
    );
  }
  if (a.notApplicable?.length) {
    out.push('', 'Not applicable to this run:', ...a.notApplicable.map((n) => `  ${n.statistic}: ${n.reason}`));
  }
  return out.join('\n');
}
