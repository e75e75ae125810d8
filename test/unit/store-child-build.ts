import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Node 20 cannot run TypeScript: transpile a crash-test child script (a path from the project
 * root) and src/store into `workDir/build`; returns the child's runnable path.
 */
export function buildStoreChild(workDir: string, childSource: string): string {
  const buildDir = path.join(workDir, 'build');
  const sources = [
    childSource,
    ...fs.readdirSync(path.join(projectRoot, 'src/store')).filter((name) => name.endsWith('.ts')).map((name) => `src/store/${name}`),
  ];
  for (const source of sources) {
    const { outputText } = ts.transpileModule(fs.readFileSync(path.join(projectRoot, source), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
      fileName: source,
    });
    const target = path.join(buildDir, source.replace(/\.ts$/, '.js'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, outputText);
  }
  fs.writeFileSync(path.join(buildDir, 'package.json'), '{"type":"module"}');
  fs.symlinkSync(path.join(projectRoot, 'node_modules'), path.join(buildDir, 'node_modules'));
  return path.join(buildDir, childSource.replace(/\.ts$/, '.js'));
}
