import { defineConfig } from 'vitest/config';

/**
 * `npm run test:recipes`: the recipes that need other toolchains (Python with boto3 and pytest,
 * Go with aws-sdk-go-v2, fetched on first run; cargo for the rustls client of the TLS check) and so
 * stay out of `npm test`; `.ci/run` runs them.
 */
export default defineConfig({
  // Also transform .cts sources (src/bucket-credentials.cts, reached through test/cli-process.ts), as vitest.config.ts does.
  oxc: { include: /\.([cm]?ts|[jt]sx)$/ },
  test: {
    // The AWS SDK warns once per process on Node < 22 (NodeVersionSupportWarning) and every
    // worker and child is a process; this is the SDK's documented opt-out, for this repository's
    // own runs only (the package's setups leave it to the user).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    include: ['test/recipes/*.recipe.ts'],
    testTimeout: 600_000,
    hookTimeout: 600_000,
  },
});
