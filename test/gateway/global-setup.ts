/**
 * One MinIO for the whole gateway run: started before any test file, its address and root
 * credentials handed to every worker in SMLL_TEST_BACKEND (workers start after this and inherit
 * the environment), stopped at the end. startTestEmulator (test/helpers.ts) reads it.
 */
import { TEST_BACKEND_VARIABLE } from '../helpers.js';
import { startMinio } from '../support/minio.js';

export default async function setup(): Promise<() => Promise<void>> {
  const minio = await startMinio();
  process.env[TEST_BACKEND_VARIABLE] = JSON.stringify({
    endpoint: minio.endpoint,
    region: 'us-east-1',
    accessKeyId: minio.accessKeyId,
    secretAccessKey: minio.secretAccessKey,
  });
  return () => minio.stop();
}
