/**
 * How a benchmark format is declared: the schema of its `benchmark:` section (discriminated by
 * `format`) and how it loads items. Each `defineBenchmarkFormat` registers one (built-ins:
 * benchmarks/formats.ts); the study schema's benchmark section is built from this registry.
 */
import { z } from 'zod';
import { UserError } from '../core/errors.js';
import { Registry } from '../core/registry.js';
import type { BadRows, FormatLoad } from './rows.js';

export interface FormatContext {
  /** Folder that relative paths resolve against (the study file's). */
  baseDir: string;
  /** Hub downloads from the cache only. */
  offline?: boolean;
  log?: (line: string) => void;
  /** A path of the study file: `${GOODHART_SHARED}` expanded, resolved against baseDir. */
  resolvePath(p: string): string;
  /** Collects rows left out under `onBadRow: skip` (and throws under `error`). */
  bad: BadRows;
}

export interface BenchmarkFormatDefinition {
  name: string;
  /** The whole section, `format` included; built anew when the registries change. */
  schema(): z.ZodType;
  load(spec: unknown, ctx: FormatContext): Promise<FormatLoad>;
}

export const benchmarkFormatRegistry = new Registry<BenchmarkFormatDefinition>('benchmark format');

/**
 * Registers a format and returns it. `schema` is a strict z.object whose `format` key is
 * `z.literal(name)`, or a function building it when it depends on another registry.
 */
export function defineBenchmarkFormat<S extends z.ZodType<{ format?: string }>>(definition: {
  name: string;
  schema: S | (() => S);
  load(spec: z.output<S>, ctx: FormatContext): Promise<FormatLoad>;
}): BenchmarkFormatDefinition {
  const { name, schema, load } = definition;
  const build = typeof schema === 'function' ? (schema as () => S) : () => schema;
  const format = (build() as unknown as z.ZodObject).shape?.format;
  if (!format || !format.safeParse(name).success)
    throw new UserError(`benchmark format "${name}": its schema needs format: z.literal('${name}')`);
  return benchmarkFormatRegistry.add({ name, schema: build, load: load as BenchmarkFormatDefinition['load'] });
}
