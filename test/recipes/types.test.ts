import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, runRecipe } from './run-recipe.js';

/**
 * A TypeScript project outside this repository that uses the package as installed, in both
 * module systems: its types must resolve through the `import` and `require` export conditions.
 * (Written at test time, so this repository's own type check never sees it.)
 */
const ESM_CONSUMER = `
import { s3Env, testPrefix, type S3Env } from 'smll-storage/jest';
import jestSetup from 'smll-storage/jest/setup';
import jestTeardown from 'smll-storage/jest/teardown';
import vitestSetup, { s3Env as vitestS3Env, type HarnessContext } from 'smll-storage/vitest';
import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';

const env: S3Env = s3Env('uploads');
const prefix: string = testPrefix('label');
const setup: (globalConfig: { rootDir?: string }) => Promise<void> = jestSetup;
const teardown: () => Promise<void> = jestTeardown;
const vitest: (project: TestProject) => Promise<() => Promise<void>> = vitestSetup;
const context: HarnessContext = inject('smllStorage');
const endpoint: string = context.buckets['uploads'].S3_ENDPOINT;
export { env, prefix, setup, teardown, vitest, endpoint, vitestS3Env };
`;

const CJS_CONSUMER = `
import jestSetup = require('smll-storage/jest/setup');
import jestTeardown = require('smll-storage/jest/teardown');
import helpers = require('smll-storage/jest');

const setup: (globalConfig: { rootDir?: string }) => Promise<void> = jestSetup;
const teardown: () => Promise<void> = jestTeardown;
const env: helpers.S3Env = helpers.s3Env();
const prefix: string = helpers.testPrefix();
export = { setup, teardown, env, prefix };
`;

const WRONG = `
import { s3Env } from 'smll-storage/jest';
const bucketCount: number = s3Env().S3_ENDPOINT;
export { bucketCount };
`;

let project: string;
beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'smll-types-consumer-'));
  mkdirSync(join(project, 'node_modules', '@types'), { recursive: true });
  symlinkSync(REPO, join(project, 'node_modules', 'smll-storage'));
  symlinkSync(join(REPO, 'node_modules', 'vitest'), join(project, 'node_modules', 'vitest'));
  symlinkSync(join(REPO, 'node_modules', '@types', 'node'), join(project, 'node_modules', '@types', 'node'));
  writeFileSync(join(project, 'esm-consumer.mts'), ESM_CONSUMER);
  writeFileSync(join(project, 'cjs-consumer.cts'), CJS_CONSUMER);
  writeFileSync(join(project, 'wrong.mts'), WRONG);
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

const tsc = (files: string[]) =>
  runRecipe(project, process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '--strict', '--module', 'node16', '--skipLibCheck', '--types', 'node', ...files]);

describe('package types for consumers', () => {
  it('type-check in an ESM module (import conditions) and a CommonJS module (require conditions)', async () => {
    const run = await tsc(['esm-consumer.mts', 'cjs-consumer.cts']);
    expect(run.output).toBe('');
    expect(run.code).toBe(0);
  });

  it('and are real types: a misuse is an error', async () => {
    const run = await tsc(['wrong.mts']);
    expect(run.output).toContain(`wrong.mts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.`);
    expect(run.code).toBe(2);
  });
});
