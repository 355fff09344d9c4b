import fs from 'node:fs';
import path from 'node:path';
import { parseDocument, visit, LineCounter } from 'yaml';
import { UserError } from '../core/errors.js';
import type { ConditionInfo } from '../core/results.js';
import { expandCircular, factorsOf, normalizeEntry, type PerturbationStep } from '../perturbations/registry.js';
import type { Method, Normalization } from '../scoring/methods.js';
import { MMLU_PRO_COT, type GenerationSettings } from '../scoring/generate.js';
import { studySchema, type StudySpec } from './schema.js';
import { benchmarkTask, DEFAULT_BASELINE, protocolSettings, type ProtocolSettings } from './protocols.js';
import type { GoldPositionCheck } from '../benchmarks/gold-positions.js';
import { formatIssues } from './issues.js';
import { expandVariables } from './variables.js';

export interface Condition {
  name: string;
  method: Method;
  normalization: Normalization;
  chain: PerturbationStep[];
  seed: number;
  info: ConditionInfo;
  /** Set for scoring: generate. */
  generation?: GenerationSettings;
}

export interface Study {
  /** As validated, with the default baseline filled in (so it resolves to the same conditions again). */
  spec: StudySpec & { baseline: string };
  file: string;
  baseDir: string;
  conditions: Condition[];
}

/** Parse and validate a study file; every problem names the file, the line and the key path. */
export function loadStudy(file: string): Study {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UserError(
      `cannot read the study file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      file,
    );
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const { line, col } = lines.linePos(err.pos[0]);
    throw new UserError(`YAML syntax error: ${err.message.split('\n')[0]}`, `${file}:${line}:${col}`);
  }
  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (e) {
    // Only aliases fail here: one without its anchor, or so many that they would blow up memory.
    throw new UserError(`YAML alias error: ${(e as Error).message}`, `${file}:${aliasLine(doc, lines)}`);
  }
  raw = expandVariables(raw, (keyPath) => `${file}:${lineOf(doc, lines, keyPath) ?? 1}: ${keyPath.join('.')}`);
  const parsed = studySchema.safeParse(raw);
  if (!parsed.success) {
    const located = {
      lineOf: (p: readonly PropertyKey[]) => lineOf(doc, lines, p),
      lineOfKey: (p: readonly PropertyKey[], k: string) => lineOfKey(doc, lines, p, k),
      valueAt: (p: readonly PropertyKey[]) => valueAt(raw, p),
    };
    throw new UserError(formatIssues(studySchema, parsed.error, located), file);
  }
  return resolveStudy(parsed.data, file);
}

type YamlDoc = ReturnType<typeof parseDocument>;

/** Line of the first alias whose anchor is missing, else of the first alias. */
function aliasLine(doc: YamlDoc, lines: LineCounter): number {
  let first: number | undefined;
  let unresolved: number | undefined;
  visit(doc, {
    Alias(_, node) {
      const line = node.range ? lines.linePos(node.range[0]).line : undefined;
      first ??= line;
      if (node.resolve(doc) === undefined) {
        unresolved = line;
        return visit.BREAK;
      }
    },
  });
  return unresolved ?? first ?? 1;
}

function valueAt(value: unknown, keyPath: readonly PropertyKey[]): unknown {
  for (const k of keyPath)
    value = value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[k] : undefined;
  return value;
}

/** Line of the node at a key path (or of its nearest ancestor that has one). */
function lineOf(doc: YamlDoc, lines: LineCounter, keyPath: readonly PropertyKey[]): number | undefined {
  for (let n = keyPath.length; n >= 0; n--) {
    const node = doc.getIn(keyPath.slice(0, n) as (string | number)[], true) as
      { range?: [number, number] } | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
  }
  return undefined;
}

/** Line of a key inside the mapping at `parent`. */
function lineOfKey(doc: YamlDoc, lines: LineCounter, parent: readonly PropertyKey[], key: string): number | undefined {
  const map = (parent.length ? doc.getIn(parent as (string | number)[], true) : doc.contents) as {
    items?: { key?: { value?: unknown; range?: [number, number] } }[];
  } | null;
  const pair = map?.items?.find((p) => p.key?.value === key);
  return pair?.key?.range ? lines.linePos(pair.key.range[0]).line : lineOf(doc, lines, parent);
}

/** Choices are labelled A-Z at most, and a rotation by more than the number of choices repeats an earlier one. */
const MAX_ROTATIONS = 26;

/** The study with its baseline named: the lm-eval protocol's condition, added when the study has none. */
function withBaseline(spec: StudySpec): StudySpec & { baseline: string } {
  if (spec.baseline !== undefined) return { ...spec, baseline: spec.baseline };
  const has = spec.conditions.some((c) => c.name === DEFAULT_BASELINE);
  const conditions = has
    ? spec.conditions
    : [{ name: DEFAULT_BASELINE, protocol: DEFAULT_BASELINE, perturbations: [] }, ...spec.conditions];
  return { ...spec, conditions, baseline: DEFAULT_BASELINE };
}

export function resolveStudy(given: StudySpec, file: string): Study {
  const spec = withBaseline(given);
  const task = benchmarkTask(spec.benchmark);
  const conditions: Condition[] = [];
  spec.conditions.forEach((c, ci) => {
    const at = `${file}: conditions.${ci}.perturbations`;
    let protocol: ProtocolSettings | undefined;
    try {
      protocol = c.protocol ? protocolSettings(c.protocol, task) : undefined;
    } catch (e) {
      if (e instanceof UserError) throw new UserError(e.message, `${file}: conditions.${ci}.protocol`);
      throw e;
    }
    const fromProtocol = protocol?.perturbations.length ?? 0;
    const steps = [...(protocol?.perturbations ?? []), ...c.perturbations].map((entry) => normalizeEntry(entry));
    // Key paths count the condition's own entries, after the protocol's.
    const circular = steps.flatMap((s, k) => (s.name === 'circular' ? [k - fromProtocol] : []));
    if (circular.length > 1) throw new UserError('a chain can hold "circular" only once', `${at}.${circular[1]}`);
    for (const k of circular) {
      const { n } = steps[k + fromProtocol].args as { n: number };
      if (n > MAX_ROTATIONS) {
        throw new UserError(
          `circular makes one condition per rotation; n must be at most ${MAX_ROTATIONS} (got ${n})`,
          `${at}.${k}.circular.n`,
        );
      }
    }
    const method = (c.scoring ?? protocol?.scoring)!;
    const normalization: Normalization =
      c.normalization ??
      (c.scoring === undefined ? protocol?.normalization : undefined) ??
      (method === 'symbol' || method === 'generate' ? 'none' : 'char');
    if ((method === 'symbol' || method === 'generate') && normalization !== 'none') {
      throw new UserError(
        `${method} scoring ${method === 'symbol' ? 'scores one symbol' : 'reads one label'}, so its normalization must be "none" (got "${normalization}")`,
        `${file}: conditions.${ci}.normalization`,
      );
    }
    if (method === 'cloze' && steps.some((s) => s.name === 'choices-only')) {
      throw new UserError(
        'choices-only shows no question, so it needs symbol or hybrid scoring',
        `${file}: conditions.${ci}.perturbations`,
      );
    }
    const generation = generationSettings(c, c.seed ?? spec.seed, `${file}: conditions.${ci}`);
    for (const { suffix, chain } of expandCircular(steps)) {
      const name = suffix ? `${c.name}@${suffix}` : c.name;
      conditions.push({
        name,
        method,
        normalization,
        chain,
        seed: c.seed ?? spec.seed,
        info: {
          name,
          scoring: method,
          normalization,
          perturbations: chain,
          factors: factorsOf(chain, method, normalization),
          ...(generation ? { generation: { ...generation, temperature: 0 as const } } : {}),
          ...(c.role ? { role: c.role } : {}),
        },
        ...(generation ? { generation } : {}),
      });
    }
  });
  const seen = new Set<string>();
  for (const c of conditions) {
    if (seen.has(c.name)) throw new UserError(`two conditions are named "${c.name}"`, `${file}: conditions`);
    seen.add(c.name);
  }
  if (!seen.has(spec.baseline)) {
    throw new UserError(
      `baseline "${spec.baseline}" is not a condition; conditions: ${[...seen].join(', ')}`,
      `${file}: baseline`,
    );
  }
  spec.conditions.forEach((c, ci) => {
    if (c.role === undefined) return;
    const isBaseline = c.name === spec.baseline;
    if (isBaseline !== (c.role === 'baseline')) {
      throw new UserError(
        isBaseline
          ? `the baseline's role is "baseline", not "${c.role}"`
          : `role "baseline" belongs to the baseline ("${spec.baseline}") only`,
        `${file}: conditions.${ci}.role`,
      );
    }
  });
  const names = new Set<string>();
  spec.models.forEach((m, i) => {
    if (names.has(m.name)) throw new UserError(`two models are named "${m.name}"`, `${file}: models.${i}.name`);
    names.add(m.name);
  });
  return { spec, file, baseDir: path.dirname(path.resolve(file)), conditions };
}

/** The generation settings of a condition, with their defaults; only `scoring: generate` has them. */
function generationSettings(
  c: StudySpec['conditions'][number],
  seed: number,
  at: string,
): GenerationSettings | undefined {
  if (c.scoring !== 'generate') {
    if (c.generation) throw new UserError('generation settings apply only to scoring: generate', `${at}.generation`);
    return undefined;
  }
  if (!c.generation) throw new UserError('scoring: generate needs generation: {maxTokens: …}', `${at}.generation`);
  const g = c.generation;
  const chainOfThought =
    g.chainOfThought === true ? MMLU_PRO_COT : g.chainOfThought === false ? null : g.chainOfThought;
  return {
    maxTokens: g.maxTokens,
    chainOfThought,
    extraction: g.extraction ?? (chainOfThought ? 'mmlu-pro' : 'leading-letter'),
    // Without a chain of thought the answer is the first line; a blank line ends it.
    stop: g.stop ?? (chainOfThought ? ['Question:'] : ['Question:', '\n\n']),
    seed,
  };
}

/**
 * The baseline shown with shuffled choices, when the benchmark's gold answers sit mostly at one
 * position, the baseline scores symbols or labelled choices (hybrid), keeps the given order, and the
 * study does not say otherwise. Returns whether it did.
 */
export function shuffleSkewedBaseline(study: Study, gold: Omit<GoldPositionCheck, 'baselineShuffled'>): boolean {
  const at = study.conditions.findIndex((c) => c.name === study.spec.baseline);
  const baseline = study.conditions[at];
  if (!gold.skewed || !study.spec.goldPositionShuffle || !baseline || baseline.method === 'cloze') return false;
  if (baseline.info.factors.order !== 'original') return false;
  const chain = [normalizeEntry('shuffle'), ...baseline.chain];
  study.conditions[at] = {
    ...baseline,
    chain,
    info: {
      ...baseline.info,
      perturbations: chain,
      factors: factorsOf(chain, baseline.method, baseline.normalization),
    },
  };
  return true;
}
