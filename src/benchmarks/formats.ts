/**
 * The built-in benchmark formats: each the schema of its `benchmark:` section and its loader. A
 * new format is one file calling defineBenchmarkFormat, and its line in the list at the end.
 */
import { benchmarkFormatRegistry, defineBenchmarkFormat, type FormatContext } from './format.js';
import { loadGauntlet } from './gauntlet.js';
import { loadHf } from './hub.js';
import { loadMmlu } from './mmlu.js';
import {
  csvSpecSchema,
  gauntletSpecSchema,
  hfSpecSchema,
  jsonlSpecSchema,
  mmluSpecSchema,
  type TableSpec,
} from './spec-parts.js';
import { loadTable } from './table.js';

const mmlu = defineBenchmarkFormat({
  name: 'mmlu',
  schema: mmluSpecSchema,
  load: (spec, ctx) => loadMmlu(spec, ctx.resolvePath(spec.path), ctx.bad),
});

const gauntlet = defineBenchmarkFormat({
  name: 'gauntlet',
  schema: gauntletSpecSchema,
  load: (spec, ctx) => loadGauntlet(spec, ctx.resolvePath(spec.path), ctx.bad),
});

const loadTableFormat = (spec: TableSpec, ctx: FormatContext) =>
  loadTable(
    spec,
    ctx.resolvePath(spec.path),
    spec.fewshotPath === undefined ? undefined : ctx.resolvePath(spec.fewshotPath),
    ctx.bad,
  );

const jsonl = defineBenchmarkFormat({ name: 'jsonl', schema: jsonlSpecSchema, load: loadTableFormat });
const csv = defineBenchmarkFormat({ name: 'csv', schema: csvSpecSchema, load: loadTableFormat });

/** `format: hf`, which may be left out when `recipe` is given; its recipe names come from the recipe registry. */
const hf = defineBenchmarkFormat({
  name: 'hf',
  schema: hfSpecSchema,
  load: (spec, ctx) =>
    loadHf(
      spec,
      { baseDir: ctx.baseDir, offline: ctx.offline, log: ctx.log, resolvePath: (p) => ctx.resolvePath(p) },
      ctx.bad,
    ),
});

/** The order the schema lists them. */
benchmarkFormatRegistry.arrange([mmlu, gauntlet, jsonl, csv, hf]);
