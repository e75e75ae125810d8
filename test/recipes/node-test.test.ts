import { describe, expect, it } from 'vitest';
import { recipeDir, runRecipe, useLinkedPackage } from './run-recipe.js';

const dir = recipeDir('node-test');
useLinkedPackage(dir);

describe('README recipe: node:test', () => {
  it('runs a node --test suite that starts the emulator in-process and resets it between tests', async () => {
    const run = await runRecipe(dir, process.execPath, ['--test']);
    expect(run.output).toMatch(/# pass 2\n/);
    expect(run.output).toMatch(/# fail 0\n/);
    expect(run.code, run.output).toBe(0);
  });
});
