/**
 * `smll-storage/jest/setup`, jest's `globalSetup`: one emulator for the run, its S3_* variables in
 * process.env before jest starts its workers (they inherit them). Options go in the jest config
 * as `globals.smllStorageOptions` (see HarnessOptions); `smll-storage/jest/teardown` stops it.
 */
import type { HarnessOptions, RunningHarness } from './harness.js';

/** Where setup leaves the running emulator for teardown: jest runs both in the same global scope. */
export const HARNESS_KEY = Symbol.for('smll-storage.jest.harness');

/** The parts of jest's global and project configs that setup reads. */
export interface JestConfigPart {
  rootDir?: string;
  globals?: { smllStorageOptions?: HarnessOptions };
}

export default async function globalSetup(globalConfig: JestConfigPart, projectConfig?: JestConfigPart): Promise<void> {
  const { startHarness } = await import('./harness.js');
  const root = projectConfig?.rootDir ?? globalConfig.rootDir ?? process.cwd();
  const harness = await startHarness(root, projectConfig?.globals?.smllStorageOptions ?? {}, 'jest config globals.smllStorageOptions');
  (globalThis as { [HARNESS_KEY]?: RunningHarness })[HARNESS_KEY] = harness;
}
