/**
 * PostObject, the browser form upload: policies made by @aws-sdk/s3-presigned-post, sent as a
 * browser sends them (fetch + FormData), and what each violated rule gets.
 */
import { createHash, createHmac } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/index.js';
import { s3ErrorOf, sqliteDataDir, startTestEmulator, type TestEmulator } from '../helpers.js';
import { errorFields } from '../raw-request.js';

let t: TestEmulator;
const Bucket = 'test-bucket';
beforeAll(async () => {
  t = await startTestEmulator();
});
afterAll(async () => {
  await t.emulator.stop();
});
beforeEach(() => t.emulator.reset());

interface Post {
  url: string;
  fields: Record<string, string>;
}

async function presign(options: Partial<PresignedPostOptions> & { Key: string }, client = t.s3): Promise<Post> {
  return createPresignedPost(client, { Bucket, ...options });
}

/** Sends the form as a browser does: the fields in order, then the file. */
async function submit(post: Post, file: Blob | string = 'hello form', filename = 'hello.txt', after: Record<string, string> = {}) {
  const form = new FormData();
  for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
  form.append('file', typeof file === 'string' ? new Blob([file]) : file, filename);
  for (const [name, value] of Object.entries(after)) form.append(name, value);
  const res = await fetch(post.url, { method: 'POST', body: form, redirect: 'manual' });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

async function objectText(Key: string): Promise<string> {
  const got = await t.s3.send(new GetObjectCommand({ Bucket, Key }));
  return got.Body!.transformToString();
}

async function expectAbsent(Key: string) {
  expect(await s3ErrorOf(t.s3.send(new HeadObjectCommand({ Bucket, Key })))).toMatchObject({ status: 404 });
}

describe('PostObject with a createPresignedPost policy', () => {
  it('stores the file under the key and answers 204 with ETag and Location', async () => {
    const res = await submit(await presign({ Key: 'uploads/hello.txt' }));
    expect(res.status).toBe(204);
    expect(res.headers.get('etag')).toBe(`"${createHash('md5').update('hello form').digest('hex')}"`);
    expect(res.headers.get('location')).toBe(`${t.emulator.endpoint}/${Bucket}/uploads/hello.txt`);
    expect(await objectText('uploads/hello.txt')).toBe('hello form');
  });

  it('replaces ${filename} in the key with the file part\'s name', async () => {
    const res = await submit(await presign({ Key: 'uploads/${filename}' }), 'photo bytes', 'photo 1.jpg');
    expect(res.status).toBe(204);
    expect(await objectText('uploads/photo 1.jpg')).toBe('photo bytes');
  });

  it('stores Content-Type and x-amz-meta-* fields as the object\'s metadata', async () => {
    const post = await presign({
      Key: 'meta.txt',
      Fields: { 'Content-Type': 'text/plain; charset=utf-8', 'x-amz-meta-owner': 'alice', 'Cache-Control': 'max-age=60' },
    });
    expect((await submit(post)).status).toBe(204);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'meta.txt' }));
    expect(head).toMatchObject({ ContentType: 'text/plain; charset=utf-8', Metadata: { owner: 'alice' }, CacheControl: 'max-age=60' });
  });

  it('answers success_action_status 201 with a PostResponse document, 200 with an empty body', async () => {
    const created = await submit(await presign({ Key: 'status-201.txt', Fields: { success_action_status: '201' } }));
    expect(created.status).toBe(201);
    expect(created.text).toContain('<PostResponse>');
    expect(errorFields(created.text)).toMatchObject({
      Bucket,
      Key: 'status-201.txt',
      ETag: `"${createHash('md5').update('hello form').digest('hex')}"`,
      Location: `${t.emulator.endpoint}/${Bucket}/status-201.txt`,
    });
    const ok = await submit(await presign({ Key: 'status-200.txt', Fields: { success_action_status: '200' } }));
    expect(ok).toMatchObject({ status: 200, text: '' });
  });

  it('redirects with 303 to success_action_redirect, adding bucket, key and etag', async () => {
    const res = await submit(await presign({ Key: 'redirected.txt', Fields: { success_action_redirect: 'https://app.example/done?upload=1' } }));
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://app.example/done');
    expect(Object.fromEntries(location.searchParams)).toEqual({
      upload: '1',
      bucket: Bucket,
      key: 'redirected.txt',
      etag: `"${createHash('md5').update('hello form').digest('hex')}"`,
    });
  });

  it('streams a large file to the store byte-exact', async () => {
    const size = 24 * 1024 * 1024;
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4096) data.writeUInt32BE(i, i);
    const res = await submit(await presign({ Key: 'large.bin', Conditions: [['content-length-range', 0, size]] }), new Blob([data]), 'large.bin');
    expect(res.status).toBe(204);
    const got = await t.s3.send(new GetObjectCommand({ Bucket, Key: 'large.bin' }));
    const stored = Buffer.from(await got.Body!.transformToByteArray());
    expect(stored.length).toBe(size);
    expect(createHash('sha256').update(stored).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('verifies an x-amz-checksum-crc32 field: a matching one is stored, a wrong one is BadDigest and nothing is stored', async () => {
    // CRC32 of "hello form".
    const { crc32 } = await import('node:zlib');
    const good = Buffer.alloc(4);
    good.writeUInt32BE(crc32('hello form'));
    const ok = await submit(await presign({ Key: 'summed.txt', Fields: { 'x-amz-checksum-crc32': good.toString('base64') } }));
    expect(ok.status).toBe(204);
    expect(ok.headers.get('x-amz-checksum-crc32')).toBe(good.toString('base64'));

    const bad = await submit(await presign({ Key: 'bad-sum.txt', Fields: { 'x-amz-checksum-crc32': 'AAAAAA==' } }));
    expect(bad.status).toBe(400);
    expect(errorFields(bad.text).Code).toBe('BadDigest');
    await expectAbsent('bad-sum.txt');
  });

  it('ignores fields that come after the file, as S3 does', async () => {
    const res = await submit(await presign({ Key: 'after.txt' }), 'body', 'a.txt', { 'x-amz-meta-late': 'ignored' });
    expect(res.status).toBe(204);
    const head = await t.s3.send(new HeadObjectCommand({ Bucket, Key: 'after.txt' }));
    expect(head.Metadata).toEqual({});
  });
});

describe('PostObject policy violations', () => {
  async function expectError(res: { status: number; text: string }, status: number, code: string, message?: string) {
    expect(res.status).toBe(status);
    const fields = errorFields(res.text);
    expect(fields.Code).toBe(code);
    if (message !== undefined) expect(fields.Message).toBe(message);
    return fields;
  }

  it('a key other than the policy\'s → 403 AccessDenied naming the failed condition', async () => {
    const post = await presign({ Key: 'uploads/allowed.txt' });
    post.fields.key = 'elsewhere.txt';
    await expectError(await submit(post), 403, 'AccessDenied', 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "uploads/allowed.txt"]');
    await expectAbsent('elsewhere.txt');
  });

  it('a key outside a starts-with condition → 403 AccessDenied naming it', async () => {
    const post = await presign({ Key: 'uploads/${filename}' });
    post.fields.key = 'private/${filename}';
    await expectError(await submit(post), 403, 'AccessDenied', 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "uploads/"]');
  });

  it('a field the policy does not mention → 403 AccessDenied "Extra input fields"', async () => {
    const post = await presign({ Key: 'extra.txt' });
    post.fields['x-amz-meta-sneaky'] = 'yes';
    await expectError(await submit(post), 403, 'AccessDenied', 'Invalid according to Policy: Extra input fields: x-amz-meta-sneaky');
  });

  it('an x-ignore- field needs no condition', async () => {
    const post = await presign({ Key: 'ignored.txt' });
    post.fields['x-ignore-tracking'] = 'abc';
    expect((await submit(post)).status).toBe(204);
  });

  it('an expired policy → 403 AccessDenied "Policy expired."', async () => {
    await expectError(await submit(await presign({ Key: 'late.txt', Expires: -60 })), 403, 'AccessDenied', 'Invalid according to Policy: Policy expired.');
  });

  it('a file over content-length-range → 400 EntityTooLarge; under it → 400 EntityTooSmall; nothing stored', async () => {
    const big = await expectError(
      await submit(await presign({ Key: 'big.txt', Conditions: [['content-length-range', 1, 5]] }), '123456'),
      400,
      'EntityTooLarge',
      'Your proposed upload exceeds the maximum allowed size',
    );
    expect(big.MaxSizeAllowed).toBe('5');
    await expectAbsent('big.txt');
    const small = await expectError(
      await submit(await presign({ Key: 'small.txt', Conditions: [['content-length-range', 10, 20]] }), '123'),
      400,
      'EntityTooSmall',
      'Your proposed upload is smaller than the minimum allowed size',
    );
    expect(small).toMatchObject({ ProposedSize: '3', MinSizeAllowed: '10' });
    await expectAbsent('small.txt');
  });

  it('a malformed checksum field with an oversized file → 400 InvalidRequest, and the file still arriving is dropped without a fault', async () => {
    const post = await presign({ Key: 'both-bad.txt', Conditions: [['content-length-range', 0, 5]], Fields: { 'x-amz-checksum-crc32': 'not a checksum' } });
    await expectError(await submit(post, 'x'.repeat(256 * 1024)), 400, 'InvalidRequest');
    await expectAbsent('both-bad.txt');
    expect((await submit(await presign({ Key: 'after-both-bad.txt' }))).status).toBe(204);
  });

  it('a tampered policy or signature → 403 SignatureDoesNotMatch with the policy as StringToSign', async () => {
    const post = await presign({ Key: 'signed.txt' });
    const policy = JSON.parse(Buffer.from(post.fields.Policy!, 'base64').toString()) as { conditions: unknown[] };
    policy.conditions.push(['content-length-range', 0, 10 ** 9]);
    const tampered = Buffer.from(JSON.stringify(policy)).toString('base64');
    const fields = await expectError(await submit({ ...post, fields: { ...post.fields, Policy: tampered } }), 403, 'SignatureDoesNotMatch');
    expect(fields.StringToSign).toBe(tampered);
    await expectError(await submit({ ...post, fields: { ...post.fields, 'X-Amz-Signature': '0'.repeat(64) } }), 403, 'SignatureDoesNotMatch');
  });

  it("another bucket's credentials → 403 AccessDenied naming s3:PutObject", async () => {
    const post = await presign({ Key: 'foreign.txt' }, t.other);
    const fields = await expectError(await submit(post), 403, 'AccessDenied');
    expect(fields.Message).toContain('not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::test-bucket"');
  });

  it('an acl field → 403 AccessDenied naming s3:PutObjectAcl (as x-amz-acl on a PUT)', async () => {
    const fields = await expectError(await submit(await presign({ Key: 'acl.txt', Fields: { acl: 'public-read' } })), 403, 'AccessDenied');
    expect(fields.Message).toContain('not authorized to perform: s3:PutObjectAcl');
  });

  it('a form without credentials → 403 AccessDenied (buckets are never public)', async () => {
    const form = new FormData();
    form.append('key', 'anon.txt');
    form.append('file', new Blob(['x']), 'x.txt');
    const res = await fetch(`${t.emulator.endpoint}/${Bucket}`, { method: 'POST', body: form });
    await expectError({ status: res.status, text: await res.text() }, 403, 'AccessDenied', 'Access Denied');
  });

  it('a missing signature field → 400 InvalidArgument naming it', async () => {
    const post = await presign({ Key: 'unsigned.txt' });
    delete post.fields['X-Amz-Signature'];
    const fields = await expectError(await submit(post), 400, 'InvalidArgument');
    expect(fields.ArgumentName).toBe('x-amz-signature');
  });

  it('a policy without a key field → 400 InvalidArgument naming key', async () => {
    const post = await presign({ Key: 'k.txt' });
    delete post.fields.key;
    // The policy's own {"key": …} condition is checked first.
    await expectError(await submit(post), 403, 'AccessDenied', 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "k.txt"]');
    const open = await presign({ Key: '${filename}', Conditions: [['starts-with', '$key', '']] });
    delete open.fields.key;
    const fields = await expectError(await submit(open), 400, 'InvalidArgument');
    expect(fields.ArgumentName).toBe('key');
  });

  it('a form without a file → 400 InvalidArgument "POST requires exactly one file upload per request."', async () => {
    const post = await presign({ Key: 'nofile.txt' });
    const form = new FormData();
    for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
    const res = await fetch(post.url, { method: 'POST', body: form });
    await expectError({ status: res.status, text: await res.text() }, 400, 'InvalidArgument', 'POST requires exactly one file upload per request.');
  });

  it('a body that is not multipart/form-data → 412 PreconditionFailed; a malformed one → 400 MalformedPOSTRequest', async () => {
    const url = `${t.emulator.endpoint}/${Bucket}`;
    const json = await fetch(url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    const fields = await expectError({ status: json.status, text: await json.text() }, 412, 'PreconditionFailed');
    expect(fields.Condition).toBe('Bucket POST must be of the enclosure-type multipart/form-data');

    const noBoundary = await fetch(url, { method: 'POST', body: 'x', headers: { 'content-type': 'multipart/form-data' } });
    await expectError({ status: noBoundary.status, text: await noBoundary.text() }, 400, 'MalformedPOSTRequest');
    const truncated = await fetch(url, {
      method: 'POST',
      body: '--b\r\nContent-Disposition: form-data; name="key"\r\n\r\nvalue-without-an-end',
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
    });
    await expectError({ status: truncated.status, text: await truncated.text() }, 400, 'MalformedPOSTRequest');
  });

  // Found by test/fuzz/post-policy.test.ts: busboy names such a part undefined, which threw outside the pipeline.
  it('a part whose Content-Disposition has no name → 400 MalformedPOSTRequest (RFC 7578 §4.2 requires one)', async () => {
    const url = `${t.emulator.endpoint}/${Bucket}`;
    for (const disposition of ['form-data', 'form-data; filename="f.txt"', 'form-data; name=""']) {
      const res = await fetch(url, {
        method: 'POST',
        body: `--b\r\nContent-Disposition: ${disposition}\r\n\r\nvalue\r\n--b--\r\n`,
        headers: { 'content-type': 'multipart/form-data; boundary=b' },
      });
      await expectError({ status: res.status, text: await res.text() }, 400, 'MalformedPOSTRequest');
    }
  });

  // Found by test/fuzz/post-policy.test.ts: the unread file stream's "Unexpected end of form" was an uncaught exception.
  it('a refused form whose file part never ends → 403 SignatureDoesNotMatch, and the server serves on', async () => {
    const post = await presign({ Key: 'refused.txt' });
    post.fields['X-Amz-Signature'] = '0'.repeat(64);
    let body = '';
    for (const [name, value] of Object.entries(post.fields)) body += `--b\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    body += '--b\r\nContent-Disposition: form-data; name="file"; filename="f.txt"\r\n\r\nno closing boundary';
    const res = await fetch(post.url, { method: 'POST', body, headers: { 'content-type': 'multipart/form-data; boundary=b' } });
    await expectError({ status: res.status, text: await res.text() }, 403, 'SignatureDoesNotMatch');
    await expectAbsent('refused.txt');
    expect((await submit(await presign({ Key: 'after-refused.txt' }))).status).toBe(204);
  });

  it('fields over 20 KB before the file → 400 MaxPostPreDataLengthExceededError', async () => {
    const post = await presign({ Key: 'fat.txt', Conditions: [['starts-with', '$x-amz-meta-fat', '']] });
    post.fields['x-amz-meta-fat'] = 'x'.repeat(21 * 1024);
    await expectError(await submit(post), 400, 'MaxPostPreDataLengthExceededError');
  });

  it('a client that goes away mid-file → nothing stored, no staged file left, the server serves on', async () => {
    const post = await presign({ Key: 'cut.bin' });
    const boundary = 'cut-boundary';
    let head = '';
    for (const [name, value] of Object.entries(post.fields)) head += `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    head += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.bin"\r\n\r\n`;
    const url = new URL(post.url);
    await new Promise<void>((resolve) => {
      const req = request({
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + 1_000_000) },
      });
      req.on('error', () => resolve());
      req.on('response', (res) => res.resume().on('end', resolve));
      req.write(head);
      req.write(Buffer.alloc(64 * 1024), () => setTimeout(() => req.destroy(), 50));
    });
    const dataDir = sqliteDataDir(t.emulator);
    if (dataDir !== undefined) await expect.poll(() => readdirSync(join(dataDir, 'tmp'))).toEqual([]);
    await expectAbsent('cut.bin');
    expect((await submit(await presign({ Key: 'after-cut.txt' }))).status).toBe(204);
  });
});

describe('PostObject signed with SigV2 (boto3 generate_presigned_post with signature_version="s3")', () => {
  /** The SigV2 form: AWSAccessKeyId, the policy, and signature = base64 HMAC-SHA1 of the base64 policy. */
  function sigV2Form(secret: string, accessKey: string, key: string): Post {
    const policy = Buffer.from(
      JSON.stringify({ expiration: new Date(Date.now() + 60_000).toISOString(), conditions: [{ bucket: Bucket }, { key }] }),
    ).toString('base64');
    const signature = createHmac('sha1', secret).update(policy).digest('base64');
    return { url: `${t.emulator.endpoint}/${Bucket}`, fields: { key, AWSAccessKeyId: accessKey, policy, signature } };
  }

  it('is accepted by default, and refused with 400 InvalidRequest under sigv2: reject', async () => {
    const env = t.emulator.env(Bucket);
    expect((await submit(sigV2Form(env.S3_SECRET_KEY, env.S3_ACCESS_KEY, 'v2-form.txt'))).status).toBe(204);
    expect(await objectText('v2-form.txt')).toBe('hello form');
    const wrong = await submit(sigV2Form('not-the-secret', env.S3_ACCESS_KEY, 'v2-wrong.txt'));
    expect(wrong.status).toBe(403);
    expect(errorFields(wrong.text).Code).toBe('SignatureDoesNotMatch');

    const strict = await startEmulator({ buckets: [Bucket], sigv2: 'reject' });
    try {
      const strictEnv = strict.env(Bucket);
      const form = sigV2Form(strictEnv.S3_SECRET_KEY, strictEnv.S3_ACCESS_KEY, 'v2-form.txt');
      const res = await submit({ ...form, url: `${strict.endpoint}/${Bucket}` });
      expect(res.status).toBe(400);
      expect(errorFields(res.text)).toMatchObject({
        Code: 'InvalidRequest',
        Message: 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
      });
    } finally {
      await strict.stop();
    }
  });
});
