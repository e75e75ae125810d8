import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Also transform .cts sources (src/testing/test-env.cts, CommonJS so jest's CJS projects can require it).
  oxc: { include: /\.([cm]?ts|[jt]sx)$/ },
  test: {
    // The AWS SDK warns once per process on Node < 22 (NodeVersionSupportWarning) and every
    // worker and child is a process; this is the SDK's documented opt-out, for this repository's
    // own runs only (the package's setups leave it to the user).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    include: ['test/**/*.test.ts'],
    // `**/`: the recipe projects under test/recipes/ link this repository into their own node_modules.
    // test/gateway/ needs a MinIO (npm run test:gateway has its own config): `npm test` stays without one.
    exclude: ['test/conformance/**', 'test/gateway/**', '**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
