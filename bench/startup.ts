/**
 * Start-up cost of the compiled command: the CPU seconds (user + system) of `goodhart --help` and
 * `goodhart --version`, median of RUNS, beside an empty `node -e ''` measured in the same run.
 * Builds dist/ first, so the figure is that of the current sources.
 *
 *   node --import tsx bench/startup.ts [--runs 15]
 *
 * The CPU time of each child is read from this process's own /proc/self/stat (cutime + cstime:
 * the children's time the kernel adds up as they are reaped), so it counts the whole life of the
 * child — Node's own start-up included — which the child could not measure itself.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { figure, machine } from './common.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = path.join(ROOT, 'bin', 'goodhart.js');
const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 15;
/** CPU seconds of `goodhart --help`, the brief's target for a command that loads its modules only when it runs. */
const TARGET_SECONDS = 0.3;
/** Clock ticks per second of /proc's times (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** The CPU seconds of the children reaped so far (fields 16 and 17 of /proc/self/stat). */
function childrenCpuSeconds(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  // Fields after the command name, which sits in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / TICKS_PER_SECOND;
}

/** The CPU seconds of one run of `node <args>` (which must succeed). */
function cpuOf(args: string[]): number {
  const before = childrenCpuSeconds();
  const child = spawnSync(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const after = childrenCpuSeconds();
  if (child.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${child.status}: ${child.stderr}`);
  return after - before;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  if (!fs.existsSync('/proc/self/stat'))
    throw new Error('this benchmark reads the CPU time of its children from /proc (Linux)');
  console.log(`startup: ${machine()}; median of ${RUNS} runs each`);
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) throw new Error('npm run build failed');
  const commands = { baseline: ['-e', ''], help: [BIN, '--help'], version: [BIN, '--version'] };
  const samples: Record<keyof typeof commands, number[]> = { baseline: [], help: [], version: [] };
  cpuOf(commands.help); // one warm-up run: the first reads every file from disk
  // Interleaved, so a change in the machine's load meanwhile weighs on all three alike.
  for (let i = 0; i < RUNS; i++)
    for (const name of Object.keys(commands) as (keyof typeof commands)[]) samples[name].push(cpuOf(commands[name]));
  const baseline = median(samples.baseline);
  console.log(`node -e '': ${baseline.toFixed(3)} s CPU`);
  for (const name of ['help', 'version'] as const) {
    const cpu = median(samples[name]);
    console.log(`goodhart --${name}: ${cpu.toFixed(3)} s CPU, ${(cpu / baseline).toFixed(1)}x node -e ''`);
    figure(`goodhart --${name} start-up CPU (${(cpu / baseline).toFixed(1)}x an empty node)`, cpu, 's', {
      op: '<=',
      value: TARGET_SECONDS,
    });
  }
}

await main();
