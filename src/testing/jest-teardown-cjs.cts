/** `require('smll-storage/jest/teardown')` for CommonJS jest projects: hands over to the ESM build. */
async function globalTeardown(): Promise<void> {
  const { default: teardown } = await import('./jest-teardown.js');
  await teardown();
}

export = globalTeardown;
