/**
 * Gateway mode as a user meets it: configuration (options, a buckets dir of mounted Secrets, the
 * CLI's flags and banner), the keys the gateway keeps for itself, and what `reset()` empties.
 * Against the run's MinIO (global-setup.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type GatewayEmulator } from '../../src/index.js';
import { cliTestScope, startCli } from '../cli-process.js';
import { clientFor, s3ErrorOf, testBackend } from '../helpers.js';

const minio = testBackend()!;
const backend = { type: 's3' as const, ...minio };
const prefix = () => `gm${Math.random().toString(16).slice(2, 10)}-`;

/** The run's MinIO as its root sees it: the backend buckets themselves. */
const root = new S3Client({
  endpoint: minio.endpoint,
  region: minio.region,
  credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
  forcePathStyle: true,
});

describe('the keys the gateway keeps for itself (.smll-gateway/)', () => {
  const Bucket = 'test-bucket';
  const bucketPrefix = prefix();
  /** The backend bucket behind `Bucket`. */
  const backendBucket = `${bucketPrefix}${Bucket}`;
  let emulator: GatewayEmulator;
  let s3: S3Client;
  beforeAll(async () => {
    emulator = await startEmulator({ buckets: [{ name: Bucket, accessKey: 'RESERVEDKEYS1', secretKey: 'reserved-secret' }], backend: { ...backend, bucketPrefix } });
    s3 = clientFor(emulator.env(Bucket));
  });
  afterAll(async () => {
    await emulator.stop();
  });

  it('refuses PutObject, CopyObject onto one, CreateMultipartUpload and DeleteObject with 400 InvalidArgument', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'plain.txt', Body: 'plain' }));
    const refusals = [
      () => s3.send(new PutObjectCommand({ Bucket, Key: '.smll-gateway/meta/x', Body: 'x' })),
      () => s3.send(new CopyObjectCommand({ Bucket, Key: '.smll-gateway/copy', CopySource: `${Bucket}/plain.txt` })),
      () => s3.send(new CreateMultipartUploadCommand({ Bucket, Key: '.smll-gateway/uploads/x' })),
      () => s3.send(new DeleteObjectCommand({ Bucket, Key: '.smll-gateway/meta/x' })),
    ];
    for (const refusal of refusals) {
      expect(await s3ErrorOf(refusal())).toMatchObject({ code: 'InvalidArgument', status: 400, message: 'Keys beginning with .smll-gateway/ are reserved by the gateway' });
    }
  });

  it('DeleteObjects reports such a key as an error of its own and deletes the others', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'doomed.txt', Body: 'doomed' }));
    const out = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'doomed.txt' }, { Key: '.smll-gateway/meta/y' }] } }));
    expect(out.Deleted?.map((d) => d.Key)).toEqual(['doomed.txt']);
    expect(out.Errors).toEqual([{ Key: '.smll-gateway/meta/y', Code: 'InvalidArgument', Message: 'Keys beginning with .smll-gateway/ are reserved by the gateway' }]);
  });

  it('reads of them find nothing, and listings never show them, though the backend holds them', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'listed.txt', Body: 'listed' }));
    const listed = await s3.send(new ListObjectsV2Command({ Bucket }));
    expect(listed.Contents?.some((o) => o.Key!.startsWith('.smll-gateway/'))).toBe(false);
    expect(listed.CommonPrefixes ?? []).toEqual([]);
    const rolledUp = await s3.send(new ListObjectsV2Command({ Bucket, Delimiter: '/' }));
    expect(rolledUp.CommonPrefixes ?? []).toEqual([]);
    const reserved = await root.send(new ListObjectsV2Command({ Bucket: backendBucket, Prefix: '.smll-gateway/meta/' }));
    expect(reserved.KeyCount).toBeGreaterThan(0);
    const key = reserved.Contents![0].Key!;
    expect(await s3ErrorOf(s3.send(new GetObjectCommand({ Bucket, Key: key })))).toMatchObject({ code: 'NoSuchKey', status: 404 });
  });

  it('reset() empties the backend bucket, the gateway\'s own keys included', async () => {
    await s3.send(new PutObjectCommand({ Bucket, Key: 'before-reset.txt', Body: 'x' }));
    await emulator.reset();
    expect((await s3.send(new ListObjectsV2Command({ Bucket }))).KeyCount).toBe(0);
    expect((await root.send(new ListObjectsV2Command({ Bucket: backendBucket }))).KeyCount).toBe(0);
  });
});

describe('configuration', () => {
  it('takes buckets from a dir of mounted Secrets, skipping Kubernetes\' ..data entries and following its symlinks', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smll-buckets-dir-'));
    try {
      // As a Secret volume looks: the files are symlinks into ..data, itself a symlink to a timestamped dir.
      const secret = (bucket: string, accessKey: string) => {
        const versioned = join(dir, bucket, '..2026_11_30_20_00_00.000000001');
        mkdirSync(versioned, { recursive: true });
        const values = { ACCESS_KEY: accessKey, SECRET_KEY: `${accessKey.toLowerCase()}-secret`, ENDPOINT: 'http://smll-gateway.storage:9000', REGION: 'us-east-1' };
        for (const [file, value] of Object.entries(values)) writeFileSync(join(versioned, file), `${value}\n`);
        symlinkSync('..2026_11_30_20_00_00.000000001', join(dir, bucket, '..data'));
        for (const file of Object.keys(values)) symlinkSync(join('..data', file), join(dir, bucket, file));
      };
      secret('photos', 'PHOTOSKEY1');
      secret('invoices', 'INVOICESKEY1');
      mkdirSync(join(dir, '..data'));
      const emulator = await startEmulator({ bucketsDir: dir, backend: { ...backend, bucketPrefix: prefix() } });
      try {
        expect(emulator.buckets.sort()).toEqual(['invoices', 'photos']);
        expect(emulator.dataDir).toBeUndefined();
        expect(emulator.credentials('photos')).toMatchObject({ ACCESS_KEY: 'PHOTOSKEY1', SECRET_KEY: 'photoskey1-secret', REGION: 'us-east-1' });
        const photos = clientFor(emulator.env('photos'));
        await photos.send(new PutObjectCommand({ Bucket: 'photos', Key: 'a.jpg', Body: 'jpeg' }));
        expect(await (await photos.send(new GetObjectCommand({ Bucket: 'photos', Key: 'a.jpg' }))).Body!.transformToString()).toBe('jpeg');
        const other = await s3ErrorOf(photos.send(new GetObjectCommand({ Bucket: 'invoices', Key: 'a.jpg' })));
        expect(other).toMatchObject({ code: 'AccessDenied', status: 403 });
      } finally {
        await emulator.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a bucket directory without one of its files is refused, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smll-buckets-dir-'));
    try {
      mkdirSync(join(dir, 'photos'));
      writeFileSync(join(dir, 'photos', 'ACCESS_KEY'), 'PHOTOSKEY1');
      writeFileSync(join(dir, 'photos', 'SECRET_KEY'), 'secret');
      writeFileSync(join(dir, 'photos', 'REGION'), 'us-east-1');
      await expect(startEmulator({ bucketsDir: dir, backend })).rejects.toThrow(`bucketsDir: ${join(dir, 'photos', 'ENDPOINT')} is missing`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what gateway mode cannot honour, before touching the backend', async () => {
    const keyed = [{ name: 'photos', accessKey: 'PHOTOSKEY1', secretKey: 'secret' }];
    await expect(startEmulator({ buckets: ['photos'], backend })).rejects.toThrow(/Bucket "photos": gateway mode takes a bucket's keys from the configuration/);
    await expect(startEmulator({ buckets: keyed, backend, dataDir: '/tmp/x' })).rejects.toThrow(/backend: dataDir \(--data-dir\)/);
    await expect(startEmulator({ buckets: keyed, backend, tls: true })).rejects.toThrow(/tls: true/);
    const { accessKeyId: _a, secretAccessKey: _s, ...withoutKeys } = backend;
    const saved = [process.env.SMLL_BACKEND_ACCESS_KEY, process.env.SMLL_BACKEND_SECRET_KEY];
    delete process.env.SMLL_BACKEND_ACCESS_KEY;
    delete process.env.SMLL_BACKEND_SECRET_KEY;
    try {
      await expect(startEmulator({ buckets: keyed, backend: withoutKeys })).rejects.toThrow(/set SMLL_BACKEND_ACCESS_KEY \(or backend.accessKeyId\) and SMLL_BACKEND_SECRET_KEY/);
    } finally {
      if (saved[0] !== undefined) process.env.SMLL_BACKEND_ACCESS_KEY = saved[0];
      if (saved[1] !== undefined) process.env.SMLL_BACKEND_SECRET_KEY = saved[1];
    }
    await expect(startEmulator({ buckets: keyed, backend: { ...backend, endpoint: 'minio:9000' } })).rejects.toThrow(/backend.endpoint: expected an http:\/\/ or https:\/\/ URL/);
    await expect(startEmulator({ buckets: keyed, backend: { ...backend, bucketPrefix: 'Upper_' } })).rejects.toThrow(/backend.bucketPrefix/);
  });

  it('takes the backend\'s credentials from SMLL_BACKEND_ACCESS_KEY and SMLL_BACKEND_SECRET_KEY', async () => {
    const { accessKeyId, secretAccessKey, ...withoutKeys } = backend;
    process.env.SMLL_BACKEND_ACCESS_KEY = accessKeyId;
    process.env.SMLL_BACKEND_SECRET_KEY = secretAccessKey;
    try {
      const emulator = await startEmulator({ buckets: [{ name: 'from-env', accessKey: 'FROMENVKEY1', secretKey: 'secret' }], backend: { ...withoutKeys, bucketPrefix: prefix() } });
      await emulator.stop();
    } finally {
      delete process.env.SMLL_BACKEND_ACCESS_KEY;
      delete process.env.SMLL_BACKEND_SECRET_KEY;
    }
  });

  it('refuses a backend that refuses its credentials, saying so', async () => {
    await expect(
      startEmulator({ buckets: [{ name: 'photos', accessKey: 'PHOTOSKEY1', secretKey: 'secret' }], backend: { ...backend, secretAccessKey: 'not-the-secret' } }),
    ).rejects.toThrow(/credential|access key|signature|denied/i);
  });
});

describe('serve --backend s3', () => {
  const scope = cliTestScope('smll-gateway-cli-');

  it('says gateway mode in its banner and serves from the backend', async () => {
    const cli = await startCli(
      ['--port', '0', '--backend', 's3', '--backend-endpoint', minio.endpoint, '--backend-region', minio.region, '--backend-bucket-prefix', prefix(), '--bucket', 'cli-bucket=CLIBUCKETKEY1:cli-secret'],
      scope.tempDir(),
      { SMLL_BACKEND_ACCESS_KEY: minio.accessKeyId, SMLL_BACKEND_SECRET_KEY: minio.secretAccessKey },
    );
    scope.running.push(cli);
    expect(cli.output()).toContain(`(region us-east-1, backend: s3 at ${minio.endpoint} (gateway mode))`);
    // Its output goes to a shared environment's logs: the bucket's access key, never its secret.
    expect(cli.env['cli-bucket']).toMatchObject({ S3_ACCESS_KEY: 'CLIBUCKETKEY1', S3_REGION: 'us-east-1' });
    expect(cli.output()).not.toContain('cli-secret');
    expect(cli.output()).not.toMatch(/SECRET_KEY=/);
    expect(cli.output()).toContain("# Gateway mode prints no secret keys (its output goes to shared logs): each bucket's is in your configuration.");
    const s3 = clientFor({ ...cli.env['cli-bucket'], S3_SECRET_KEY: 'cli-secret' });
    await s3.send(new PutObjectCommand({ Bucket: 'cli-bucket', Key: 'k', Body: 'v' }));
    expect(await (await s3.send(new GetObjectCommand({ Bucket: 'cli-bucket', Key: 'k' }))).Body!.transformToString()).toBe('v');
  });
});
