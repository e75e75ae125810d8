import { beforeAll, describe, expect, it } from 'vitest';
import { pythonWithBoto3, recipeDir, runRecipe, useLinkedPackage } from './run-recipe.js';

const dir = recipeDir('python');

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
