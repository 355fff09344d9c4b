/**
 * How a statistic is declared: a name (its key in analysis.json), how it is computed from the
 * run's result matrix, the methods it writes beside the numbers, and why it may not apply. Its
 * report section is declared apart (report/section.ts), so the analysis never imports the report.
 * analysis/statistics.ts imports the built-in ones.
 */
import type { ConditionInfo, ItemResult } from '../core/results.js';
import { Registry } from '../core/registry.js';
import type { ResultMatrix } from './resultMatrix.js';
import type { ResolvedRole } from './roles.js';

/** What every statistic is computed from. */
export interface StatisticInput {
  mx: ResultMatrix;
  /** Per-item results, for what the matrix does not hold (choice counts, scores). */
  items: readonly ItemResult[];
  conditions: readonly ConditionInfo[];
  baselineIndex: number;
  /** Each condition's role (baseline, perturbation, stress, probe, protocol), in condition order. */
  roles: readonly ResolvedRole[];
  seed: number;
  alpha: number;
  /** Permutations for noise floors (0: none). */
  permutations: number;
  /** Share of items used to estimate the PriDe prior (default 0.05). */
  prideShare?: number;
  /** Sets of conditions (indices) that are rotations of each other; detected from the data when omitted. */
  circularGroups?: number[][];
}

export interface StatisticDefinition<T = unknown> {
  name: string;
  compute(input: StatisticInput): T;
  /** Why the result says nothing for this run (listed under notApplicable), or null. */
  notApplicable?(result: T): { statistic: string; reason: string } | null;
  /** How it is computed, written to analysis.json `methods` (key: the statistic or a part of it). */
  methods?: Record<string, string>;
}

export const statisticRegistry = new Registry<StatisticDefinition>('statistic');

/** Registers a statistic and returns it. */
export function defineStatistic<T>(definition: StatisticDefinition<T>): StatisticDefinition<T> {
  return statisticRegistry.add(definition as StatisticDefinition) as StatisticDefinition<T>;
}

/** Every registered statistic, computed: results by name, their notApplicable entries and methods. */
export function computeStatistics(input: StatisticInput): {
  results: Record<string, unknown>;
  notApplicable: { statistic: string; reason: string }[];
  methods: Record<string, string>;
} {
  const results: Record<string, unknown> = {};
  const notApplicable: { statistic: string; reason: string }[] = [];
  const methods: Record<string, string> = {};
  for (const statistic of statisticRegistry.all()) {
    const result = statistic.compute(input);
    results[statistic.name] = result;
    const na = statistic.notApplicable?.(result);
    if (na) notApplicable.push(na);
    Object.assign(methods, statistic.methods);
  }
  return { results, notApplicable, methods };
}
