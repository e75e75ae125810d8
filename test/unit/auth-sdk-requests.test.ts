/**
 * Requests as the AWS SDK for JavaScript v3 really sends them (header signing, presigning, default
 * CRC32 checksums in headers and in aws-chunked trailers, awkward keys), through authenticate and
 * decodeBody on a bare node:http server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, type ChecksumAlgorithm } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeBody, type DecodedBodyResult } from '../../src/auth/payload.js';
import { verifySignature as authenticate } from '../../src/auth/authenticate.js';
import type { Authentication } from '../../src/auth/types.js';
import { S3Error } from '../../src/s3/s3-error.js';

const CREDENTIALS = { accessKeyId: 'AKIASDKTEST', secretAccessKey: 'sdk/test+secret' };
const REGION = 'eu-central-1';

interface Seen {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  auth?: Authentication;
  body?: Buffer;
  result?: DecodedBodyResult;
  error?: S3Error;
}

let server: Server;
let endpoint: string;
const seen: Seen[] = [];

function respondError(res: import('node:http').ServerResponse, err: S3Error): void {
  res.writeHead(err.status, { 'content-type': 'application/xml' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${err.code}</Code><Message>${err.message}</Message></Error>`);
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = req.url ?? '/';
    const question = url.indexOf('?');
    const request = {
      method: req.method ?? 'GET',
      rawPath: question === -1 ? url : url.slice(0, question),
      rawQuery: question === -1 ? '' : url.slice(question + 1),
      headers: req.headers,
    };
    const record: Seen = { method: request.method, url, headers: { ...req.headers } };
    seen.push(record);
    try {
      record.auth = authenticate(request, (key) => (key === CREDENTIALS.accessKeyId ? CREDENTIALS.secretAccessKey : undefined), {
        region: REGION,
      });
      if (request.method !== 'PUT') {
        res.writeHead(200, { 'content-type': 'application/xml' });
        res.end(request.rawQuery.includes('list-type=2') ? '<ListBucketResult></ListBucketResult>' : '');
        return;
      }
      const body = decodeBody(req, record.auth, req.headers);
      const chunks: Buffer[] = [];
      body.stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      body.stream.on('end', () => {
        record.body = Buffer.concat(chunks);
        record.result = body.result();
        res.writeHead(200, { etag: `"${record.result.md5.toString('hex')}"` });
        res.end();
      });
      body.stream.on('error', (err) => {
        record.error = err as S3Error;
        respondError(res, err as S3Error);
      });
    } catch (err) {
      if (!(err instanceof S3Error)) throw err;
      record.error = err;
      respondError(res, err);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

function client(): S3Client {
  return new S3Client({ region: REGION, endpoint, forcePathStyle: true, credentials: CREDENTIALS });
}

function last(): Seen {
  const record = seen.at(-1);
  if (!record) throw new Error('no request seen');
  return record;
}

const KEYS = ['plain.txt', "dir/a b+c&d=e:f~(g)*'!ü.txt", 'a//b/', '100%', 'é/中文/😀'];

describe('the AWS SDK for JavaScript v3', () => {
  test.each(KEYS)('PutObject of a string, key %j: header checksum verified', async (key) => {
    await client().send(new PutObjectCommand({ Bucket: 'bucket', Key: key, Body: 'hello world' }));
    expect(last().error).toBeUndefined();
    expect(last().auth?.kind).toBe('header');
    expect(last().body?.toString()).toBe('hello world');
    expect(last().result?.checksum).toEqual({ algorithm: 'CRC32', value: 'DUoRhQ==' });
  });

  test.each<ChecksumAlgorithm>(['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'])(
    'PutObject of a stream with ChecksumAlgorithm %s: aws-chunked with a trailer',
    async (algorithm) => {
      const data = Buffer.alloc(200_000, 'x');
      const body = Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]);
      await client().send(
        new PutObjectCommand({ Bucket: 'bucket', Key: 'stream', Body: body, ContentLength: data.length, ChecksumAlgorithm: algorithm }),
      );
      expect(last().error).toBeUndefined();
      expect(last().headers['x-amz-content-sha256']).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
      expect(last().body?.equals(data)).toBe(true);
      expect(last().result?.checksum?.algorithm).toBe(algorithm);
    },
  );

  test('GetObject and ListObjectsV2 with an awkward prefix authenticate', async () => {
    await client().send(new GetObjectCommand({ Bucket: 'bucket', Key: KEYS[1] }));
    expect(last().error).toBeUndefined();
    await client().send(new ListObjectsV2Command({ Bucket: 'bucket', Prefix: "a b+c/ü=&'*", StartAfter: '~' }));
    expect(last().error).toBeUndefined();
    expect(last().auth?.kind).toBe('header');
  });

  test('a presigned PUT and GET authenticate', async () => {
    const putUrl = await getSignedUrl(client(), new PutObjectCommand({ Bucket: 'bucket', Key: KEYS[1] }), { expiresIn: 60 });
    const put = await fetch(putUrl, { method: 'PUT', body: 'presigned' });
    expect(put.status).toBe(200);
    expect(last().auth?.kind).toBe('presigned');
    expect(last().body?.toString()).toBe('presigned');
    const getUrl = await getSignedUrl(client(), new GetObjectCommand({ Bucket: 'bucket', Key: KEYS[4] }), { expiresIn: 60 });
    expect((await fetch(getUrl)).status).toBe(200);
    expect(last().auth?.kind).toBe('presigned');
  });

  test('a wrong secret is SignatureDoesNotMatch', async () => {
    const wrong = new S3Client({
      region: REGION,
      endpoint,
      forcePathStyle: true,
      credentials: { ...CREDENTIALS, secretAccessKey: 'wrong' },
    });
    await expect(wrong.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'k' }))).rejects.toMatchObject({
      name: 'SignatureDoesNotMatch',
    });
  });

  test('another region is AuthorizationHeaderMalformed', async () => {
    const other = new S3Client({ region: 'us-west-2', endpoint, forcePathStyle: true, credentials: CREDENTIALS });
    await expect(other.send(new GetObjectCommand({ Bucket: 'bucket', Key: 'k' }))).rejects.toMatchObject({
      name: 'AuthorizationHeaderMalformed',
    });
  });
});
