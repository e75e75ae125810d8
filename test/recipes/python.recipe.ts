import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { recipeDir, runRecipe, useLinkedPackage } from './run-recipe.js';

const dir = recipeDir('python');

/** A python with boto3 and pytest: the system one when it has them, else a venv made once under the temp dir. */
function pythonWithBoto3(): string {
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

useLinkedPackage(dir);
let python: string;
beforeAll(() => {
  python = pythonWithBoto3();
});

describe('README recipe: pytest', () => {
  it('runs a pytest suite (boto3 built from the S3_* variables) under `smll-storage exec`', async () => {
    const run = await runRecipe(dir, 'smll-storage', ['exec', '--bucket', 'uploads', '--', python, '-m', 'pytest', '-q', '-p', 'no:cacheprovider'], {
      PYTHONDONTWRITEBYTECODE: '1',
    });
    expect(run.output).toMatch(/2 passed/);
    expect(run.code, run.output).toBe(0);
  });
});
