/**
 * Gateway mode's configuration, checked before anything is opened (so without a backend): the
 * config file's `backend` section, serve's `--backend*` flags, and a buckets dir of Secrets.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { s3BackendOptions } from '../../src/backend.js';
import { readBucketsDir } from '../../src/buckets-dir.js';
import { backendFromFlags } from '../../src/cli/backend-flags.js';
import { validateConfig } from '../../src/config-file.js';

const backend = { type: 's3', endpoint: 'http://minio.storage:9000', region: 'us-east-1' } as const;

describe('the config file\'s backend section', () => {
  it('takes a complete one', () => {
    expect(validateConfig({ backend: { ...backend, bucketPrefix: 'smll-', conditionalWrites: 'off' } }, 'f.json').backend).toMatchObject({ bucketPrefix: 'smll-' });
  });

  it.each([
    [{ ...backend, type: 'gcs' }, /f\.json: backend\.type: the one backend type is "s3", got "gcs"/],
    [{ type: 's3', region: 'us-east-1' }, /f\.json: backend\.endpoint: the backend's URL is missing/],
    [{ ...backend, endpoint: 'minio:9000' }, /backend\.endpoint: expected an http:\/\/ or https:\/\/ URL, got "minio:9000"/],
    [{ type: 's3', endpoint: backend.endpoint }, /backend\.region: the backend's region is missing/],
    [{ ...backend, bucketPrefix: 'Smll_' }, /backend\.bucketPrefix: a bucket name starts with it/],
    [{ ...backend, conditionalWrites: 'maybe' }, /backend\.conditionalWrites: expected "require" or "off", got "maybe"/],
    [{ ...backend, endpont: 'x' }, /backend: unknown key "endpont"/],
  ])('refuses %j, naming the key', (value, message) => {
    expect(() => validateConfig({ backend: value }, 'f.json')).toThrow(message);
  });
});

describe('the backend\'s credentials and bucket names', () => {
  it('come from SMLL_BACKEND_ACCESS_KEY / SMLL_BACKEND_SECRET_KEY when the options give none', () => {
    expect(s3BackendOptions(backend, ['photos'], { SMLL_BACKEND_ACCESS_KEY: 'a', SMLL_BACKEND_SECRET_KEY: 's' })).toEqual({
      ...{ endpoint: backend.endpoint, region: backend.region },
      accessKeyId: 'a',
      secretAccessKey: 's',
      bucketPrefix: '',
      conditionalWrites: 'require',
    });
  });

  it('missing ones are named, variable by variable', () => {
    expect(() => s3BackendOptions(backend, [], { SMLL_BACKEND_ACCESS_KEY: 'a' })).toThrow(/set SMLL_BACKEND_SECRET_KEY \(or backend\.secretAccessKey\) to a key of/);
    expect(() => s3BackendOptions(backend, [], {})).toThrow(/set SMLL_BACKEND_ACCESS_KEY \(or backend\.accessKeyId\) and SMLL_BACKEND_SECRET_KEY/);
  });

  it('a prefix that makes a backend bucket name longer than 63 characters is refused, naming the bucket', () => {
    expect(() => s3BackendOptions({ ...backend, bucketPrefix: 'p'.repeat(30) }, ['b'.repeat(40)], { SMLL_BACKEND_ACCESS_KEY: 'a', SMLL_BACKEND_SECRET_KEY: 's' })).toThrow(
      /Bucket "b{40}": with backend\.bucketPrefix "p{30}" its backend bucket .* is longer than S3's 63 characters/,
    );
  });
});

describe('serve\'s --backend flags', () => {
  it('give a backend with the config file\'s fields where no flag is typed', () => {
    expect(backendFromFlags({ backendRegion: 'eu-west-1' }, { backend: { ...backend, bucketPrefix: 'smll-' } })).toEqual({ ...backend, region: 'eu-west-1', bucketPrefix: 'smll-' });
    expect(backendFromFlags({ backend: 's3', backendEndpoint: backend.endpoint, backendRegion: 'us-east-1' }, undefined)).toEqual(backend);
    expect(backendFromFlags({}, undefined)).toBeUndefined();
  });

  it('refuse a --backend-* flag without a backend, and a backend without its endpoint or region', () => {
    expect(() => backendFromFlags({ backendEndpoint: backend.endpoint }, undefined)).toThrow('--backend-endpoint needs --backend s3 (or a "backend" section in the config file)');
    expect(() => backendFromFlags({ backendConditionalWrites: 'off' }, undefined)).toThrow('--backend-conditional-writes needs --backend s3');
    expect(() => backendFromFlags({ backend: 's3', backendRegion: 'us-east-1' }, undefined)).toThrow('--backend s3 needs --backend-endpoint URL');
    expect(() => backendFromFlags({ backend: 's3', backendEndpoint: backend.endpoint }, undefined)).toThrow('--backend s3 needs --backend-region REGION');
  });
});

describe('a buckets dir of Secrets', () => {
  const withDir = (build: (dir: string) => void, check: (dir: string) => void) => {
    const dir = mkdtempSync(join(tmpdir(), 'smll-buckets-dir-'));
    try {
      build(dir);
      check(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const secret = (dir: string, bucket: string, files: Record<string, string>) => {
    mkdirSync(join(dir, bucket));
    for (const [name, value] of Object.entries(files)) writeFileSync(join(dir, bucket, name), value);
  };
  const complete = { ACCESS_KEY: 'PHOTOSKEY1\n', SECRET_KEY: 'secret\n', ENDPOINT: 'http://gw:9000\n', REGION: 'us-east-1\n' };

  it('reads one bucket per directory, values without their final newline, skipping dot entries', () => {
    withDir(
      (dir) => {
        secret(dir, 'photos', complete);
        mkdirSync(join(dir, '..data'));
      },
      (dir) => expect(readBucketsDir(dir)).toEqual([{ name: 'photos', accessKey: 'PHOTOSKEY1', secretKey: 'secret', endpoint: 'http://gw:9000', region: 'us-east-1', dir: join(dir, 'photos') }]),
    );
  });

  it('names a missing or empty file, a file where a directory belongs, a name that is no bucket name, an empty dir', () => {
    withDir(
      (dir) => {
        const { REGION: _region, ...withoutRegion } = complete;
        secret(dir, 'photos', withoutRegion);
      },
      (dir) => expect(() => readBucketsDir(dir)).toThrow(`bucketsDir: ${join(dir, 'photos', 'REGION')} is missing: each bucket's directory holds ACCESS_KEY, SECRET_KEY, ENDPOINT, REGION`),
    );
    withDir((dir) => secret(dir, 'photos', { ...complete, SECRET_KEY: '\n' }), (dir) => expect(() => readBucketsDir(dir)).toThrow(`bucketsDir: ${join(dir, 'photos', 'SECRET_KEY')} is empty`));
    withDir((dir) => writeFileSync(join(dir, 'photos'), 'x'), (dir) => expect(() => readBucketsDir(dir)).toThrow(/photos is not a directory/));
    withDir((dir) => secret(dir, 'Photos_', complete), (dir) => expect(() => readBucketsDir(dir)).toThrow(/"Photos_" is not a bucket name/));
    withDir(() => {}, (dir) => expect(() => readBucketsDir(dir)).toThrow(/no bucket directories in it/));
  });
});
