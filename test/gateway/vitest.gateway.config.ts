import { defineConfig } from 'vitest/config';

/**
 * The integration tests whose subject is what the store keeps and answers — metadata, listings,
 * multipart uploads, copies, conditional requests, ranges and part numbers, checksums, streamed
 * (aws-chunked) and form uploads, and the credential checks in front of them — run a second time
 * here, against gateway mode over a MinIO. Left to `npm test`:
 * - the front (CLI, console, harness, TLS, request log, HTTP and XML parsing, CORS, SigV2,
 *   refusals before the store): the same code in both modes, and mostly its own emulators;
 * - the SQLite store's own files (crash, data-dir hygiene, file modes, full disk, storage
 *   faults, restarts, emulator-api's data dir);
 * - three files whose fixtures MinIO cannot hold (README, "Shared environments", what differs):
 *   objects.test.ts and sdk-wire-shapes.test.ts store keys with `//`, which MinIO refuses
 *   (XMinioInvalidObjectName); list-edges.test.ts lists `a` beside `a/b`, and MinIO's listing
 *   shows only one of an object and a prefix of the same name (both are stored and readable).
 */
export const GATEWAY_INTEGRATION_SUBSET = [
  'list',
  'multipart',
  'copy',
  'conditional-dates',
  'part-number',
  'checksums',
  'default-checksum',
  'streaming-upload',
  'post-object',
  'header-values',
  'non-ascii-headers',
  'auth',
].map((name) => `test/integration/${name}.test.ts`);

/**
 * `npm run test:gateway` (and the `gateway` stage of .ci/run): test/gateway/*.test.ts and the
 * subset above, against one MinIO started for the run (global-setup.ts; installed by
 * scripts/install-minio.sh). Apart from `npm test`, which stays MinIO-free.
 */
export default defineConfig({
  // Also transform .cts sources (src/bucket-credentials.cts), as vitest.config.ts does.
  oxc: { include: /\.([cm]?ts|[jt]sx)$/ },
  test: {
    // As vitest.config.ts: the AWS SDK's documented opt-out of its Node < 22 warning.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    include: ['test/gateway/*.test.ts', ...GATEWAY_INTEGRATION_SUBSET],
    globalSetup: ['test/gateway/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
