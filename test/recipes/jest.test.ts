import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { recipeDir, REPO, runRecipe, useLinkedPackage } from './run-recipe.js';

describe('README recipe: jest', () => {
  const cjs = recipeDir('jest-cjs');
  const esm = recipeDir('jest-esm');
  useLinkedPackage(cjs);
  useLinkedPackage(esm);

  it('runs a CommonJS jest project with globalSetup/globalTeardown from smll-storage/jest (the require entries)', async () => {
    const run = await runRecipe(cjs, 'jest', ['--ci']);
    expect(run.output).toMatch(/Tests:\s+2 passed, 2 total/);
    expect(run.code, run.output).toBe(0);
  });

  it('the require entries are CommonJS files: setup and teardown start and stop an emulator from plain require()', async () => {
    const script = `
      const setup = require('smll-storage/jest/setup');
      const teardown = require('smll-storage/jest/teardown');
      const { s3Env } = require('smll-storage/jest');
      console.log(require.resolve('smll-storage/jest/setup').endsWith('.cjs'), require.resolve('smll-storage/jest').endsWith('.cjs'));
      setup({ rootDir: process.cwd() }, { globals: { smllStorageOptions: { buckets: ['cjs-direct'] } } })
        .then(() => fetch(s3Env('cjs-direct').S3_ENDPOINT + '/cjs-direct', { method: 'HEAD' }))
        .then((response) => console.log('HEAD without credentials:', response.status))
        .then(() => teardown())
        .then(() => console.log('after teardown:', process.env.S3_CJS_DIRECT_ENDPOINT));
    `;
    const run = await runRecipe(cjs, process.execPath, ['-e', script]);
    expect(run.output).toBe('true true\nHEAD without credentials: 403\nafter teardown: undefined\n');
    expect(run.code).toBe(0);
  });

  it('runs an ESM jest project (node --experimental-vm-modules) with the same setup (the import entries)', async () => {
    const run = await runRecipe(esm, process.execPath, ['--experimental-vm-modules', join(REPO, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci']);
    expect(run.output).toMatch(/Tests:\s+1 passed, 1 total/);
    expect(run.code, run.output).toBe(0);
  });
});
