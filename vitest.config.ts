import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Also transform .cts sources (src/testing/test-env.cts, CommonJS so jest's CJS projects can require it).
  oxc: { include: /\.([cm]?ts|[jt]sx)$/ },
  test: {
    include: ['test/**/*.test.ts'],
    // `**/`: the recipe projects under test/recipes/ link this repository into their own node_modules.
    exclude: ['test/conformance/**', '**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
