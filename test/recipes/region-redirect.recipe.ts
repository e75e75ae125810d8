/**
 * boto3's region discovery against an emulator started with `--region eu-west-1`, the client
 * configured for us-east-1: botocore (S3RegionRedirectorv2) must learn the region from the
 * refusal — x-amz-bucket-region, which a 400 HeadBucket or HeadObject carries without a body —
 * and succeed on its one retry, as against S3 (see test/integration/region-hints.test.ts for
 * the sources). Needs Python with boto3, hence a recipe run by `npm run test:recipes`.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { pythonWithBoto3, recipeDir, runRecipe, useLinkedPackage } from './run-recipe.js';

const dir = recipeDir('region-redirect');

useLinkedPackage(dir);
let python: string;
beforeAll(() => {
  python = pythonWithBoto3();
});

describe('boto3 region redirect', () => {
  it('every operation signed for us-east-1 is retried once for eu-west-1, the region the emulator names, and succeeds', async () => {
    const run = await runRecipe(dir, 'smll-storage', ['exec', '--region', 'eu-west-1', '--bucket', 'uploads', '--', python, 'region_redirect.py', 'uploads'], {
      PYTHONDONTWRITEBYTECODE: '1',
    });
    for (const operation of ['HeadBucket', 'PutObject', 'HeadObject', 'GetObject', 'ListObjectsV2', 'GetBucketLocation', 'DeleteObject']) {
      expect(run.output).toContain(`${operation}: ok signed ['us-east-1', 'eu-west-1']`);
    }
    expect(run.code, run.output).toBe(0);
  });
});
