import { defineConfig } from 'vitest/config';

/** `npm run soak` (through test/soak/run.mjs): the soak and the kill loop, never part of `npm test`. */
export default defineConfig({
  test: {
    include: ['test/soak/*.soak.ts'],
    testTimeout: 0,
    hookTimeout: 60_000,
  },
});
