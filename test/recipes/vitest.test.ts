import { describe, expect, it } from 'vitest';
import { recipeDir, runRecipe, useLinkedPackage } from './run-recipe.js';

const dir = recipeDir('vitest');
useLinkedPackage(dir);
const tlsDir = recipeDir('vitest-tls');
useLinkedPackage(tlsDir);

describe('README recipe: vitest', () => {
  it('runs a vitest project whose only setup is globalSetup: [smll-storage/vitest], with the config file\'s buckets and seed', async () => {
    const run = await runRecipe(dir, 'vitest', ['run']);
    expect(run.output).toMatch(/Tests\s+5 passed \(5\)/);
    expect(run.code, run.output).toBe(0);
  });

  it('with tls: true, the workers get the local CA in the trust variables, and the unchanged SDK client trusts it', async () => {
    const run = await runRecipe(tlsDir, 'vitest', ['run']);
    expect(run.output).toMatch(/Tests\s+2 passed \(2\)/);
    expect(run.code, run.output).toBe(0);
  });
});
