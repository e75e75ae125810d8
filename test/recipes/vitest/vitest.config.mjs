import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['smll-storage/vitest'],
  },
});
