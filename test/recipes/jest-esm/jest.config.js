export default {
  globalSetup: 'smll-storage/jest/setup',
  globalTeardown: 'smll-storage/jest/teardown',
  transform: {},
};
