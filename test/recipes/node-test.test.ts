import { describe, expect, it } from 'vitest';
import { recipeDir, runRecipe, useLinkedPackage } from './run-recipe.js';

const dir = recipeDir('node-test');
useLinkedPackage(dir);

describe('README recipe: node:test', () => {
  it('runs a node --test suite that starts the emulator in-process and resets it between tests', async () => {
    const run = await runRecipe(dir, process.execPath, ['--test']);
    // The summary's prefix is `#` from the tap reporter (Node 20 and 22 off a terminal) and `ℹ`
    // from the spec reporter (Node 23 on, everywhere).
    expect(run.output).toMatch(/^[#ℹ] pass 2$/m);
    expect(run.output).toMatch(/^[#ℹ] fail 0$/m);
    expect(run.code, run.output).toBe(0);
  });
});
