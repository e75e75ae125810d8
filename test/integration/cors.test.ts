/**
 * CORS as a browser meets it: preflights (OPTIONS, unauthenticated) and the headers on actual
 * responses, for a page at https://app.example that PUTs to a presigned URL and POSTs a form.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/index.js';
import { clientFor } from '../helpers.js';
import { startCli } from '../cli-process.js';
import { errorFields } from '../raw-request.js';

const Bucket = 'test-bucket';
const APP = 'https://app.example';
const NOT_ALLOWED =
  "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headerss are not whitelisted by the resource's CORS spec.";

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({
    buckets: [
      {
        name: Bucket,
        cors: [
          {
            AllowedOrigins: [APP],
            AllowedMethods: ['GET', 'PUT', 'POST', 'HEAD'],
            AllowedHeaders: ['content-type', 'x-amz-*'],
            ExposeHeaders: ['ETag', 'x-amz-request-id'],
            MaxAgeSeconds: 600,
          },
          { AllowedOrigins: ['*'], AllowedMethods: ['GET'] },
        ],
      },
      'other-bucket',
    ],
  });
  await clientFor(emulator.env(Bucket)).send(new PutObjectCommand({ Bucket, Key: 'shared.txt', Body: 'shared' }));
});
afterAll(async () => {
  await emulator.stop();
});

function preflight(path: string, headers: Record<string, string>) {
  return fetch(`${emulator.endpoint}${path}`, { method: 'OPTIONS', headers });
}

describe('preflight (OPTIONS)', () => {
  it('answers 200 with the matching rule, without credentials', async () => {
    const res = await preflight('/test-bucket/uploads/photo.jpg', {
      Origin: APP,
      'Access-Control-Request-Method': 'PUT',
      'Access-Control-Request-Headers': 'content-type,x-amz-meta-owner',
    });
    expect(res.status).toBe(200);
    expect(Object.fromEntries([...res.headers].filter(([name]) => name.startsWith('access-control-') || name === 'vary'))).toEqual({
      'access-control-allow-origin': APP,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, PUT, POST, HEAD',
      'access-control-allow-headers': 'content-type, x-amz-meta-owner',
      'access-control-expose-headers': 'ETag, x-amz-request-id',
      'access-control-max-age': '600',
      vary: 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method',
    });
    expect(res.headers.get('x-amz-request-id')).toBeTruthy();
  });

  it('answers a bucket-level preflight (the form POST) and any origin for GET through the * rule', async () => {
    const post = await preflight('/test-bucket', { Origin: APP, 'Access-Control-Request-Method': 'POST' });
    expect(post.status).toBe(200);
    const anyone = await preflight('/test-bucket/shared.txt', { Origin: 'https://elsewhere.example', 'Access-Control-Request-Method': 'GET' });
    expect(anyone.status).toBe(200);
    expect(anyone.headers.get('access-control-allow-origin')).toBe('*');
    expect(anyone.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('a method, origin or header no rule allows → 403 AccessForbidden with S3\'s message', async () => {
    const refused: Array<Record<string, string>> = [
      { Origin: APP, 'Access-Control-Request-Method': 'DELETE' },
      { Origin: 'https://elsewhere.example', 'Access-Control-Request-Method': 'PUT' },
      { Origin: APP, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'authorization' },
    ];
    for (const headers of refused) {
      const res = await preflight('/test-bucket/k', headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(errorFields(await res.text())).toMatchObject({
        Code: 'AccessForbidden',
        Message: NOT_ALLOWED,
        Method: headers['Access-Control-Request-Method'],
        ResourceType: 'OBJECT',
      });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('a bucket without CORS rules → 403 "CORS is not enabled for this bucket."', async () => {
    const res = await preflight('/other-bucket', { Origin: APP, 'Access-Control-Request-Method': 'GET' });
    expect(res.status).toBe(403);
    expect(errorFields(await res.text())).toMatchObject({ Code: 'AccessForbidden', Message: 'CORSResponse: CORS is not enabled for this bucket.', ResourceType: 'BUCKET' });
  });

  it('answers virtual-host-style preflights (BUCKET.localhost) from that bucket\'s rules', async () => {
    const answer = await new Promise<{ status: number; origin: unknown }>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: emulator.port,
        method: 'OPTIONS',
        path: '/uploads/photo.jpg',
        headers: { host: `test-bucket.localhost:${emulator.port}`, origin: APP, 'access-control-request-method': 'PUT' },
      });
      req.on('response', (res) => {
        res.resume().on('end', () => resolve({ status: res.statusCode!, origin: res.headers['access-control-allow-origin'] }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer).toEqual({ status: 200, origin: APP });
  });

  it('no Origin, or no Access-Control-Request-Method → 400 BadRequest', async () => {
    const noOrigin = await preflight('/test-bucket/k', { 'Access-Control-Request-Method': 'GET' });
    expect(noOrigin.status).toBe(400);
    expect(errorFields(await noOrigin.text())).toMatchObject({ Code: 'BadRequest', Message: 'Insufficient information. Origin request header needed.' });
    const noMethod = await preflight('/test-bucket/k', { Origin: APP });
    expect(noMethod.status).toBe(400);
    expect(errorFields(await noMethod.text())).toMatchObject({ Code: 'BadRequest', Message: 'Invalid Access-Control-Request-Method: null' });
  });
});

describe('actual cross-origin requests', () => {
  it('a presigned PUT from the page gets Access-Control-Allow-Origin and the exposed headers', async () => {
    const s3 = clientFor(emulator.env(Bucket));
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: 'uploads/from-page.txt', ContentType: 'text/plain' }), { expiresIn: 60 });
    const res = await fetch(url, { method: 'PUT', body: 'from the page', headers: { Origin: APP, 'content-type': 'text/plain' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-expose-headers')).toBe('ETag, x-amz-request-id');
    expect(res.headers.get('vary')).toBe('Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'uploads/from-page.txt' }));
    expect(await got.Body!.transformToString()).toBe('from the page');
  });

  it('a form POST from the page (createPresignedPost) gets the CORS headers', async () => {
    const { url, fields } = await createPresignedPost(clientFor(emulator.env(Bucket)), { Bucket, Key: 'uploads/${filename}' });
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append('file', new Blob(['form bytes']), 'form.txt');
    const res = await fetch(url, { method: 'POST', body: form, headers: { Origin: APP } });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-expose-headers')).toBe('ETag, x-amz-request-id');
  });

  it('errors carry the CORS headers too, so the page can read them', async () => {
    const url = await getSignedUrl(clientFor(emulator.env(Bucket)), new GetObjectCommand({ Bucket, Key: 'missing.txt' }), { expiresIn: 60 });
    const res = await fetch(url, { headers: { Origin: APP } });
    expect(res.status).toBe(404);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(errorFields(await res.text()).Code).toBe('NoSuchKey');
  });

  it('an origin no rule allows for the method gets no Access-Control-Allow-Origin (the browser then blocks it)', async () => {
    const url = await getSignedUrl(clientFor(emulator.env(Bucket)), new PutObjectCommand({ Bucket, Key: 'uploads/x.txt' }), { expiresIn: 60 });
    const res = await fetch(url, { method: 'PUT', body: 'x', headers: { Origin: 'https://elsewhere.example' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('vary')).toBe('Origin, Access-Control-Request-Headers, Access-Control-Request-Method');
  });

  it('a request without Origin, or to a bucket without rules, gets no CORS headers', async () => {
    const url = await getSignedUrl(clientFor(emulator.env(Bucket)), new GetObjectCommand({ Bucket, Key: 'shared.txt' }), { expiresIn: 60 });
    expect((await fetch(url)).headers.get('access-control-allow-origin')).toBeNull();
    const other = await getSignedUrl(clientFor(emulator.env('other-bucket')), new GetObjectCommand({ Bucket: 'other-bucket', Key: 'k' }), { expiresIn: 60 });
    const res = await fetch(other, { headers: { Origin: APP } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(res.headers.get('vary')).toBeNull();
  });
});

describe('configuring CORS', () => {
  it('startEmulator refuses invalid rules, naming the bucket and the problem', async () => {
    await expect(startEmulator({ buckets: [{ name: Bucket, cors: [{ AllowedOrigins: ['*'], AllowedMethods: ['PATCH'] }] }] })).rejects.toThrow(
      'Bucket "test-bucket" cors: rule 1: AllowedMethod "PATCH" is not supported',
    );
  });

  it('the CLI takes --cors BUCKET=FILE, and stops with a message for a bad file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'smll-cors-'));
    try {
      const file = join(dir, 'cors.json');
      writeFileSync(file, JSON.stringify({ CORSRules: [{ AllowedOrigins: [APP], AllowedMethods: ['PUT'], AllowedHeaders: ['*'] }] }));
      const cli = await startCli(['--temp', '--port', '0', '--bucket', 'web-bucket', '--cors', `web-bucket=${file}`, '--quiet']);
      try {
        const res = await fetch(`${cli.endpoint}/web-bucket/a.txt`, {
          method: 'OPTIONS',
          headers: { Origin: APP, 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'content-type' },
        });
        expect(res.status).toBe(200);
        expect(res.headers.get('access-control-allow-headers')).toBe('content-type');
      } finally {
        cli.child.kill('SIGTERM');
        await cli.exited;
      }
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify([{ AllowedOrigins: [APP] }]));
      await expect(startCli(['--temp', '--port', '0', '--bucket', 'web-bucket', '--cors', `web-bucket=${bad}`])).rejects.toThrow(
        `rule 1: AllowedMethods must be a list of non-empty strings`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
