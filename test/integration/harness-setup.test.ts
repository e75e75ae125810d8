import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetBucketLocationCommand } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestProject } from 'vitest/node';
import { startHarness } from '../../src/testing/harness.js';
import jestSetup from '../../src/testing/jest-setup.js';
import jestTeardown from '../../src/testing/jest-teardown.js';
import { s3Env, testPrefix } from '../../src/testing/test-env.cjs';
import vitestSetup, { type HarnessContext } from '../../src/testing/vitest.js';
import { clientFor, isListening } from '../helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function projectRoot(config?: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'smll-harness-test-'));
  dirs.push(dir);
  if (config) writeFileSync(join(dir, 'smll-storage.config.json'), JSON.stringify(config));
  return dir;
}

describe('the global setups (what vitest and jest call)', () => {
  it('with no config file and no options: bucket test-bucket, S3_* in process.env while running, put back after stop', async () => {
    process.env.S3_REGION = 'left-by-someone-else';
    try {
      const harness = await startHarness(projectRoot());
      expect(Object.keys(harness.context.buckets)).toEqual(['test-bucket']);
      expect(s3Env()).toEqual(harness.emulator.env('test-bucket'));
      expect(s3Env('test-bucket')).toEqual(harness.emulator.env('test-bucket'));
      await clientFor(s3Env()).send(new GetBucketLocationCommand({ Bucket: 'test-bucket' }));
      await harness.stop();
      expect(process.env.S3_REGION).toBe('left-by-someone-else');
      expect(process.env.S3_ENDPOINT).toBeUndefined();
      expect(process.env.S3_TEST_BUCKET_ENDPOINT).toBeUndefined();
      expect(await isListening(harness.context.endpoint)).toBe(false);
    } finally {
      delete process.env.S3_REGION;
    }
  });

  it('takes the root\'s config file, options override it, config: false ignores it; port and dataDir never come from the file', async () => {
    const root = projectRoot({ buckets: ['from-file', 'second-one'], region: 'eu-west-2', port: 1, dataDir: 'never-used' });
    const fromFile = await startHarness(root);
    expect(Object.keys(fromFile.context.buckets)).toEqual(['from-file', 'second-one']);
    expect(fromFile.context.region).toBe('eu-west-2');
    expect(fromFile.emulator.port).not.toBe(1);
    expect(fromFile.emulator.dataDir.startsWith(root)).toBe(false);
    expect(process.env.S3_ACCESS_KEY).toBe(fromFile.context.buckets['from-file'].S3_ACCESS_KEY);
    expect(process.env.S3_SECOND_ONE_ACCESS_KEY).toBe(fromFile.context.buckets['second-one'].S3_ACCESS_KEY);
    await fromFile.stop();

    const overridden = await startHarness(root, { region: 'ap-east-1' });
    expect(overridden.context.region).toBe('ap-east-1');
    expect(Object.keys(overridden.context.buckets)).toEqual(['from-file', 'second-one']);
    await overridden.stop();

    const ignored = await startHarness(root, { config: false });
    expect(Object.keys(ignored.context.buckets)).toEqual(['test-bucket']);
    await ignored.stop();
  });

  it('a bad config file fails the setup with a message naming the file and key, and leaves nothing running', async () => {
    const root = projectRoot({ buckets: 'one' });
    await expect(startHarness(root)).rejects.toThrow(`${join(root, 'smll-storage.config.json')}: buckets: expected an array`);
    expect(process.env.S3_ENDPOINT).toBeUndefined();
  });

  it('vitest: setup provides smllStorage to inject() and returns the teardown', async () => {
    const provided = new Map<string, unknown>();
    const project = {
      config: { root: projectRoot(), provide: { smllStorageOptions: { buckets: ['vitest-bucket'] } } },
      provide: (key: string, value: unknown) => provided.set(key, value),
    } as unknown as TestProject;
    const teardown = await vitestSetup(project);
    const context = provided.get('smllStorage') as HarnessContext;
    expect(context.buckets['vitest-bucket']).toEqual(s3Env('vitest-bucket'));
    expect(await isListening(context.endpoint)).toBe(true);
    await teardown();
    expect(await isListening(context.endpoint)).toBe(false);
    expect(process.env.S3_ENDPOINT).toBeUndefined();
  });

  it('jest: setup reads globals.smllStorageOptions from the project config; teardown stops it', async () => {
    await jestSetup({ rootDir: projectRoot() }, { rootDir: projectRoot(), globals: { smllStorageOptions: { buckets: ['jest-bucket'] } } });
    const env = s3Env('jest-bucket');
    expect(await isListening(env.S3_ENDPOINT)).toBe(true);
    await jestTeardown();
    expect(await isListening(env.S3_ENDPOINT)).toBe(false);
    expect(() => s3Env()).toThrow('S3_ENDPOINT is not set: is smll-storage\'s global setup configured?');
    expect(() => s3Env('jest-bucket')).toThrow('S3_JEST_BUCKET_ENDPOINT is not set: is smll-storage\'s global setup configured, and bucket "jest-bucket" one of its buckets?');
  });

  it('testPrefix gives a new prefix each time, from a label made key-safe', () => {
    const first = testPrefix();
    expect(first).toMatch(/^test-[0-9a-f-]{36}\/$/);
    expect(testPrefix()).not.toBe(first);
    expect(testPrefix('uploads > big files')).toMatch(/^uploads-big-files-[0-9a-f-]{36}\/$/);
  });
});
