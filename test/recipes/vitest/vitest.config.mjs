import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['smll-storage/vitest'],
    // Optional: options for the emulator (buckets, region, seed … as in smll-storage.config.json).
    provide: { smllStorageOptions: { region: 'eu-central-1' } },
  },
});
