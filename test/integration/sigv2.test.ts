/**
 * SigV2 presigned URLs (what stock boto3 emits in us-east-1) over HTTP: accepted with one warning
 * logged per request, refused with `sigv2: 'reject'`. The URLs are signed here, by the scheme the
 * unit test checks against URLs boto3 itself made.
 */
import { createHmac } from 'node:crypto';
import { request } from 'node:http';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type BucketEnv, type Emulator } from '../../src/index.js';
import { clientFor } from '../helpers.js';
import { errorFields } from '../raw-request.js';
import { startCli } from '../cli-process.js';

const Bucket = 'test-bucket';

/** A SigV2 query-signed URL, as boto3's HmacV1QueryAuth builds it. */
function presignV2(
  env: BucketEnv,
  init: {
    method: string;
    path: string;
    expires?: number;
    contentType?: string;
    subresources?: Record<string, string>;
    /** x-amz-* values, carried in the query as boto3 carries them. */
    amz?: Record<string, string>;
  },
): string {
  const expires = init.expires ?? Math.floor(Date.now() / 1000) + 300;
  const subresources = Object.entries(init.subresources ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  const resource = init.path + (subresources.length ? `?${subresources.map(([name, value]) => `${name}=${value}`).join('&')}` : '');
  const amz = Object.entries(init.amz ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
  const stringToSign = `${init.method}\n\n${init.contentType ?? ''}\n${expires}\n${amz.map(([name, value]) => `${name}:${value}\n`).join('')}${resource}`;
  const signature = createHmac('sha1', env.S3_SECRET_KEY).update(stringToSign).digest('base64');
  const query = new URLSearchParams([...subresources, ...amz, ['AWSAccessKeyId', env.S3_ACCESS_KEY], ['Signature', signature], ['Expires', String(expires)]]);
  return `${env.S3_ENDPOINT}${init.path}?${query.toString().replace(/\+/g, '%20')}`;
}

let emulator: Emulator;
let env: BucketEnv;
const log: string[] = [];
beforeAll(async () => {
  emulator = await startEmulator({ buckets: [Bucket, 'other-bucket'], log: (line) => log.push(line) });
  env = emulator.env(Bucket);
});
afterAll(async () => {
  await emulator.stop();
});
beforeEach(async () => {
  emulator.reset();
  await clientFor(env).send(new PutObjectCommand({ Bucket, Key: 'docs/readme.txt', Body: 'signed the old way' }));
  log.length = 0;
});

describe('SigV2 presigned URLs (accepted by default)', () => {
  it('serves a GET and logs one warning line for it, naming no secret', async () => {
    const res = await fetch(presignV2(env, { method: 'GET', path: '/test-bucket/docs/readme.txt' }));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('signed the old way');
    const warnings = log.filter((line) => /^\S+Z [0-9A-F]{16} warning: /.test(line));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('GetObject test-bucket/docs/readme.txt is signed with SigV2');
    expect(warnings[0]).not.toContain(env.S3_SECRET_KEY);
  });

  it('applies signed response-* overrides', async () => {
    const url = presignV2(env, { method: 'GET', path: '/test-bucket/docs/readme.txt', subresources: { 'response-content-type': 'text/markdown' } });
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/markdown');
  });

  it('accepts a PUT whose Content-Type is signed, and stores it', async () => {
    const url = presignV2(env, { method: 'PUT', path: '/test-bucket/uploads/v2.txt', contentType: 'text/plain' });
    const put = await fetch(url, { method: 'PUT', body: 'uploaded', headers: { 'content-type': 'text/plain' } });
    expect(put.status).toBe(200);
    const get = await fetch(presignV2(env, { method: 'GET', path: '/test-bucket/uploads/v2.txt' }));
    expect(get.headers.get('content-type')).toBe('text/plain');
    expect(await get.text()).toBe('uploaded');
  });

  it('signs the bucket of a virtual-host-style request (BUCKET.localhost) into the resource', async () => {
    const url = new URL(presignV2(env, { method: 'GET', path: '/test-bucket/docs/readme.txt' }));
    const body = await new Promise<string>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: emulator.port,
        path: `/docs/readme.txt${url.search}`,
        headers: { host: `test-bucket.localhost:${emulator.port}` },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(`${res.statusCode} ${text}`));
      });
      req.on('error', reject);
      req.end();
    });
    expect(body).toBe('200 signed the old way');
  });

  it('lists a bucket (ListObjectsV2)', async () => {
    const res = await fetch(`${presignV2(env, { method: 'GET', path: '/test-bucket/' })}&list-type=2`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<Key>docs/readme.txt</Key>');
  });

  it('a wrong secret or a changed request → 403 SignatureDoesNotMatch with the StringToSign', async () => {
    const wrong = presignV2({ ...env, S3_SECRET_KEY: 'not-the-secret' }, { method: 'GET', path: '/test-bucket/docs/readme.txt', expires: 2000000000 });
    const res = await fetch(wrong);
    expect(res.status).toBe(403);
    expect(errorFields(await res.text())).toMatchObject({
      Code: 'SignatureDoesNotMatch',
      StringToSign: 'GET\n\n\n2000000000\n/test-bucket/docs/readme.txt',
      AWSAccessKeyId: env.S3_ACCESS_KEY,
    });
    // A Content-Type other than the one signed.
    const url = presignV2(env, { method: 'PUT', path: '/test-bucket/uploads/typed.txt', contentType: 'text/plain' });
    const put = await fetch(url, { method: 'PUT', body: 'x', headers: { 'content-type': 'text/html' } });
    expect(put.status).toBe(403);
    expect(errorFields(await put.text()).Code).toBe('SignatureDoesNotMatch');
  });

  it('an expired URL → 403 AccessDenied "Request has expired"', async () => {
    const res = await fetch(presignV2(env, { method: 'GET', path: '/test-bucket/docs/readme.txt', expires: Math.floor(Date.now() / 1000) - 10 }));
    expect(res.status).toBe(403);
    expect(errorFields(await res.text())).toMatchObject({ Code: 'AccessDenied', Message: 'Request has expired' });
  });

  it('is authorized like any request: versionId needs s3:GetObjectVersion, another bucket is refused', async () => {
    const versioned = await fetch(presignV2(env, { method: 'GET', path: '/test-bucket/docs/readme.txt', subresources: { versionId: 'null' } }));
    expect(versioned.status).toBe(403);
    expect(errorFields(await versioned.text()).Message).toContain('not authorized to perform: s3:GetObjectVersion');
    const foreign = await fetch(presignV2(emulator.env('other-bucket'), { method: 'GET', path: '/test-bucket/docs/readme.txt' }));
    expect(foreign.status).toBe(403);
    expect(errorFields(await foreign.text()).Message).toContain('not authorized to perform: s3:GetObject');
  });

  it('x-amz-acl carried in the query (as boto3 puts it) needs s3:PutObjectAcl, as a header would', async () => {
    const url = presignV2(env, { method: 'PUT', path: '/test-bucket/uploads/public.txt', amz: { 'x-amz-acl': 'public-read' } });
    // A byte body: fetch gives a string body a Content-Type, which is signed in SigV2.
    const res = await fetch(url, { method: 'PUT', body: Buffer.from('x') });
    expect(res.status).toBe(403);
    expect(errorFields(await res.text()).Message).toContain('not authorized to perform: s3:PutObjectAcl');
  });

  it('an unknown access key → 403 InvalidAccessKeyId', async () => {
    const res = await fetch(presignV2({ ...env, S3_ACCESS_KEY: 'AKIANOSUCHKEY0000000' }, { method: 'GET', path: '/test-bucket/docs/readme.txt' }));
    expect(res.status).toBe(403);
    expect(errorFields(await res.text()).Code).toBe('InvalidAccessKeyId');
  });
});

/** Sends a request signed with `Authorization: AWS AKID:signature`, as boto3 with signature_version='s3' does. */
function sendSignedV2(
  env: BucketEnv,
  init: { method: string; path: string; body?: string; contentType?: string; date?: Date },
): Promise<{ status: number; text: string }> {
  const date = (init.date ?? new Date()).toUTCString();
  const stringToSign = `${init.method}\n\n${init.contentType ?? ''}\n${date}\n${init.path}`;
  const signature = createHmac('sha1', env.S3_SECRET_KEY).update(stringToSign).digest('base64');
  const url = new URL(env.S3_ENDPOINT);
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname,
      port: url.port,
      method: init.method,
      path: init.path,
      headers: {
        date,
        authorization: `AWS ${env.S3_ACCESS_KEY}:${signature}`,
        'content-length': String(Buffer.byteLength(init.body ?? '')),
        ...(init.contentType ? { 'content-type': init.contentType } : {}),
      },
    });
    req.on('response', (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

describe('SigV2 Authorization headers (accepted by default)', () => {
  it('serves a signed PUT and GET, with one warning line each', async () => {
    const put = await sendSignedV2(env, { method: 'PUT', path: '/test-bucket/v2/header.txt', body: 'header-signed', contentType: 'text/plain' });
    expect(put.status).toBe(200);
    const get = await sendSignedV2(env, { method: 'GET', path: '/test-bucket/v2/header.txt' });
    expect(get).toEqual({ status: 200, text: 'header-signed' });
    expect(log.filter((line) => /^\S+Z [0-9A-F]{16} warning: /.test(line))).toHaveLength(2);
  });

  it('a wrong signature → 403 SignatureDoesNotMatch; a Date 20 minutes off → 403 RequestTimeTooSkewed', async () => {
    const wrong = await sendSignedV2({ ...env, S3_SECRET_KEY: 'not-the-secret' }, { method: 'GET', path: '/test-bucket/docs/readme.txt' });
    expect(wrong.status).toBe(403);
    expect(errorFields(wrong.text).Code).toBe('SignatureDoesNotMatch');
    const skewed = await sendSignedV2(env, { method: 'GET', path: '/test-bucket/docs/readme.txt', date: new Date(Date.now() - 20 * 60_000) });
    expect(skewed.status).toBe(403);
    expect(errorFields(skewed.text).Code).toBe('RequestTimeTooSkewed');
  });
});

describe("sigv2: 'reject'", () => {
  it('refuses a valid SigV2 URL with 400 InvalidRequest, as S3 where SigV2 is off', async () => {
    const strict = await startEmulator({ buckets: [Bucket], sigv2: 'reject' });
    try {
      const res = await fetch(presignV2(strict.env(Bucket), { method: 'GET', path: '/test-bucket/docs/readme.txt' }));
      expect(res.status).toBe(400);
      expect(errorFields(await res.text())).toMatchObject({
        Code: 'InvalidRequest',
        Message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
      });
      const signed = await sendSignedV2(strict.env(Bucket), { method: 'GET', path: '/test-bucket/docs/readme.txt' });
      expect(signed.status).toBe(400);
      expect(errorFields(signed.text).Code).toBe('InvalidRequest');
    } finally {
      await strict.stop();
    }
  });

  it('the CLI takes --sigv2 reject', async () => {
    const cli = await startCli(['--temp', '--port', '0', '--quiet', '--bucket', Bucket, '--sigv2', 'reject']);
    try {
      const res = await fetch(presignV2(cli.env[Bucket] as unknown as BucketEnv, { method: 'GET', path: '/test-bucket/k' }));
      expect(res.status).toBe(400);
      expect(errorFields(await res.text()).Code).toBe('InvalidRequest');
    } finally {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  });

  it('refuses an unknown setting at start', async () => {
    await expect(startEmulator({ sigv2: 'maybe' as 'accept' })).rejects.toThrow('sigv2 must be "accept" or "reject", not "maybe"');
  });
});
