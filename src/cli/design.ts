import path from 'node:path';
import { designLeaderboard, designRoles, type DesignRole } from '../analysis/design.js';
import { parseConditionList } from '../analysis/roles.js';
import { formatDesign } from '../analysis/formatDesign.js';
import { buildResultMatrix } from '../analysis/resultMatrix.js';
import { UserError } from '../core/errors.js';
import { readRun, writeFileAtomic } from '../output/run-dir.js';
import { simulatedNote } from '../output/simulated.js';

export interface DesignCommandOptions {
  targetSeparation?: string;
  power?: string;
  targetTau?: string;
  alpha?: string;
  seed?: string;
  robust?: string;
}

function fraction(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (value.trim() === '' || !(x > 0 && x < 1))
    throw new UserError(`${flag} must be a number between 0 and 1, got "${value}"`);
  return x;
}

/** `goodhart design`: advice on protocol, items and conditions from a pilot run; writes design.json. */
export async function designCommand(dirArg: string, opts: DesignCommandOptions): Promise<number> {
  const dir = path.resolve(dirArg);
  const { summary, items } = readRun(dir);
  const conditionNames = summary.conditions.map((c) => c.name);
  const roles: Record<string, DesignRole> = designRoles(summary.conditions, summary.baseline);
  if (opts.robust !== undefined) {
    const chosen = parseConditionList(opts.robust, '--robust');
    for (const name of chosen)
      if (!conditionNames.includes(name))
        throw new UserError(`--robust: "${name}" is not one of the conditions (${conditionNames.join(', ')})`);
    for (const name of conditionNames) if (roles[name] === 'perturbation') roles[name] = 'other';
    for (const name of chosen) roles[name] = 'perturbation';
  }
  const seed = opts.seed === undefined ? (summary.seed ?? 0) : Number(opts.seed);
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new UserError(`--seed must be a whole number ≥ 0, got "${opts.seed}"`);
  const mx = buildResultMatrix(
    items,
    summary.models.map((m) => m.name),
    conditionNames,
  );
  if (mx.n < 4)
    throw new UserError(
      `a design needs at least 4 items answered by every model under every condition; the run has ${mx.n}`,
      path.join(dir, 'items.jsonl'),
    );
  if (mx.models.length < 2) throw new UserError('a design needs at least 2 models', path.join(dir, 'summary.json'));
  const design = designLeaderboard(mx, roles, {
    seed,
    alpha: fraction(opts.alpha, '--alpha'),
    power: fraction(opts.power, '--power'),
    targetSeparation: fraction(opts.targetSeparation, '--target-separation'),
    targetTau: fraction(opts.targetTau, '--target-tau'),
  });
  const file = path.join(dir, 'design.json');
  writeFileAtomic(file, JSON.stringify(design, null, 2) + '\n');
  process.stdout.write(`${simulatedNote(summary)}${formatDesign(design)}\nwrote ${file}\n`);
  return 0;
}
