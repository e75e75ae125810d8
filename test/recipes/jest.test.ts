import { beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { linkPackage, recipeDir, REPO, runRecipe } from './run-recipe.js';

describe('README recipe: jest', () => {
  const cjs = recipeDir('jest-cjs');
  const esm = recipeDir('jest-esm');
  beforeAll(() => {
    linkPackage(cjs);
    linkPackage(esm);
  });

  it('runs a CommonJS jest project with globalSetup/globalTeardown from smll-storage/jest (the require entries)', async () => {
    const run = await runRecipe(cjs, 'jest', ['--ci']);
    expect(run.output).toMatch(/Tests:\s+2 passed, 2 total/);
    expect(run.code, run.output).toBe(0);
  });

  it('runs an ESM jest project (node --experimental-vm-modules) with the same setup (the import entries)', async () => {
    const run = await runRecipe(esm, process.execPath, ['--experimental-vm-modules', join(REPO, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci']);
    expect(run.output).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(run.code, run.output).toBe(0);
  });
});
