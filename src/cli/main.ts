import { Command, CommanderError } from 'commander';
import { UserError } from '../core/errors.js';
import { runCommand } from './run.js';
import { studyJsonSchema } from '../study/json-schema.js';
import { VERSION } from './version.js';

const program = new Command()
  .name('goodhart')
  .description('How much does an LLM leaderboard depend on how it was measured? Run a multiple-choice study under a grid of conditions.')
  .version(VERSION)
  .showHelpAfterError();

program
  .command('run')
  .description('run a study: every model x condition x item, cached in the store; resumable')
  .argument('<study>', 'study file (YAML)')
  .option('-o, --out <dir>', 'output folder (default: runs/<study name>)')
  .option('--store <file>', 'SQLite store of model results (default: $GOODHART_STORE or .goodhart/store.sqlite)')
  .option('-q, --quiet', 'no progress output')
  .action(async (study: string, opts) => {
    process.exitCode = await runCommand(study, opts);
  });

program
  .command('schema')
  .description('print the JSON Schema of the study file (for editor completion and validation)')
  .action(() => {
    process.stdout.write(JSON.stringify(studyJsonSchema(), null, 2) + '\n');
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof UserError) {
    process.stderr.write(`goodhart: ${e.message}\n`);
    process.exitCode = 1;
  } else if (e instanceof CommanderError) {
    process.exitCode = e.exitCode;
  } else {
    throw e;
  }
}
