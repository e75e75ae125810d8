import { defineConfig } from 'vitest/config';

/** `npm run soak` (through test/soak/run.mjs): the soak and the kill loop, never part of `npm test`. */
export default defineConfig({
  // Also transform .cts sources (src/bucket-credentials.cts, reached through test/cli-process.ts), as vitest.config.ts does.
  oxc: { include: /\.([cm]?ts|[jt]sx)$/ },
  test: {
    // The AWS SDK warns once per process on Node < 22 (NodeVersionSupportWarning) and every
    // worker and child is a process; this is the SDK's documented opt-out, for this repository's
    // own runs only (the package's setups leave it to the user).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    include: ['test/soak/*.soak.ts'],
    testTimeout: 0,
    hookTimeout: 60_000,
  },
});
