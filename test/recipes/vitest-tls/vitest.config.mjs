import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['smll-storage/vitest'],
    // https with the data dir's local CA: the workers get it in AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS …
    provide: { smllStorageOptions: { tls: true, buckets: ['secure'], config: false } },
  },
});
