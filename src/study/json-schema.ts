import { z } from 'zod';
import { PERTURBATION_NAMES } from '../perturbations/registry.js';
import { studySchema } from './schema.js';

/** JSON Schema of the study file, for editors (YAML language server, VS Code). */
export function studyJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(studySchema, {
    io: 'input',
    unrepresentable: 'any',
    override: (ctx) => {
      // Perturbation entries are validated in code; describe their shape for completion.
      if ((ctx.zodSchema as { _zod?: { def?: { type?: string } } })._zod?.def?.type === 'custom') {
        Object.assign(ctx.jsonSchema, {
          description: `a perturbation: a name, or {name: {args}}; one of ${PERTURBATION_NAMES.join(', ')}`,
          anyOf: [
            { type: 'string', enum: [...PERTURBATION_NAMES] },
            { type: 'object', minProperties: 1, maxProperties: 1, propertyNames: { enum: [...PERTURBATION_NAMES] } },
          ],
        });
      }
    },
  }) as Record<string, unknown>;
  return { ...schema, title: 'goodhart study file' };
}
