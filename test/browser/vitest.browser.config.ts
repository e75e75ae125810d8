import { defineConfig } from 'vitest/config';

/**
 * `npm run test:browser`: the console driven in Debian's Chromium by playwright-core. Not part of
 * `npm test`, which must pass on a machine without a browser; `.ci/run` installs chromium
 * (scripts/install-chromium.sh) and runs this.
 */
export default defineConfig({
  oxc: { include: /\.([cm]?ts|[jt]sx)$/ },
  test: {
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    include: ['test/browser/*.browser.ts'],
    // One browser at a time: two shared cores.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
