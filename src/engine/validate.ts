import type { Capabilities } from '../core/types.js';
import { UserError } from '../core/errors.js';
import { requiredKind } from '../scoring/methods.js';
import type { Study } from '../study/load.js';

export interface DeclaredModel {
  name: string;
  backend: string;
  capabilities: Capabilities;
}

/**
 * Refuse, before any model is created or any request is sent, a study in which some condition
 * needs something a model's backend cannot compute (hybrid and cloze need log-likelihoods; a
 * next-token backend can only do symbol scoring). Every such (condition, model) pair is listed.
 */
export function validateStudy(study: Pick<Study, 'conditions' | 'file'>, models: DeclaredModel[]): void {
  const cannotGenerate: string[] = [];
  for (const model of models) {
    for (const c of study.conditions) {
      if (c.method === 'generate' && requiredKind(c.method, model.capabilities) === null) {
        cannotGenerate.push(
          `  condition "${c.name}" (generate scoring) x model "${model.name}" (backend ${model.backend})`,
        );
      }
    }
  }
  if (cannotGenerate.length > 0) {
    throw new UserError(
      `${cannotGenerate.length} condition x model pair${cannotGenerate.length === 1 ? ' needs' : 's need'} text generation, which the model's backend cannot do:\n${cannotGenerate.join('\n')}`,
      study.file,
    );
  }
  const problems: string[] = [];
  for (const model of models) {
    const refused = study.conditions.filter((c) => requiredKind(c.method, model.capabilities) === null);
    if (refused.length === 0) continue;
    const gives = model.capabilities.nextToken ? 'gives only next-token log-probs' : 'gives no log-probs';
    for (const c of refused)
      problems.push(
        `  condition "${c.name}" (${c.method} scoring) x model "${model.name}" (backend ${model.backend}, which ${gives})`,
      );
  }
  if (problems.length === 0) return;
  throw new UserError(
    `${problems.length} condition x model pair${problems.length === 1 ? ' needs' : 's need'} log-likelihoods of whole answers, which the model's backend cannot compute:\n` +
      problems.join('\n') +
      '\nWhat would work: score these models with `scoring: symbol` (next-token log-probs are enough), ' +
      'or serve them from a backend that returns prompt log-probs (gguf, openai-completions on vLLM or SGLang, tgi).',
    study.file,
  );
}
