import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const NODE_MODULES_BIN = join(REPO, 'node_modules', '.bin');

/** The recipe project's directory. */
export function recipeDir(name: string): string {
  return fileURLToPath(new URL(name, import.meta.url));
}

/**
 * For the test file's duration, makes the recipe project see this repository as its installed
 * `smll-storage` package (as `npm install -D smll-storage` would): `node_modules/smll-storage`
 * and `node_modules/.bin/smll-storage`, removed again afterwards (a link back to the repository
 * root is a loop for tools that walk the tree). Its other dependencies (vitest, jest, the AWS SDK)
 * resolve from the repository's node_modules above it.
 */
export function useLinkedPackage(dir: string): void {
  const modules = join(dir, 'node_modules');
  beforeAll(() => {
    mkdirSync(join(modules, '.bin'), { recursive: true });
    for (const [link, target] of [
      [join(modules, 'smll-storage'), REPO],
      [join(modules, '.bin', 'smll-storage'), join(REPO, 'bin', 'smll-storage.js')],
    ]) {
      rmSync(link, { force: true });
      symlinkSync(target, link);
    }
  });
  afterAll(() => rmSync(modules, { recursive: true, force: true }));
}

export interface RecipeRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stdout and stderr interleaved, for assertions and failure messages. */
  output: string;
}

/** Runs a command in the recipe's directory with `node_modules/.bin` on PATH, as `npx`/`npm test` would. */
export function runRecipe(dir: string, command: string, args: string[], env: Record<string, string> = {}): Promise<RecipeRun> {
  return new Promise((resolve, reject) => {
    // The outer vitest's own variables (VITEST, VITEST_WORKER_ID …) would make a recipe's vitest
    // think it is a worker; colours would get in the way of matching the output.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST') && name !== 'FORCE_COLOR'));
    const child = spawn(command, args, {
      cwd: dir,
      env: { ...inherited, NO_COLOR: '1', PATH: `${join(dir, 'node_modules', '.bin')}:${NODE_MODULES_BIN}:${process.env.PATH}`, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, output }));
  });
}

/** A python with boto3 and pytest: the system one when it has them, else a venv made once under the temp dir. */
export function pythonWithBoto3(): string {
  try {
    execFileSync('python3', ['-c', 'import boto3, pytest'], { stdio: 'ignore' });
    return 'python3';
  } catch {
    const venv = join(tmpdir(), 'smll-storage-recipes-venv');
    const python = join(venv, 'bin', 'python');
    if (!existsSync(python)) execFileSync('python3', ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(python, ['-m', 'pip', 'install', '--quiet', 'boto3', 'pytest'], { stdio: 'inherit' });
    return python;
  }
}
