import { defineConfig } from 'vitest/config';

/**
 * `npm run test:recipes`: the recipes that need other toolchains (Python with boto3 and pytest,
 * Go with aws-sdk-go-v2, fetched on first run; cargo for the rustls client of the TLS check) and so
 * stay out of `npm test`; `.ci/run` runs them.
 */
export default defineConfig({
  test: {
    include: ['test/recipes/*.recipe.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
