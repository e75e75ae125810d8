// Every public entry of the package, through the `import` conditions.
import { startEmulator, type Emulator, type EmulatorOptions } from 'smll-storage';
import vitestSetup, { s3Env, testPrefix, type HarnessContext } from 'smll-storage/vitest';
import { s3Env as jestS3Env, type S3Env } from 'smll-storage/jest';
import jestSetup from 'smll-storage/jest/setup';
import jestTeardown from 'smll-storage/jest/teardown';
import { inject } from 'vitest';

const options: EmulatorOptions = { buckets: ['uploads'] };
const emulator: Emulator = await startEmulator(options);
const endpoint: string = emulator.env('uploads').S3_ENDPOINT;
await emulator.stop();
const context: HarnessContext = inject('smllStorage');
const env: S3Env = jestS3Env('uploads');
export { endpoint, context, env, s3Env, testPrefix, vitestSetup, jestSetup, jestTeardown };
