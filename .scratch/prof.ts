import { runModel } from '../src/engine/run.js';
import { SimModel } from '../src/models/sim.js';
import { simModelSchema } from '../src/sim/spec.js';
import { openStore } from '../src/store/open.js';
import { planned, studyOf } from '../bench/common.js';
import pg from 'pg';
const study = studyOf({ name: 'p', seed: 1, benchmark: { format: 'mmlu', path: '${GOODHART_SHARED}/data/mmlu/data', split: 'test', limit: { total: 1200, seed: 1 } }, models: [{ name: 'sim', backend: 'sim', ability: 0.6 }], conditions: [{ name: 'base', scoring: 'symbol' }, { name: 'hybrid', scoring: 'hybrid' }, { name: 'cloze', scoring: 'cloze' }, { name: 'shuffled', scoring: 'symbol', perturbations: [{ shuffle: { seed: 1 } }] }], baseline: 'base' });
const { benchmark, cellsFor } = await planned(study);
const model = new SimModel(simModelSchema.parse(study.spec.models[0]), benchmark.items);
const cells = cellsFor(model);
const c = new pg.Client({ connectionString: 'postgres://goodhart@127.0.0.1:54329/goodhart' }); await c.connect();
await c.query('DROP DATABASE IF EXISTS prof1'); await c.query('CREATE DATABASE prof1'); await c.end();
const store = openStore('postgres://goodhart@127.0.0.1:54329/prof1');
const times: Record<string, [number, number]> = {};
for (const op of ['getMany', 'putMany', 'claim', 'logPosition', 'putFailure']) {
  const orig = (store as any)[op].bind(store);
  (store as any)[op] = (...a: unknown[]) => { const t = performance.now(); const r = orig(...a); const e = (times[op] ??= [0, 0]); e[0]++; e[1] += performance.now() - t; return r; };
}
const t = performance.now();
await runModel(model, cells, store, {});
console.log('total', (performance.now() - t).toFixed(0), times);
store.close();
