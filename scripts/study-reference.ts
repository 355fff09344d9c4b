// Writes docs/study-file.md, the study-file reference, from the committed JSON Schema
// (schema/study.schema.json, itself written by `goodhart schema`). `npm run docs` runs it; a test fails
// when the committed page differs from what this script renders.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The subset of JSON Schema (draft 2020-12) the study schema uses; anything else is shown as `any`. */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  pattern?: string;
  format?: string;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
  definitions?: Record<string, JsonSchema>;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const schemaFile = path.join(repoRoot, 'schema', 'study.schema.json');
export const referenceFile = path.join(repoRoot, 'docs', 'study-file.md');

/**
 * Where each section's keys are explained in words, by section heading. The schema carries no prose yet; a
 * `description` it gains is printed too. A heading that no longer exists fails the reference's test.
 */
export const SECTION_NOTES: Record<string, string> = {
  benchmark:
    'The items to ask: a local file or folder in one of the formats below, or a Hub dataset by recipe ' +
    '(see [Benchmarks and the Hub](benchmarks.md)).',
  'benchmark (format: hf)':
    "A benchmark on the Hugging Face Hub by recipe, a dataset reference or local files in the Hub's layout: " +
    'see [Benchmarks by recipe](benchmarks.md#benchmarks-by-recipe).',
  models: 'The panel of models, one entry per model; `backend` picks the kind (see [Backends](backends.md)).',
  'models (backend: gguf)':
    '`path` may be a Hub reference (`hf:<owner>/<repo>/<file>.gguf`, `hf:<owner>/<repo>:<quant>`); `threads`, ' +
    '`precise` and `sequences` are explained in [GGUF models](backends.md#gguf-models-backend-gguf).',
  'models (backend: openai-completions)': 'What every server option means: [Backends](backends.md#options).',
  'models (backend: sim)': 'What every parameter of the simulator means: [Simulated models](simulation.md).',
  conditions:
    'The grid: each condition is a scoring method with a chain of perturbations ' +
    '(see [Concepts](concepts.md#condition), [Scoring methods](concepts.md#scoring-methods), ' +
    '[Perturbations](concepts.md#perturbations), [Roles](concepts.md#roles-and-the-baseline) and ' +
    '[Published protocols](protocols.md)).',
  'conditions.generation': 'For `scoring: generate`: see [Generative scoring](generative.md).',
  probes: 'The Min-K% Prob memorization probe: see [Probes](concepts.md#probes).',
};

/** Numbers beyond these bounds are the schema's way of saying "any safe integer": not worth printing. */
const SAFE = Number.MAX_SAFE_INTEGER;

interface Section {
  title: string;
  path: string;
  schema: JsonSchema;
}

/** GitHub's heading anchor: lower case, punctuation dropped, spaces as hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .replace(/`/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

const code = (value: unknown): string => '`' + (typeof value === 'string' ? value : JSON.stringify(value)) + '`';

/** A property that every variant of a oneOf fixes to a constant (`format`, `backend`): it names the variants. */
function discriminator(variants: JsonSchema[]): string | undefined {
  const first = variants[0]?.properties ?? {};
  return Object.keys(first).find((key) => variants.every((v) => v.properties?.[key]?.const !== undefined));
}

function isObjectWithProperties(schema: JsonSchema): boolean {
  return schema.properties !== undefined && Object.keys(schema.properties).length > 0;
}

class Renderer {
  private readonly sections: Section[] = [];

  constructor(private readonly root: JsonSchema) {}

  /** The schema a `$ref` points to (`#/$defs/…` or `#/definitions/…`), with the referring schema's own keys kept. */
  private resolve(schema: JsonSchema): JsonSchema {
    if (schema.$ref === undefined) return schema;
    const [, group, name] = /^#\/(\$defs|definitions)\/(.+)$/.exec(schema.$ref) ?? [];
    const target =
      group === undefined ? undefined : (group === '$defs' ? this.root.$defs : this.root.definitions)?.[name];
    if (!target) throw new Error(`unresolvable $ref ${schema.$ref} in ${schemaFile}`);
    const { $ref: _ref, ...own } = schema;
    return this.resolve({ ...target, ...own });
  }

  /** Queues a section for an object schema (once per distinct schema) and returns a link to it. */
  private section(wanted: string, keyPath: string, schema: JsonSchema, parent: string): string {
    const json = JSON.stringify(schema);
    const same = this.sections.find((s) => s.path === keyPath && JSON.stringify(s.schema) === json);
    let title = same?.title ?? wanted;
    if (!same) {
      if (this.sections.some((s) => s.title === title)) title = `${wanted} in ${parent}`;
      this.sections.push({ title, path: keyPath, schema });
    }
    return `[object](#${headingAnchor(title)})`;
  }

  private bounds(schema: JsonSchema, unit: string): string[] {
    const out: string[] = [];
    if (schema.minimum !== undefined && Math.abs(schema.minimum) < SAFE) out.push(`≥ ${schema.minimum}${unit}`);
    if (schema.exclusiveMinimum !== undefined) out.push(`> ${schema.exclusiveMinimum}${unit}`);
    if (schema.maximum !== undefined && Math.abs(schema.maximum) < SAFE) out.push(`≤ ${schema.maximum}${unit}`);
    if (schema.exclusiveMaximum !== undefined) out.push(`< ${schema.exclusiveMaximum}${unit}`);
    return out;
  }

  /** A one-line description of a value's type and constraints, for a table cell. */
  type(raw: JsonSchema, keyPath: string, parent: string): string {
    const schema = this.resolve(raw);
    if (schema.const !== undefined) return code(schema.const);
    if (schema.enum) return schema.enum.map(code).join(' \\| ');
    const variants = schema.oneOf ?? schema.anyOf;
    if (variants) {
      const key = discriminator(variants);
      const objects = variants.filter((v) => isObjectWithProperties(this.resolve(v))).length;
      return variants
        .map((v, i) => {
          const variant = this.resolve(v);
          if (!isObjectWithProperties(variant)) return this.type(variant, keyPath, parent);
          if (!key && objects === 1) return this.section(keyPath, keyPath, variant, parent);
          const name = key ? `${key}: ${String(variant.properties![key].const)}` : `form ${i + 1}`;
          return this.section(`${keyPath} (${name})`, keyPath, variant, parent).replace('[object]', `[${name}]`);
        })
        .join(' or ');
    }
    const type = Array.isArray(schema.type) ? schema.type.join(' or ') : schema.type;
    const limits: string[] = [];
    let shown: string;
    switch (type) {
      case 'array': {
        const items = schema.items ? this.type(schema.items, keyPath, parent) : 'any';
        const size: string[] = [];
        if (schema.minItems !== undefined && schema.minItems > 0) size.push(`at least ${schema.minItems}`);
        if (schema.maxItems !== undefined) size.push(`at most ${schema.maxItems}`);
        const of = items.includes(' or ') ? `(${items})` : items;
        return size.length > 0 ? `list (${size.join(', ')}) of ${of}` : `list of ${of}`;
      }
      case 'object':
        if (isObjectWithProperties(schema)) return this.section(keyPath, keyPath, schema, parent);
        if (typeof schema.additionalProperties === 'object') {
          const keys = schema.propertyNames?.enum ? schema.propertyNames.enum.map(code).join(' \\| ') : 'name';
          shown = `map of ${keys} → ${this.type(schema.additionalProperties, `${keyPath}.*`, parent)}`;
        } else if (schema.propertyNames?.enum) {
          shown = `object with one key of ${schema.propertyNames.enum.map(code).join(' \\| ')}`;
        } else {
          shown = 'object';
        }
        if (schema.maxProperties === 1) limits.push('exactly one key');
        break;
      case 'string':
        shown = schema.format === 'uri' ? 'URL' : 'string';
        if (schema.minLength !== undefined && schema.minLength > 0) limits.push('non-empty');
        if (schema.maxLength !== undefined) limits.push(`at most ${schema.maxLength} characters`);
        if (schema.pattern !== undefined) limits.push(`matching ${code(schema.pattern)}`);
        break;
      case 'integer':
      case 'number':
        shown = type;
        limits.push(...this.bounds(schema, ''));
        break;
      default:
        shown = type ?? 'any';
    }
    return limits.length > 0 ? `${shown} (${limits.join(', ')})` : shown;
  }

  private table(section: Section): string[] {
    const lines: string[] = [`## ${section.title}`, ''];
    const firstOfPath = this.sections.find((s) => s.path === section.path) === section;
    const note = SECTION_NOTES[section.title] ?? (firstOfPath ? SECTION_NOTES[section.path] : undefined);
    if (note) lines.push(note, '');
    if (section.schema.description) lines.push(section.schema.description, '');
    const required = new Set(section.schema.required ?? []);
    const rows = Object.entries(section.schema.properties ?? {}).map(([key, raw]) => {
      const child = this.resolve(raw);
      const keyPath = section.path ? `${section.path}.${key}` : key;
      const description = child.description ?? raw.description ?? child.items?.description ?? '';
      return [
        code(key),
        this.type(child, keyPath, section.title),
        required.has(key) ? 'yes' : '',
        child.default === undefined ? '' : code(child.default),
        description.replace(/\|/g, '\\|').replace(/\n/g, ' '),
      ];
    });
    // A description column only where the schema describes some key.
    const columns = rows.some((row) => row[4] !== '') ? 5 : 4;
    lines.push(`| ${['key', 'type', 'required', 'default', 'description'].slice(0, columns).join(' | ')} |`);
    lines.push(`|${'---|'.repeat(columns)}`);
    for (const row of rows) lines.push(`| ${row.slice(0, columns).join(' | ')} |`);
    if (section.schema.additionalProperties === false) lines.push('', 'Any other key is an error.');
    lines.push('');
    return lines;
  }

  render(): string {
    const lines = [
      '# Study file reference',
      '',
      '<!-- Generated by scripts/study-reference.ts from schema/study.schema.json: run `npm run docs`, do not edit. -->',
      '',
      `Every key a study file (YAML or JSON) may hold, with its type, whether it is required and its default, as`,
      'the study schema checks them. What the keys mean is explained in [Concepts](concepts.md); an annotated',
      'example is in [the README](../README.md#quick-start) and in `examples/`. `goodhart schema` prints the same',
      'schema for editor completion and validation.',
      '',
      'Unknown keys and bad values are errors naming the key path and line; an unknown key comes first, with the',
      'known key it most likely misspells. `${NAME}` in any string is replaced by the environment variable',
      '(`${GOODHART_SHARED}` defaults to the shared data folder; `$${` is a literal `${`); an unset variable is an',
      'error naming it.',
      '',
    ];
    this.sections.push({ title: 'Top level', path: '', schema: this.root });
    for (let i = 0; i < this.sections.length; i++) lines.push(...this.table(this.sections[i]));
    return lines.join('\n');
  }
}

/** The reference page for a study JSON Schema. */
export function renderStudyReference(schema: JsonSchema): string {
  return new Renderer(schema).render();
}

export function readStudySchema(): JsonSchema {
  return JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as JsonSchema;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  fs.writeFileSync(referenceFile, renderStudyReference(readStudySchema()));
  process.stdout.write(`wrote ${path.relative(process.cwd(), referenceFile)}\n`);
}
