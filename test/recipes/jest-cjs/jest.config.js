module.exports = {
  globalSetup: 'smll-storage/jest/setup',
  globalTeardown: 'smll-storage/jest/teardown',
  globals: { smllStorageOptions: { buckets: ['uploads'] } },
};
