/**
 * What each condition is for. Only conditions that change the form of an item and not its content
 * (`perturbation`) say how a leaderboard moves when nothing about the task changes, so only they
 * make up the robust leaderboard and the Goodhart gap:
 * - `baseline`: the leaderboard as usually published;
 * - `perturbation`: shuffled, rotated or reversed choices, other symbols, templates, few-shot examples;
 * - `stress`: built to exploit a bias (the answer fixed at one position, same-answer or self shots);
 * - `probe`: asks something else of the model (choices-only);
 * - `protocol`: another scoring method or normalization — another way to publish the leaderboard.
 * A study may set a condition's `role:`; `analyze --robust a,b` names the robust set directly.
 */
import { UserError } from '../core/errors.js';
import type { ConditionInfo } from '../core/results.js';

export const CONDITION_ROLES = ['baseline', 'perturbation', 'stress', 'probe', 'protocol'] as const;
export type ConditionRole = (typeof CONDITION_ROLES)[number];

const PROBE_STEPS = new Set(['choices-only']);
const STRESS_STEPS = new Set(['fix-answer', 'fewshot-same-answer', 'self-shot']);

export interface ResolvedRole {
  condition: string;
  role: ConditionRole;
  /** `study`: set by the study (or recorded in the run); `default`: from the perturbations and scoring. */
  source: 'study' | 'default';
  /** Why the default was chosen (or that the study set it). */
  reason: string;
}

/** The role a condition has when the study does not set one. */
export function defaultRole(info: ConditionInfo, baseline: ConditionInfo): { role: ConditionRole; reason: string } {
  if (info.name === baseline.name) return { role: 'baseline', reason: 'the baseline' };
  const steps = info.perturbations.map((p) => p.name);
  const probe = steps.find((s) => PROBE_STEPS.has(s));
  if (probe) return { role: 'probe', reason: `${probe} hides part of the item` };
  const stress = steps.find((s) => STRESS_STEPS.has(s));
  if (stress) return { role: 'stress', reason: `${stress} is built to exploit a bias` };
  if (
    info.scoring !== baseline.scoring ||
    info.normalization !== baseline.normalization ||
    info.factors.scoring !== baseline.factors.scoring
  ) {
    return { role: 'protocol', reason: 'another scoring method or normalization than the baseline' };
  }
  return {
    role: 'perturbation',
    reason: steps.length ? `${steps.join(' + ')} changes the form, not the content` : 'same scoring as the baseline',
  };
}

/** Every condition's role: the study's where it set one, else the default. */
export function conditionRoles(infos: readonly ConditionInfo[], baseline: string): ResolvedRole[] {
  const base = infos.find((c) => c.name === baseline);
  if (!base)
    throw new UserError(`baseline "${baseline}" is not one of the conditions (${infos.map((c) => c.name).join(', ')})`);
  return infos.map((info) => {
    if (info.name === baseline) {
      if (info.role !== undefined && info.role !== 'baseline') {
        throw new UserError(`condition "${info.name}" is the baseline but has role "${info.role}"`);
      }
      return {
        condition: info.name,
        role: 'baseline',
        source: info.role ? 'study' : 'default',
        reason: 'the baseline',
      };
    }
    if (info.role === 'baseline')
      throw new UserError(`condition "${info.name}" has role "baseline" but the baseline is "${baseline}"`);
    if (info.role) return { condition: info.name, role: info.role, source: 'study', reason: 'set by the study' };
    return { condition: info.name, ...defaultRole(info, base), source: 'default' };
  });
}

/** The conditions with a role, in condition order. */
export function conditionsWithRole(roles: readonly ResolvedRole[], role: ConditionRole): string[] {
  return roles.filter((r) => r.role === role).map((r) => r.condition);
}

/** `--robust a,b` as a list of names (whitespace around names ignored). */
export function parseConditionList(value: string, flag: string): string[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new UserError(`${flag} needs at least one condition name, got "${value}"`);
  return names;
}
