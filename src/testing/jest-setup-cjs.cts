/** `require('smll-storage/jest/setup')` for CommonJS jest projects: hands over to the ESM build (jest awaits globalSetup). */
import type { JestConfigPart } from './jest-setup.js';

async function globalSetup(globalConfig: JestConfigPart, projectConfig?: JestConfigPart): Promise<void> {
  const { default: setup } = await import('./jest-setup.js');
  await setup(globalConfig, projectConfig);
}

export = globalSetup;
