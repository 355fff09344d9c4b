import { UserError } from '../core/errors.js';
import { sharedDir } from '../core/paths.js';

/** `${NAME}`, or `$${` for a literal `${`. */
const VARIABLE = /\$\$\{|\$\{([^}]*)\}/g;
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Expand `${NAME}` from the environment in every string of a parsed study file (keys apart).
 * `${GOODHART_SHARED}` defaults to the shared data folder. An unset variable, an empty name or
 * one with other characters is an error naming the variable and where it is (`where(path)`).
 */
export function expandVariables(
  value: unknown,
  where: (keyPath: (string | number)[]) => string,
  keyPath: (string | number)[] = [],
): unknown {
  if (typeof value === 'string') return expandString(value, () => where(keyPath));
  if (Array.isArray(value)) return value.map((v, i) => expandVariables(v, where, [...keyPath, i]));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    // defineProperty keeps a key such as __proto__ an own key (to be refused as unknown), as YAML parsing did.
    for (const [k, v] of Object.entries(value))
      Object.defineProperty(out, k, {
        value: expandVariables(v, where, [...keyPath, k]),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return out;
  }
  return value;
}

function expandString(text: string, where: () => string): string {
  if (!text.includes('${')) return text;
  return text.replace(VARIABLE, (match, name: string | undefined) => {
    if (name === undefined) return '${';
    if (!NAME.test(name))
      throw new UserError(
        `"${match}" is not a variable: a name is letters, digits and _ (write $\${ for a literal \${)`,
        where(),
      );
    if (name === 'GOODHART_SHARED') return sharedDir();
    const got = process.env[name];
    if (got === undefined)
      throw new UserError(`environment variable ${name} is not set (used as \${${name}})`, where());
    return got;
  });
}
