import { describe, expect, it } from 'vitest';
import { recipeDir, runRecipe, useLinkedPackage } from './run-recipe.js';

const dir = recipeDir('vitest');
useLinkedPackage(dir);

describe('README recipe: vitest', () => {
  it('runs a vitest project whose only setup is globalSetup: [smll-storage/vitest], with the config file\'s buckets and seed', async () => {
    const run = await runRecipe(dir, 'vitest', ['run']);
    expect(run.output).toMatch(/Tests\s+5 passed \(5\)/);
    expect(run.code, run.output).toBe(0);
  });
});
