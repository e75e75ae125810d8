/**
 * `smll-storage/vitest`: add it to `test.globalSetup` and the run gets one emulator, its S3_*
 * variables in every worker's process.env, and `inject('smllStorage')`. Options go in the
 * vitest config as `test.provide.smllStorageOptions` (see HarnessOptions).
 */
// Brings 'vitest' into the program so that the ProvidedContext augmentation below finds it.
import type {} from 'vitest';
import type { TestProject } from 'vitest/node';
import type { HarnessContext, HarnessOptions } from './harness.js';

export type { HarnessContext, HarnessOptions } from './harness.js';
export { s3ClientConfig, s3Env, testPrefix, type BucketEnv, type S3ClientSettings, type S3Env } from './test-env.cjs';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by smll-storage's global setup. */
    smllStorage: HarnessContext;
    /** Read by smll-storage's global setup. */
    smllStorageOptions: HarnessOptions;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // Imported here: test files import this module for its helpers, and need no emulator code.
  const { startHarness } = await import('./harness.js');
  const harness = await startHarness(project.config.root, project.config.provide?.smllStorageOptions ?? {}, 'vitest config test.provide.smllStorageOptions');
  project.provide('smllStorage', harness.context);
  return () => harness.stop();
}
