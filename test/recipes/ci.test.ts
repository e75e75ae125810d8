import { describe, expect, it } from 'vitest';
import { recipeDir, runRecipe, useLinkedPackage } from './run-recipe.js';

const dir = recipeDir('ci');
useLinkedPackage(dir);

describe('README recipe: a CI shell step', () => {
  it('runs the test command under `npx smll-storage exec` with seeded fixtures, and passes its status on', async () => {
    const run = await runRecipe(dir, 'sh', ['ci-step.sh']);
    expect(run.output).toContain('ci check passed');
    expect(run.code, run.output).toBe(0);
  });
});
