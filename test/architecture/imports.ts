// Reads every import of a TypeScript source tree (static, type-only, re-exports, dynamic import() and
// import('…') types) and checks it against a layer map: no folder may import a higher layer, and no
// two files may import each other, directly or through others.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  from: string; // path relative to the root, with '/' separators
  to: string;
  line: number;
}

export interface LayerMap {
  /** Layers from the bottom up; each lists the top-level folders (or root files) it holds. */
  layers: readonly (readonly string[])[];
}

export interface Violations {
  upward: string[];
  cycles: string[];
  unmapped: string[];
}

/** Files as path → source text, paths relative to the source root with '/' separators. */
export function readTree(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|tsx|mts)$/.test(entry.name))
        files.set(relative(root, full).split(sep).join('/'), readFileSync(full, 'utf8'));
    }
  };
  walk(root);
  return files;
}

function specifiers(path: string, text: string): { specifier: string; line: number }[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: { specifier: string; line: number }[] = [];
  const add = (node: ts.Node, literal: ts.Node | undefined): void => {
    if (literal && ts.isStringLiteralLike(literal)) {
      found.push({
        specifier: literal.text,
        line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1,
      });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      add(node, node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Resolves a relative specifier ('./x.js', '../a/b.ts', './dir/index.js') to a file of the tree. */
function resolve(from: string, specifier: string, files: Map<string, string>): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const target = posix.normalize(posix.join(posix.dirname(from), specifier));
  const stem = target.replace(/\.(js|mjs|ts|mts)$/, '');
  for (const candidate of [target, `${stem}.ts`, `${stem}.mts`, `${stem}.d.ts`, `${stem}/index.ts`]) {
    if (files.has(candidate)) return candidate;
  }
  return undefined;
}

export function importEdges(files: Map<string, string>): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const [path, text] of files) {
    for (const { specifier, line } of specifiers(path, text)) {
      const to = resolve(path, specifier, files);
      if (to !== undefined) edges.push({ from: path, to, line });
    }
  }
  return edges;
}

/** The layer holding a file: its top-level folder, or the file itself for files at the root. */
function unitOf(path: string): string {
  const slash = path.indexOf('/');
  return slash < 0 ? path : path.slice(0, slash);
}

/** Strongly connected components with more than one file (or a file importing itself), Tarjan's algorithm. */
function cycles(edges: ImportEdge[]): string[][] {
  const next = new Map<string, string[]>();
  for (const edge of edges) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;
  const connect = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const to of next.get(node) ?? []) {
      if (!index.has(to)) {
        connect(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (next.get(node) ?? []).includes(node)) components.push(component.sort());
    }
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) connect(node);
  return components;
}

/** Every upward import, every import cycle and every file outside the layer map, as printable lines. */
export function checkLayers(files: Map<string, string>, map: LayerMap, root = 'src'): Violations {
  const rank = new Map<string, number>();
  map.layers.forEach((units, level) => units.forEach((unit) => rank.set(unit, level)));
  const edges = importEdges(files);
  const upward = edges
    .filter((edge) => {
      const from = rank.get(unitOf(edge.from));
      const to = rank.get(unitOf(edge.to));
      return from !== undefined && to !== undefined && to > from;
    })
    .map(
      (edge) =>
        `${root}/${edge.from}:${edge.line} imports ${root}/${edge.to} (${unitOf(edge.from)} is below ${unitOf(edge.to)})`,
    );
  const cycleLines = cycles(edges).map((component) => {
    const members = new Set(component);
    const inside = edges.filter((edge) => members.has(edge.from) && members.has(edge.to));
    return `cycle of ${component.length} files:\n${inside.map((edge) => `  ${root}/${edge.from}:${edge.line} imports ${root}/${edge.to}`).join('\n')}`;
  });
  const unmapped = [...new Set([...files.keys()].map(unitOf))]
    .filter((unit) => !rank.has(unit))
    .map((unit) => `${root}/${unit} is in no layer`);
  return { upward, cycles: cycleLines, unmapped };
}
