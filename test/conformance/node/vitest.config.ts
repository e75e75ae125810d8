import { defineConfig } from 'vitest/config';

// The Node runner of the SDK conformance suite; run by `npm run conformance` (never by `npm test`).
export default defineConfig({
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
