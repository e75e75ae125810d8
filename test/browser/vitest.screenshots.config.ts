import { defineConfig } from 'vitest/config';

/**
 * `npm run screenshots`: the console's views drawn in Chromium and written to docs/screenshots/
 * for the README. A separate command that CI never runs, so that CI never rewrites tracked files.
 */
export default defineConfig({
  oxc: { include: /\.([cm]?ts|[jt]sx)$/ },
  test: {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    include: ['test/browser/*.shots.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
