import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, s3ErrorOf, startTestEmulator, type TestEmulator } from '../helpers.js';
import { errorFields, signedFetch } from '../raw-request.js';

let t: TestEmulator;
const Bucket = 'test-bucket';
beforeAll(async () => {
  t = await startTestEmulator();
  await t.s3.send(new PutObjectCommand({ Bucket, Key: 'hello.txt', Body: 'hello' }));
});
afterAll(async () => {
  await t.emulator.stop();
});

const sha256Hex = (data: string) => createHash('sha256').update(data).digest('hex');

describe('header authentication', () => {
  it('refuses an unknown access key with InvalidAccessKeyId', async () => {
    const s3 = clientFor({ ...t.emulator.env(Bucket), S3_ACCESS_KEY: 'AKIANOTAREALKEY00000' });
    expect(await s3ErrorOf(s3.send(new GetObjectCommand({ Bucket, Key: 'hello.txt' })))).toMatchObject({
      code: 'InvalidAccessKeyId',
      status: 403,
    });
  });

  it('refuses a wrong secret with SignatureDoesNotMatch carrying StringToSign and CanonicalRequest', async () => {
    const s3 = clientFor({ ...t.emulator.env(Bucket), S3_SECRET_KEY: 'wrong-secret-wrong-secret-wrong-secret00' });
    const err = await s3ErrorOf(s3.send(new GetObjectCommand({ Bucket, Key: 'hello.txt' })));
    expect(err).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
    expect(String(err.raw.StringToSign)).toMatch(/^AWS4-HMAC-SHA256\n/);
    expect(String(err.raw.CanonicalRequest)).toMatch(/^GET\n\/test-bucket\/hello.txt\n/);
  });

  it('refuses a scope naming another region with AuthorizationHeaderMalformed', async () => {
    const s3 = clientFor({ ...t.emulator.env(Bucket), S3_REGION: 'eu-west-1' });
    const err = await s3ErrorOf(s3.send(new ListObjectsV2Command({ Bucket })));
    expect(err).toMatchObject({ code: 'AuthorizationHeaderMalformed', status: 400 });
    expect(err.message).toContain("the region 'eu-west-1' is wrong; expecting 'us-east-1'");
  });

  it('refuses a clock more than 15 minutes off with RequestTimeTooSkewed', async () => {
    const res = await signedFetch(t.emulator.env(Bucket), {
      method: 'GET',
      path: '/test-bucket/hello.txt',
      signingDate: new Date(Date.now() - 20 * 60_000),
    });
    expect(res.status).toBe(403);
    expect(errorFields(res.text).Code).toBe('RequestTimeTooSkewed');
  });

  it('refuses an anonymous request with AccessDenied', async () => {
    const res = await fetch(`${t.emulator.endpoint}/test-bucket/hello.txt`);
    expect(res.status).toBe(403);
    expect(errorFields(await res.text())).toMatchObject({ Code: 'AccessDenied', Message: 'Access Denied' });
  });

  it('requires x-amz-content-sha256 (InvalidRequest) and a valid value (InvalidArgument)', async () => {
    const env = t.emulator.env(Bucket);
    const missing = await signedFetch(env, { method: 'GET', path: '/test-bucket/hello.txt', payloadHash: null });
    expect(missing.status).toBe(400);
    expect(errorFields(missing.text)).toMatchObject({
      Code: 'InvalidRequest',
      Message: 'Missing required header for this request: x-amz-content-sha256',
    });
    const invalid = await signedFetch(env, { method: 'GET', path: '/test-bucket/hello.txt', payloadHash: 'not-a-hash' });
    expect(invalid.status).toBe(400);
    expect(errorFields(invalid.text).Code).toBe('InvalidArgument');
  });

  it('checks a hex payload hash against the body: XAmzContentSHA256Mismatch, nothing stored', async () => {
    const env = t.emulator.env(Bucket);
    const res = await signedFetch(env, {
      method: 'PUT',
      path: '/test-bucket/mismatch.txt',
      body: 'actual body',
      payloadHash: sha256Hex('another body'),
    });
    expect(res.status).toBe(400);
    expect(errorFields(res.text).Code).toBe('XAmzContentSHA256Mismatch');
    expect((await s3ErrorOf(t.s3.send(new GetObjectCommand({ Bucket, Key: 'mismatch.txt' })))).code).toBe('NoSuchKey');

    const ok = await signedFetch(env, { method: 'PUT', path: '/test-bucket/signed.txt', body: 'signed body' });
    expect(ok.status).toBe(200);
    const got = await t.s3.send(new GetObjectCommand({ Bucket, Key: 'signed.txt' }));
    expect(await got.Body!.transformToString()).toBe('signed body');
  });

  it('accepts a zero-byte PUT with Expect: 100-continue on a keep-alive connection', async () => {
    const env = t.emulator.env(Bucket);
    for (let i = 0; i < 3; i++) {
      const res = await signedFetch(env, { method: 'PUT', path: `/test-bucket/expect-${i}`, body: '', headers: { expect: '100-continue' } });
      expect(res.status).toBe(200);
    }
  });
});

describe('credentials reach their own bucket only', () => {
  it("refuses another bucket's credentials with AccessDenied, for reads and writes", async () => {
    const read = await s3ErrorOf(t.other.send(new GetObjectCommand({ Bucket, Key: 'hello.txt' })));
    expect(read).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(read.message).toContain('s3:GetObject');
    const write = await s3ErrorOf(t.other.send(new PutObjectCommand({ Bucket, Key: 'intruder', Body: 'x' })));
    expect(write).toMatchObject({ code: 'AccessDenied', status: 403 });
    const list = await s3ErrorOf(t.other.send(new ListObjectsV2Command({ Bucket })));
    expect(list).toMatchObject({ code: 'AccessDenied', status: 403 });
  });
});

describe('refused operations name the IAM action they need', () => {
  it.each([
    ['ListBuckets', () => new ListBucketsCommand({}), 's3:ListAllMyBuckets'],
    ['CreateBucket', () => new CreateBucketCommand({ Bucket: 'new-bucket' }), 's3:CreateBucket'],
    ['PutBucketPolicy', () => new PutBucketPolicyCommand({ Bucket, Policy: '{}' }), 's3:PutBucketPolicy'],
    ['PutObject with x-amz-acl', () => new PutObjectCommand({ Bucket, Key: 'acl', Body: 'x', ACL: 'public-read' }), 's3:PutObjectAcl'],
    ['PutObject with x-amz-tagging', () => new PutObjectCommand({ Bucket, Key: 'tag', Body: 'x', Tagging: 'a=b' }), 's3:PutObjectTagging'],
  ])('%s → 403 AccessDenied naming %s', async (_name, command, action) => {
    const err = await s3ErrorOf((t.s3 as S3Client).send(command() as never));
    expect(err).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(err.message).toContain(`not authorized to perform: ${action}`);
  });
});

describe('presigned URLs', () => {
  it('GET and PUT through fetch', async () => {
    const putUrl = await getSignedUrl(t.s3, new PutObjectCommand({ Bucket, Key: 'presigned.txt' }), { expiresIn: 60 });
    const put = await fetch(putUrl, { method: 'PUT', body: 'via presigned PUT' });
    expect(put.status).toBe(200);
    const getUrl = await getSignedUrl(t.s3, new GetObjectCommand({ Bucket, Key: 'presigned.txt' }), { expiresIn: 60 });
    const get = await fetch(getUrl);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe('via presigned PUT');
  });

  it('refuses an expired URL with AccessDenied "Request has expired"', async () => {
    const url = await getSignedUrl(t.s3, new GetObjectCommand({ Bucket, Key: 'hello.txt' }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 3600_000),
    });
    const res = await fetch(url);
    expect(res.status).toBe(403);
    expect(errorFields(await res.text())).toMatchObject({ Code: 'AccessDenied', Message: 'Request has expired' });
  });

  it('refuses X-Amz-Expires beyond a week with AuthorizationQueryParametersError', async () => {
    const url = new URL(await getSignedUrl(t.s3, new GetObjectCommand({ Bucket, Key: 'hello.txt' }), { expiresIn: 60 }));
    url.searchParams.set('X-Amz-Expires', '604801');
    const res = await fetch(url);
    expect(res.status).toBe(400);
    expect(errorFields(await res.text()).Code).toBe('AuthorizationQueryParametersError');
  });

  it('refuses a tampered URL with SignatureDoesNotMatch', async () => {
    const url = await getSignedUrl(t.s3, new GetObjectCommand({ Bucket, Key: 'hello.txt' }), { expiresIn: 60 });
    const res = await fetch(url.replace('hello.txt', 'other.txt'));
    expect(res.status).toBe(403);
    expect(errorFields(await res.text()).Code).toBe('SignatureDoesNotMatch');
  });
});
