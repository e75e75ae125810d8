import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Node 20 cannot run TypeScript: transpile a crash-test child script (a path from the project
 * root), src/store and the vocabulary it stands on (src/s3) into `workDir/build`; returns the
 * child's runnable path.
 */
export function buildStoreChild(workDir: string, childSource: string): string {
  const buildDir = path.join(workDir, 'build');
  const sources = [
    childSource,
    ...['src/store', 'src/s3'].flatMap((folder) =>
      fs.readdirSync(path.join(projectRoot, folder)).filter((name) => name.endsWith('.ts')).map((name) => `${folder}/${name}`),
    ),
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

/**
 * Runs a crash-test child until it has printed `count` lines starting with `ackPrefix`, then
 * SIGKILLs it; returns every line it printed, including those still in the pipe at the kill
 * (they were acknowledged too).
 */
export async function runChildUntilKilled(childScript: string, args: string[], ackPrefix: string, count: number): Promise<string[]> {
  const child = spawn(process.execPath, [childScript, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let stderr = '';
  let pending = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const parts = (pending + chunk.toString()).split('\n');
      pending = parts.pop() ?? '';
      lines.push(...parts);
      if (lines.filter((line) => line.startsWith(ackPrefix)).length >= count) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', () => reject(new Error(`child exited before it was killed: ${stderr}`)));
  });
  const signal = await exited;
  if (signal !== 'SIGKILL') throw new Error(`child ended by ${signal}, not SIGKILL`);
  await new Promise<void>((resolve) => (child.stdout.readableEnded ? resolve() : child.stdout.on('end', resolve)));
  if (pending !== '') lines.push(pending);
  return lines.filter((line) => line.length > 0);
}
