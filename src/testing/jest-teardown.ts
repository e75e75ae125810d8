/** `smll-storage/jest/teardown`, jest's `globalTeardown`: stops the emulator `smll-storage/jest/setup` started. */
import type { RunningHarness } from './harness.js';
import { HARNESS_KEY } from './jest-setup.js';

export default async function globalTeardown(): Promise<void> {
  const scope = globalThis as { [HARNESS_KEY]?: RunningHarness };
  const harness = scope[HARNESS_KEY];
  delete scope[HARNESS_KEY];
  await harness?.stop();
}
