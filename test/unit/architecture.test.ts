/**
 * The house's import rules (README, "How it is built"): http/ on top, then operations/, auth/,
 * store/, and s3/ (the shared vocabulary) at the bottom; no import circles; no two folders that
 * import each other. Read from the sources with TypeScript's parser, so that comments and strings
 * that look like imports do not count, and type-only imports do (they are dependencies of the
 * published declarations too).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** One import statement of a file under src/; paths are relative to src/, `/`-separated. */
interface Import {
  from: string;
  line: number;
  specifier: string;
  /** The src/ file a relative specifier names (`.js` → `.ts`, `.cjs` → `.cts`, `.mjs` → `.mts`); unset for packages. */
  target?: string;
  /** The npm package (or Node builtin) a bare specifier names; unset for relative ones. */
  package?: string;
}

function sourceFiles(dir = ''): string[] {
  return readdirSync(SRC + dir, { withFileTypes: true }).flatMap((entry) => {
    const path = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.[cm]?ts$/.test(entry.name) && !/\.d\.[cm]?ts$/.test(entry.name) ? [path] : [];
  });
}

/** Every module specifier `file` names: `import … from`, `export … from`, `import x = require()`, `import()` and `require()` with a literal, `import('…')` types. */
function specifiersOf(file: string): Array<{ specifier: string; line: number }> {
  const source = ts.createSourceFile(file, readFileSync(SRC + file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Array<{ specifier: string; line: number }> = [];
  const add = (node: ts.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node)) {
      found.push({ specifier: node.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isExternalModuleReference(node)) add(node.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    else if (ts.isCallExpression(node) && node.arguments.length >= 1) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) add(node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const FILES = sourceFiles().sort();
const KNOWN = new Set(FILES);
const SOURCE_EXTENSION: Record<string, string> = { '.js': '.ts', '.cjs': '.cts', '.mjs': '.mts' };

const IMPORTS: Import[] = FILES.flatMap((from) =>
  specifiersOf(from).map(({ specifier, line }): Import => {
    if (specifier.startsWith('.')) {
      const named = posix.normalize(posix.join(posix.dirname(from), specifier));
      const extension = posix.extname(named);
      const target = named.slice(0, named.length - extension.length) + (SOURCE_EXTENSION[extension] ?? extension);
      return { from, line, specifier, target };
    }
    const bare = specifier.replace(/^node:/, '');
    const parts = bare.split('/');
    const name = bare.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
    return { from, line, specifier, package: specifier.startsWith('node:') ? `node:${name}` : name };
  }),
);

/** The top-level folder of src/ a path is in; undefined for the files at src/'s top. */
const folderOf = (path: string): string | undefined => (path.includes('/') ? path.split('/')[0] : undefined);
const isBuiltin = (pkg: string): boolean => pkg.startsWith('node:') || builtinModules.includes(pkg);
const show = (i: Import): string => `src/${i.from}:${i.line} imports '${i.specifier}'`;

/** The src/ files each file imports (relative imports only). */
const GRAPH = new Map<string, string[]>(FILES.map((file) => [file, []]));
for (const i of IMPORTS) if (i.target && KNOWN.has(i.target) && !GRAPH.get(i.from)!.includes(i.target)) GRAPH.get(i.from)!.push(i.target);

/** Strongly connected components of size > 1 or with a self-import (Tarjan): each is at least one circle. */
function circularComponents(): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of GRAPH.get(file)!) {
      if (!index.has(next)) {
        connect(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1 || GRAPH.get(file)!.includes(file)) components.push(component.sort());
    }
  };
  for (const file of FILES) if (!index.has(file)) connect(file);
  return components;
}

/** A shortest circle through `start` inside `members` (breadth-first), as `a → b → … → a`. */
function circleThrough(start: string, members: Set<string>): string {
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const file = queue.shift()!;
    for (const next of GRAPH.get(file)!) {
      if (!members.has(next)) continue;
      if (next === start) {
        const chain = [file];
        while (chain[0] !== start) chain.unshift(previous.get(chain[0])!);
        return [...chain, start].map((f) => `src/${f}`).join(' → ');
      }
      if (!previous.has(next)) {
        previous.set(next, file);
        queue.push(next);
      }
    }
  }
  throw new Error(`no circle through ${start}`);
}

/** The imports from files under `folder` that `forbidden` says no to, one line each. */
function forbiddenImports(folder: string, forbidden: (i: Import) => boolean): string[] {
  return IMPORTS.filter((i) => folderOf(i.from) === folder && forbidden(i)).map(show);
}

const under = (i: Import, ...folders: string[]): boolean => i.target !== undefined && folders.includes(folderOf(i.target) ?? '');

describe('architecture: the import rules of src/', () => {
  it('reads the imports it checks: every relative import names a file of src/', () => {
    expect(FILES.length).toBeGreaterThan(50);
    expect(GRAPH.get('http/app.ts')!.length).toBeGreaterThan(5);
    expect(IMPORTS.filter((i) => i.target !== undefined && !KNOWN.has(i.target)).map(show)).toEqual([]);
  });

  it('has no import circle between files', () => {
    const circles = circularComponents().map(
      (component) => `${circleThrough(component[0], new Set(component))}  (circle of ${component.length} files: ${component.join(', ')})`,
    );
    expect(circles).toEqual([]);
  });

  it('has no two top-level folders importing each other', () => {
    const witness = new Map<string, Import>();
    for (const i of IMPORTS) {
      const from = folderOf(i.from);
      const to = i.target === undefined ? undefined : folderOf(i.target);
      if (from && to && from !== to && !witness.has(`${from}→${to}`)) witness.set(`${from}→${to}`, i);
    }
    const pairs: string[] = [];
    for (const [edge, i] of witness) {
      const [from, to] = edge.split('→');
      const back = witness.get(`${to}→${from}`);
      if (back && from < to) pairs.push(`${from}/ ⇄ ${to}/: ${show(i)}; ${show(back)}`);
    }
    expect(pairs).toEqual([]);
  });

  it('src/s3/ (the bottom) imports nothing outside src/s3/, and no npm package but saxes (XML)', () => {
    expect(
      forbiddenImports('s3', (i) => (i.target !== undefined ? folderOf(i.target) !== 's3' : !isBuiltin(i.package!) && i.package !== 'saxes')),
    ).toEqual([]);
  });

  it('src/operations/ imports neither koa, @koa/router nor anything under src/http/', () => {
    expect(forbiddenImports('operations', (i) => i.package === 'koa' || i.package === '@koa/router' || under(i, 'http'))).toEqual([]);
  });

  it('src/operations/ reach the store through its interface: only store/types.ts, in-memory-body.ts and storage-fault.ts (no SQLite)', () => {
    const STORE_INTERFACE = ['store/types.ts', 'store/in-memory-body.ts', 'store/storage-fault.ts'];
    expect(forbiddenImports('operations', (i) => under(i, 'store') && !STORE_INTERFACE.includes(i.target!))).toEqual([]);
  });

  it('src/store/ imports nothing from src/auth/, src/operations/ or src/http/', () => {
    expect(forbiddenImports('store', (i) => under(i, 'auth', 'operations', 'http'))).toEqual([]);
  });

  it('src/auth/ imports nothing from src/operations/ or src/http/', () => {
    expect(forbiddenImports('auth', (i) => under(i, 'operations', 'http'))).toEqual([]);
  });
});
