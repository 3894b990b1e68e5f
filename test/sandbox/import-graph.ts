import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";

/** One relative import of a source file, as TypeScript's parser reads it. */
export interface ImportEdge {
  /** Absolute path of the imported `.ts` file. */
  target: string;
  /** `import type`, `export type`, or named imports that are all `type`: erased at run time. */
  typeOnly: boolean;
  /** `await import("...")`: loaded when that code runs, not when the importer loads. */
  dynamic: boolean;
}

/** Every `.ts` file under `root` with its relative imports (package imports are left out). */
export function importGraph(root: string): Map<string, ImportEdge[]> {
  const graph = new Map<string, ImportEdge[]>();
  for (const file of tsFiles(resolve(root))) graph.set(file, importsOf(file));
  return graph;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith(".ts") && !path.endsWith(".d.ts") ? [path] : [];
  });
}

function importsOf(file: string): ImportEdge[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.ES2022, true);
  const edges: ImportEdge[] = [];
  const add = (specifier: ts.Expression | undefined, typeOnly: boolean, dynamic: boolean) => {
    if (!specifier || !ts.isStringLiteral(specifier) || !specifier.text.startsWith(".")) return;
    edges.push({ target: resolve(dirname(file), specifier.text.replace(/\.js$/, ".ts")), typeOnly, dynamic });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const named = clause?.namedBindings;
      const allNamedTypes =
        clause !== undefined &&
        clause.name === undefined &&
        named !== undefined &&
        ts.isNamedImports(named) &&
        named.elements.length > 0 &&
        named.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, clause?.phaseModifier === ts.SyntaxKind.TypeKeyword || allNamedTypes, false);
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause;
      const allNamedTypes =
        named !== undefined && ts.isNamedExports(named) && named.elements.length > 0 && named.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, node.isTypeOnly || allNamedTypes, false);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** Files reachable from `entries` through static imports (type-only ones too, unless `runtimeOnly`). */
export function reachable(graph: Map<string, ImportEdge[]>, entries: string[], runtimeOnly = false): Set<string> {
  const seen = new Set<string>();
  const stack = entries.map((e) => resolve(e));
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const e of graph.get(file) ?? []) if (!e.dynamic && !(runtimeOnly && e.typeOnly)) stack.push(e.target);
  }
  return seen;
}

/** Import cycles (strongly connected components of more than one file, or a file importing itself). */
export function cycles(graph: Map<string, ImportEdge[]>, root: string): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let counter = 0;
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const { target: w } of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(relative(root, w));
    } while (w !== v);
    const selfLoop = graph.get(v)?.some((e) => e.target === v) ?? false;
    if (component.length > 1 || selfLoop) out.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) connect(v);
  return out;
}
