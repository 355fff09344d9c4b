import { Command, CommanderError } from 'commander';
import { noSpaceError, UserError } from '../core/errors.js';
import { VERSION } from '../core/version.js';

// Each command loads its modules when it runs (native engines, database clients, the analysis),
// so that `--help` and `--version` start at once.

/** Repeatable list options: `--ignore a,b --ignore c`. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

// A write past the file-size limit (ulimit -f) must fail with EFBIG, which is reported, not kill the
// process: Node ignores SIGXFSZ, but a dependency's exit hook re-raises it unless another listener exists.
process.on('SIGXFSZ', () => {});
// Output piped into a reader that stops early (`| head`): stop quietly, as other command-line tools do.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

const program = new Command()
  .name('goodhart')
  .description(
    'How much does an LLM leaderboard depend on how it was measured? Run a multiple-choice study under a grid of conditions.',
  )
  .version(VERSION)
  .showHelpAfterError();

program
  .command('run')
  .description('run a study: every model x condition x item, cached in the store; resumable')
  .argument('<study>', 'study file (YAML)')
  .option('-o, --out <dir>', 'output folder (default: runs/<study name>)')
  .option(
    '--store <file|url>',
    'store of model results: a SQLite file or postgres://… (default: $GOODHART_STORE or .goodhart/store.sqlite)',
  )
  .option('-q, --quiet', 'no progress output')
  .option('--offline', 'Hub datasets and models (hf:) from the cache only, never the network (also GOODHART_OFFLINE=1)')
  .option(
    '--lenient',
    "a server that does not list the configured model, or a local tokenizer that disagrees with the server's, is a warning instead of an error",
  )
  .option(
    '--distributed',
    "put the requests on the PostgreSQL store's queue for `goodhart worker`s and wait for them (see docs/scale.md)",
  )
  .action(async (study: string, opts) => {
    const { runCommand } = await import('./run.js');
    process.exitCode = await runCommand(study, opts);
  });

program
  .command('worker')
  .description(
    "compute requests that `run --distributed` put on a PostgreSQL store's queue, until stopped (see docs/scale.md)",
  )
  .option('--store <url>', 'the shared store: postgres://… (default: $GOODHART_STORE)')
  .option('--models <names>', 'serve only these models of the studies, comma-separated (default: all)')
  .option('--concurrency <n>', 'chunks computed at once (default 1)')
  .option(
    '--study <file>',
    "a study file declaring this machine's models (local paths, own servers), used by name instead of the run's",
  )
  .option('-q, --quiet', 'no log lines')
  .action(async (opts) => {
    const { workerCommand } = await import('./worker.js');
    process.exitCode = await workerCommand(opts);
  });

const storeGroup = program
  .command('store')
  .description('the store of model results (a SQLite file or a PostgreSQL database): copy, verify, salvage');
storeGroup
  .command('copy')
  .description(
    'copy every stored result from one store to another (SQLite <-> PostgreSQL, either way); resumable: only what the destination lacks is written',
  )
  .argument('<from>', 'source store: SQLite file or postgres://…')
  .argument('<to>', 'destination store: SQLite file or postgres://…')
  .option('-q, --quiet', 'no progress output')
  .action(async (from: string, to: string, opts) => {
    const { storeCopyCommand } = await import('./store-copy.js');
    process.exitCode = storeCopyCommand(from, to, opts);
  });

program
  .command('analyze')
  .description(
    'statistics of a run folder: leaderboards with intervals and tied groups, rank shifts, robust leaderboard; writes analysis.json',
  )
  .argument('<run>', 'run folder (holds summary.json and items.jsonl)')
  .option('--bootstrap <n>', 'paired bootstrap resamples over items (default 1000; 0 skips bootstrap intervals)')
  .option('--seed <s>', "seed of the bootstrap and of PriDe calibration items (default: the run's seed)")
  .option(
    '--cluster-by-subject',
    'SEs clustered by subject (generalizing to new subjects; much wider) instead of item-level',
  )
  .option(
    '--robust <conditions>',
    'conditions of the robust leaderboard, comma-separated (default: those whose role is perturbation)',
  )
  .action(async (run: string, opts) => {
    const { analyzeCommand } = await import('./analyze.js');
    process.exitCode = await analyzeCommand(run, opts);
  });

program
  .command('design')
  .description(
    'advice for designing a leaderboard from a pilot run: the most stable protocol, items needed per adjacent pair, conditions a robust score needs; writes design.json',
  )
  .argument('<run>', 'run folder (holds summary.json and items.jsonl)')
  .option('--target-separation <d>', 'difference in accuracy two models should be separable at (default 0.01)')
  .option('--power <p>', 'power asked of each paired test (default 0.8)')
  .option('--target-tau <t>', 'expected Kendall tau between replications the leaderboard should reach (default 0.9)')
  .option('--alpha <a>', 'level of the tests (default 0.05)')
  .option('--seed <s>', "seed of the random splits and resamples (default: the run's seed)")
  .option(
    '--robust <conditions>',
    'perturbation conditions of the robust score, comma-separated (default: those that change only the form)',
  )
  .action(async (run: string, opts) => {
    const { designCommand } = await import('./design.js');
    process.exitCode = await designCommand(run, opts);
  });

/** Results made elsewhere, turned into run folders; one subcommand per source. */
const importGroup = program
  .command('import')
  .description('turn evaluation outputs made elsewhere into a run folder that analyze and report read');

importGroup
  .command('outputs')
  .description(
    'per-question outputs in CSV or JSONL (long: a row per model x item; wide: a column per model) with 0/1 correctness, a predicted choice or per-choice scores',
  )
  .argument('<files...>', 'output files (.csv, .jsonl, optionally .gz)')
  .requiredOption('-o, --out <dir>', 'run folder to write')
  .option('--format <format>', 'csv or jsonl (default: from the extension)')
  .option(
    '--columns <role=column,...>',
    'column of a role, overriding the usual names; roles: item, model, condition, subject, gold, correct, pred, scores (repeatable)',
    collect,
  )
  .option('--ignore <columns>', 'columns to leave out, comma-separated (repeatable)', collect)
  .option('--values <kind>', "what a wide file's model columns hold: correct, pred or scores (default: detected)")
  .option('--condition <name>', 'condition of rows without a condition column (default: baseline)')
  .option('--condition-per-file', 'each file is one condition, named after the file')
  .option('--baseline <condition>', 'the baseline condition (default: the first)')
  .option('--answers <file>', 'CSV/JSONL of item ids and gold answers (and subjects), for outputs without them')
  .option('--missing <policy>', 'a model without a result for some item: error (default) or skip', 'error')
  .option('--scoring <method>', 'how the answers were read: symbol (default), hybrid or cloze')
  .option('--factor <factor>', 'the grid factor the imported conditions differ in (default: template)')
  .option('--name <name>', 'name of the imported study (default: the folder name)')
  .option(
    '--choices <n>',
    'number of choices of every item, when the outputs hold no per-choice scores (for the random-fill convention)',
  )
  .action(async (files: string[], opts) => {
    const { importOutputsCommand } = await import('./import-outputs.js');
    process.exitCode = await importOutputsCommand(files, opts);
  });

importGroup
  .command('lm-eval')
  .description(
    'lm-evaluation-harness --log_samples files (samples_<task>_<timestamp>.jsonl) of multiple-choice tasks: acc, acc_norm, acc_bytes and acc_mutual_info recomputed from the log-likelihoods',
  )
  .argument('<files...>', 'samples files; several models merge into one run folder')
  .requiredOption('-o, --out <dir>', 'run folder to write')
  .option('--model <name>', "model name for every file (default: from lm-eval's results file or the folder name)")
  .option(
    '--group <name>',
    "one condition per metric for all tasks (<name>:acc, ...), each task becoming the items' subject",
  )
  .option('--append', "add these models to the run folder's earlier import")
  .action(async (files: string[], opts) => {
    const { importLmEvalCommand } = await import('../import/lm-eval-command.js');
    process.exitCode = await importLmEvalCommand(files, opts);
  });

/** The download cache of Hub datasets and models ($GOODHART_CACHE, default ~/.cache/goodhart/hub). */
const cacheGroup = program
  .command('cache')
  .description('the cache of Hugging Face datasets and models (GOODHART_CACHE; default ~/.cache/goodhart/hub)');

cacheGroup
  .command('add-dataset')
  .description(
    'seed the cache with local files standing for a Hub dataset (a Hub snapshot, or a format its recipe reads), for offline runs',
  )
  .argument('<dataset>', 'hf://datasets/<owner>/<name>[@<revision>]')
  .argument('<folder>', 'local folder (or file) to copy')
  .option('--revision <rev>', 'revision it stands for (default main)')
  .option('--force', 'replace what the cache holds for it')
  .action(async (dataset: string, folder: string, opts) => {
    const { cacheAddDatasetCommand } = await import('../hub/cache-command.js');
    process.exitCode = cacheAddDatasetCommand(dataset, folder, opts);
  });

cacheGroup
  .command('list')
  .description('list the cached datasets and models')
  .action(async () => {
    const { cacheListCommand } = await import('../hub/cache-command.js');
    process.exitCode = cacheListCommand();
  });

program
  .command('report')
  .description(
    'write report.html (charts, sortable tables, item browser; self-contained) and report.md into a run folder',
  )
  .argument('<run>', 'run folder (holds summary.json and items.jsonl)')
  .option('--max-items <n>', 'most items embedded in the item browser (default 300)')
  .option('--compare <run>', 'another run folder: models added or removed, accuracy and rank changes')
  .action(async (run: string, opts) => {
    const { reportCommand } = await import('./report.js');
    process.exitCode = await reportCommand(run, opts);
  });

program
  .command('view')
  .description("serve a run folder's report on 127.0.0.1 and print its URL")
  .argument('<run>', 'run folder')
  .option('-p, --port <n>', 'port (default 8737; 0 picks a free one)')
  .option('--compare <run>', 'another run folder to compare with')
  .action(async (run: string, opts) => {
    const { viewCommand } = await import('./view.js');
    process.exitCode = await viewCommand(run, opts);
  });

storeGroup
  .command('verify')
  .description("check every page (integrity_check) and every stored result's checksum; exit 1 if anything is damaged")
  .argument('<store>', 'store file')
  .action(async (file: string) => {
    const { storeVerifyCommand } = await import('./store.js');
    process.exitCode = storeVerifyCommand(file);
  });

storeGroup
  .command('salvage')
  .description('copy every readable result whose checksum holds from a (damaged) store into a new store')
  .argument('<from>', 'store to read (never written)')
  .argument('<to>', 'new store file to create')
  .action(async (from: string, to: string) => {
    const { storeSalvageCommand } = await import('./store.js');
    process.exitCode = storeSalvageCommand(from, to);
  });

program
  .command('schema')
  .description('print the JSON Schema of the study file (for editor completion and validation)')
  .action(async () => {
    const { studyJsonSchema } = await import('../study/json-schema.js');
    process.stdout.write(JSON.stringify(studyJsonSchema(), null, 2) + '\n');
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  const path = (e as NodeJS.ErrnoException | null)?.path;
  const user = e instanceof UserError ? e : path !== undefined ? noSpaceError(e, path) : undefined;
  if (user) {
    process.stderr.write(`goodhart: ${user.message}\n`);
    process.exitCode = 1;
  } else if (e instanceof CommanderError) {
    process.exitCode = e.exitCode;
  } else {
    throw e;
  }
}
