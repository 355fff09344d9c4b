/**
 * Every benchmark, each in its own process (so each measures its own memory), one after the
 * other (the machine is shared: nothing else of ours runs meanwhile), then their figures again.
 *
 *   npm run bench            (node --import tsx bench/all.ts)
 *
 * To change a benchmark's size, run it alone (its options are at the top of its file).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { machine } from './common.js';

const BENCHMARKS: { file: string; node?: string[]; args?: string[] }[] = [
  // CPU time of `goodhart --help` and `--version` (compiled) beside an empty node.
  { file: 'startup.ts' },
  // One thread: the long-prompt baseline then gains nothing from threads that small calls cannot
  // use, so the ratio is the engine's scheduling; threads.ts measures the thread count itself.
  { file: 'prefix.ts', args: ['--threads', '1'] },
  // llama.cpp's own multiple-choice evaluator beside goodhart, at 1 and 2 threads.
  { file: 'native.ts' },
  { file: 'threads.ts' },
  { file: 'harness.ts' },
  { file: 'http.ts' },
  // Starts a throwaway PostgreSQL server unless GOODHART_TEST_POSTGRES names one.
  { file: 'scale.ts' },
  { file: 'analysis.ts', node: ['--expose-gc'] },
];

function run(
  file: string,
  node: string[] = [],
  args: string[] = [],
): Promise<{ code: number | null; figures: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [...node, '--import', 'tsx', fileURLToPath(new URL(file, import.meta.url)), ...args],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const figures: string[] = [];
    let pending = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      process.stdout.write(chunk);
      const lines = (pending + chunk).split('\n');
      pending = lines.pop()!;
      figures.push(...lines.filter((l) => l.startsWith('FIGURE ')));
    });
    child.on('close', (code) => resolve({ code, figures }));
  });
}

console.log(`goodhart benchmarks: ${machine()}`);
const all: string[] = [];
for (const { file, node, args } of BENCHMARKS) {
  console.log(`\n== ${file}${args ? ` ${args.join(' ')}` : ''}`);
  const started = performance.now();
  const { code, figures } = await run(file, node, args);
  console.log(`== ${file}: ${((performance.now() - started) / 1000).toFixed(0)} s${code ? `, exit code ${code}` : ''}`);
  all.push(...figures);
}
console.log('\nfigures:');
for (const f of all) console.log(`  ${f.slice('FIGURE '.length)}`);
