/**
 * Replications of the noise floors on simulated models (known truth) answering real MMLU questions
 * through the engine and analyzeRun — what `goodhart run` does, without the files. Not a test:
 * it prints each rate with its target.
 *
 * - null: four models with no bias, no memory and no template sensitivity; perturbations (shuffle,
 *   reverse, roman symbols, the HELM and Hendrycks templates) have no true effect. Targets: "moved beyond noise" is 0,
 *   τ-b inside its noise range, net variance-share intervals cover 0, Goodhart-gap intervals cover
 *   0, RStd and answer-order memory not flagged — each in ≥ 95% of replications.
 * - planted: the README's sizes, a memorized share of 0.3 (ability 0.4) and a template
 *   sensitivity of 1.0 (SD of the log-odds shift per template, ability 0.6), beside two plain
 *   models. Targets: found in ≥ 80% of replications.
 *
 * Run: node --import tsx bench/noise.ts [--replications 40] [--perSubject 133] [--bootstrap 300]
 * (3 subjects × perSubject items, drawn afresh in every replication; new model seeds too).
 */
import path from 'node:path';
import { analyzeRun } from '../src/analysis/analyze.js';
import type { Analysis } from '../src/analysis/analysisTypes.js';
import { SimModel } from '../src/models/sim.js';
import { simModelSchema } from '../src/sim/spec.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { figure, machine, options, planned, seconds, studyOf, tempDir } from './common.js';
import { runModel } from '../src/engine/run.js';

const opts = options({ replications: 40, perSubject: 133, bootstrap: 300 });
const SHARED =
  process.env.GOODHART_SHARED ?? path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'shared');

const CONDITIONS = [
  { name: 'base', scoring: 'symbol' },
  { name: 'shuffled', scoring: 'symbol', perturbations: [{ shuffle: { seed: 2 } }] },
  { name: 'reversed', scoring: 'symbol', perturbations: ['reverse'] },
  { name: 'roman', scoring: 'symbol', perturbations: [{ symbols: { set: 'roman' } }] },
  { name: 'helm', scoring: 'symbol', perturbations: [{ template: { name: 'helm' } }] },
  { name: 'hendrycks', scoring: 'symbol', perturbations: [{ template: { name: 'hendrycks' } }] },
  { name: 'answer-is-A', scoring: 'symbol', perturbations: [{ 'fix-answer': { position: 'A' } }] },
  { name: 'choices-only', scoring: 'symbol', perturbations: ['choices-only'] },
];

async function replicate(models: Record<string, unknown>[], r: number, store: SqliteStore): Promise<Analysis> {
  const study = studyOf({
    name: 'noise',
    seed: r,
    benchmark: {
      format: 'mmlu',
      path: path.join(SHARED, 'data', 'mmlu', 'data'),
      subjects: ['anatomy', 'astronomy', 'high_school_geography'],
      limit: { perSubject: opts.perSubject, seed: r },
    },
    models: models.map((m) => ({ backend: 'sim', ...m, seed: 1000 * r + Number(m.seed ?? 0) })),
    conditions: CONDITIONS,
    baseline: 'base',
  });
  const { benchmark, cellsFor } = await planned(study);
  const items = [];
  for (const spec of study.spec.models) {
    const model = new SimModel(simModelSchema.parse(spec), benchmark.items);
    items.push(...(await runModel(model, cellsFor(model), store, {})).items);
  }
  return analyzeRun(
    { items, conditions: study.conditions.map((c) => c.info), baseline: 'base' },
    { seed: r, bootstrap: opts.bootstrap },
  );
}

const covers = (ci: [number, number] | null, x: number) => ci !== null && ci[0] <= x && x <= ci[1];
const rate = (xs: boolean[]) => xs.filter(Boolean).length / xs.length;

const store = new SqliteStore(path.join(tempDir('noise'), 'store.sqlite'));
const started = performance.now();
const nullRuns: Analysis[] = [];
const plantedRuns: Analysis[] = [];
const plain = [
  { name: 'plain-a', ability: 0.7, seed: 1 },
  { name: 'plain-b', ability: 0.5, seed: 2 },
];
for (let r = 1; r <= opts.replications; r++) {
  nullRuns.push(
    await replicate(
      [...plain, { name: 'plain-c', ability: 0.6, seed: 3 }, { name: 'plain-d', ability: 0.4, seed: 4 }],
      r,
      store,
    ),
  );
  plantedRuns.push(
    await replicate(
      [
        ...plain,
        { name: 'leaky', ability: 0.4, memorized: { share: 0.3, seed: r }, seed: 5 },
        { name: 'fragile', ability: 0.6, templateSensitivity: 1.0, seed: 6 },
      ],
      r,
      store,
    ),
  );
}
store.close();
const n = nullRuns[0].items.n;
console.log(
  `${opts.replications} replications × 2 scenarios; ${n} MMLU items each; ${opts.bootstrap} bootstrap resamples and permutations; ${seconds(performance.now() - started)}; ${machine()}`,
);

// What the simulator gives: each perturbation's mean accuracy shift from the baseline under the null (should be ≈ 0).
for (const c of nullRuns[0].settings.robustSet.conditions) {
  const shifts = nullRuns.flatMap((a) =>
    a.models.map((m) => {
      const acc = (cond: string) => a.cells.find((x) => x.model === m && x.condition === cond)!.accuracy;
      return acc(c) - acc('base');
    }),
  );
  const mean = shifts.reduce((s, x) => s + x, 0) / shifts.length;
  const sd = Math.sqrt(shifts.reduce((s, x) => s + (x - mean) ** 2, 0) / (shifts.length - 1));
  console.log(
    `null: ${c} − base accuracy, mean over models × replications: ${(100 * mean).toFixed(2)} points (SE ${((100 * sd) / Math.sqrt(shifts.length)).toFixed(2)})`,
  );
}
const perturbationAgreements = (a: Analysis) => a.rankAgreement.vsBaseline.filter((x) => x.role === 'perturbation');
let ok = true;
ok =
  figure(
    'null: replications with 0 models moved beyond noise',
    rate(nullRuns.map((a) => a.rankShifts.modelsMovedBeyondNoise === 0)),
    '',
    { op: '>=', value: 0.95 },
  ) && ok;
ok =
  figure(
    'null: τ-b inside its noise range (per perturbation condition)',
    rate(
      nullRuns.flatMap((a) =>
        perturbationAgreements(a).map((x) => covers(x.noise.kendallTauBNull, x.kendallTauB as number)),
      ),
    ),
    '',
    { op: '>=', value: 0.95 },
  ) && ok;
for (const factor of ['order', 'symbols', 'template'] as const) {
  ok =
    figure(
      `null: net ${factor} share interval covers 0`,
      rate(nullRuns.map((a) => covers(a.factorVariance.noise.factors.find((f) => f.factor === factor)!.netShareCI, 0))),
      '',
      { op: '>=', value: 0.95 },
    ) && ok;
  ok =
    figure(
      `null: net ${factor} × model share interval covers 0`,
      rate(
        nullRuns.map((a) =>
          covers(a.factorVariance.noise.factors.find((f) => f.factor === factor)!.netInteractionShareCI, 0),
        ),
      ),
      '',
      { op: '>=', value: 0.95 },
    ) && ok;
}
ok =
  figure(
    'null: Goodhart-gap interval covers 0 (per model)',
    rate(nullRuns.flatMap((a) => a.goodhartGap.map((g) => covers(g.ci, 0)))),
    '',
    { op: '>=', value: 0.95 },
  ) && ok;
ok =
  figure(
    'null: no RStd beyond noise (Holm over cells)',
    rate(nullRuns.map((a) => a.bias.rstd.every((c) => !c.noise?.beyondNoise))),
    '',
    { op: '>=', value: 0.95 },
  ) && ok;
ok =
  figure(
    'planted: memorized share 0.3 gives a Goodhart gap (Holm p < 0.05)',
    rate(
      plantedRuns.map((a) => {
        const g = a.goodhartGap.find((x) => x.model === 'leaky')!;
        return g.holmP < 0.05 && g.gap > 0;
      }),
    ),
    '',
    { op: '>=', value: 0.8 },
  ) && ok;
ok =
  figure(
    'planted: memorized share moves the model beyond noise',
    rate(
      plantedRuns.map((a) =>
        a.rankShifts.orderChanges.some((c) =>
          c.reorderedPairs.some((p) => p.significant && (p.a === 'leaky' || p.b === 'leaky')),
        ),
      ),
    ),
    '',
    { op: '>=', value: 0.8 },
  ) && ok;
ok =
  figure(
    'planted: template sensitivity 1.0 found (net template × model share interval above 0)',
    rate(
      plantedRuns.map(
        (a) =>
          (a.factorVariance.noise.factors.find((f) => f.factor === 'template')!.netInteractionShareCI?.[0] ?? 0) > 0,
      ),
    ),
    '',
    { op: '>=', value: 0.8 },
  ) && ok;
ok =
  figure(
    'planted: plain models keep a Goodhart-gap interval covering 0',
    rate(
      plantedRuns.flatMap((a) => a.goodhartGap.filter((g) => g.model.startsWith('plain')).map((g) => covers(g.ci, 0))),
    ),
    '',
    { op: '>=', value: 0.95 },
  ) && ok;
process.exitCode = ok ? 0 : 1;
