import { describe, expect, it } from 'vitest';
import { recipeDir, runRecipe, useLinkedPackage } from './run-recipe.js';

const dir = recipeDir('go');
useLinkedPackage(dir);

describe('README recipe: Go TestMain', () => {
  it('runs `go test`, whose TestMain starts `smll-storage serve` and reads the S3_* lines it prints (aws-sdk-go-v2)', async () => {
    const run = await runRecipe(dir, 'go', ['test', '-count=1', '-v', './...']);
    expect(run.output).toContain('--- PASS: TestUploadAndReadBack');
    expect(run.output).toContain('--- PASS: TestRefusedAsSMLLRefuses');
    expect(run.code, run.output).toBe(0);
  });
});
