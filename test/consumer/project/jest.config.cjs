// The CommonJS route (the package's `require` entries); the vitest test takes the `import` ones.
module.exports = {
  testMatch: ['**/uploads.jest.cjs'],
  globalSetup: 'smll-storage/jest/setup',
  globalTeardown: 'smll-storage/jest/teardown',
  globals: { smllStorageOptions: { buckets: ['uploads'], config: false } },
};
