import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['uploads.vitest.mjs'],
    globalSetup: ['smll-storage/vitest'],
    provide: { smllStorageOptions: { buckets: ['uploads', 'reports'], config: false } },
  },
});
