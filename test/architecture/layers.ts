/**
 * The layers of src/, from the bottom up (docs/architecture.md describes each). A folder may import
 * its own layer and the layers below it, never one above; files at the root of src/ are named as
 * files. test/architecture/layers.test.ts enforces this on every import.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['core'], // types, errors, paths, seeded randomness, numerical building blocks
  ['formats'], // CSV, JSONL and text-file readers
  ['hub'], // Hugging Face Hub cache: datasets and models, downloads, Parquet rows
  ['benchmarks'], // benchmark specs, loaders and recipes → items
  ['perturbations'], // presentations and perturbations; templates.ts/protocols.ts render them into prompts
  ['scoring'], // scoring methods: requests per item, normalization, prediction, one judgement per item
  ['models', 'sim'], // backends (GGUF, HTTP servers) and the simulated model
  ['study'], // the study file: schema, loading, conditions
  ['engine', 'store', 'output'], // planning and computing requests, the result store, the run folder
  ['analysis'], // statistics of a run's results
  ['probes'], // format and memorization probes
  ['report'], // HTML and Markdown reports, printed tables
  ['import'], // lm-eval samples and other tools' outputs → run folders
  ['api'], // the public API's operations: run a study, analyze, import
  ['cli', 'index.ts', 'registry.ts'], // the command line; the package's entry point (src/index.ts) and its extension points (src/registry.ts)
];
