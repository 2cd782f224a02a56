/**
 * The repository's import graph, read with the TypeScript compiler's parser:
 * every relative module reference of every .ts/.js file — `import`/`export …
 * from`, `import type`, `import('./x.ts')`, type positions `import('./x.ts').T`,
 * and module files named by URL (`new URL('./worker.ts', import.meta.url)`,
 * `siblingModule('./worker.ts', import.meta.url)`, which is how workers and
 * data folders are reached). Package specifiers are not edges.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import ts from 'typescript';

export interface ImportEdge {
  /** Repo-relative path of the importing file (`/`-separated). */
  from: string;
  /** Repo-relative path of what it names (a file, or a folder for `new URL('../sql/', …)`). */
  to: string;
  /**
   * How: `import`, `export`, `import()`, `url` load the module when this file
   * runs; `import type`, `export type` (whole declarations, and `import('./x').T`
   * in types) are erased before it runs.
   */
  kind: 'import' | 'export' | 'import()' | 'url' | 'import type' | 'export type';
}

/** Folders that are not source: dependencies, outputs, data. */
const SKIP = new Set(['node_modules', 'dist', 'data', '.git', '.salesflow', 'coverage']);

/** Every .ts/.js file under `root` (repo-relative, `/`-separated), minus SKIP folders and dotfiles. */
export function sourceFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      if (e.name.startsWith('.') || SKIP.has(e.name)) continue;
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) walk(rel);
      else if (/\.(ts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

/** The relative module references in one file's text. */
export function importsOf(file: string, text: string): ImportEdge[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const edges: ImportEdge[] = [];
  const add = (specifier: string, kind: ImportEdge['kind']) => {
    if (!specifier.startsWith('./') && !specifier.startsWith('../') && specifier !== '.' && specifier !== '..') return;
    // `sql/examples/` and `sql/examples` are one place; the repository root is `.`.
    const to = posix.normalize(posix.join(posix.dirname(file), specifier)).replace(/(.)\/+$/, '$1');
    edges.push({ from: file, to: to === './' ? '.' : to, kind });
  };
  const literal = (node: ts.Node | undefined): string | undefined =>
    node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const spec = literal(node.moduleSpecifier);
      if (spec !== undefined) add(spec, node.importClause?.isTypeOnly ? 'import type' : 'import');
    } else if (ts.isExportDeclaration(node)) {
      const spec = literal(node.moduleSpecifier);
      if (spec !== undefined) add(spec, node.isTypeOnly ? 'export type' : 'export');
    } else if (ts.isImportTypeNode(node)) {
      const arg = node.argument;
      const spec = ts.isLiteralTypeNode(arg) ? literal(arg.literal) : undefined;
      if (spec !== undefined) add(spec, 'import type');
    } else if (ts.isCallExpression(node)) {
      const spec = literal(node.arguments[0]);
      if (node.expression.kind === ts.SyntaxKind.ImportKeyword && spec !== undefined) add(spec, 'import()');
      // siblingModule('./worker.ts', import.meta.url) and friends: a module named relative to this file.
      else if (spec !== undefined && isImportMetaUrl(node.arguments[1])) add(spec, 'url');
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'URL') {
      const spec = literal(node.arguments?.[0]);
      if (spec !== undefined && isImportMetaUrl(node.arguments?.[1])) add(spec, 'url');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

function isImportMetaUrl(node: ts.Node | undefined): boolean {
  return (
    node !== undefined &&
    ts.isPropertyAccessExpression(node) &&
    node.name.text === 'url' &&
    ts.isMetaProperty(node.expression) &&
    node.expression.keywordToken === ts.SyntaxKind.ImportKeyword
  );
}

/** Parsed files, by path and text: checks over many variants of the repository parse each file once. */
const parsed = new Map<string, { text: string; edges: ImportEdge[] }>();

/** Every edge of the files given as path → text. */
export function importGraph(files: ReadonlyMap<string, string>): ImportEdge[] {
  return [...files].flatMap(([file, text]) => {
    const hit = parsed.get(file);
    if (hit?.text === text) return hit.edges;
    const edges = importsOf(file, text);
    parsed.set(file, { text, edges });
    return edges;
  });
}

/** Whether the edge loads the module at run time (not erased with the types). */
export function loadsAtRunTime(edge: ImportEdge): boolean {
  return edge.kind !== 'import type' && edge.kind !== 'export type';
}

/** The repository's files as path → text. */
export function readSources(root: string): Map<string, string> {
  return new Map(sourceFiles(root).map((f) => [f, readFileSync(join(root, f), 'utf8')]));
}

/** The top-level folder of a repo-relative path (`''` for a file at the root or the root itself). */
export function topFolder(path: string): string {
  const parts = path.split('/');
  return parts.length > 1 ? parts[0] : '';
}

/** Strongly connected components of more than one node (or a node that imports itself): the cycles. */
export function cycles(edges: readonly { from: string; to: string }[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) {
    if (!next.has(e.from)) next.set(e.from, new Set());
    next.get(e.from)?.add(e.to);
    if (!next.has(e.to)) next.set(e.to, new Set());
  }
  // Tarjan's algorithm, iteration order fixed so the report is stable.
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const strongConnect = (v: string) => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of [...(next.get(v) ?? [])].sort()) {
      if (!indices.has(w)) {
        strongConnect(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, indices.get(w) as number));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next.get(v)?.has(v)) found.push(component.sort());
    }
  };
  for (const v of [...next.keys()].sort()) if (!indices.has(v)) strongConnect(v);
  return found;
}
