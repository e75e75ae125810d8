/**
 * Operation handlers called without HTTP, as the console and the gateway call them: a typed
 * request and a store in, a response value ({ status, headers, body }) out.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeleteObject } from '../../src/operations/delete-object.js';
import { GetObject } from '../../src/operations/get-object.js';
import { ListObjectsV2 } from '../../src/operations/list-objects-v2.js';
import type { BucketRequest, ObjectRequest, S3Response } from '../../src/operations/types.js';
import { SqliteStore as Store } from '../../src/store/index.js';

let dataDir: string;
let store: Store;

beforeEach(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smll-operations-direct-'));
  store = Store.open({ dataDir });
  await store.upsertBucket({ name: 'photos', accessKey: 'AKPHOTOS', secretKey: 'photos-secret', region: 'local' });
  const bytes = Buffer.from('hello, world');
  const blob = await store.writeBlob(Readable.from([bytes]));
  await store.commitObject('photos', 'notes/hello.txt', blob, {
    contentType: 'text/plain',
    userMetadata: { author: 'ada' },
    etag: `"${createHash('md5').update(bytes).digest('hex')}"`,
  });
});

afterEach(() => {
  store.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function bucketRequest(query = '', headers: Record<string, string> = {}): BucketRequest {
  return { bucket: 'photos', region: 'local', query: new URLSearchParams(query), headers, virtualHosted: false, endpoint: 'http://localhost:9000' };
}

function objectRequest(key: string, query = '', headers: Record<string, string> = {}): ObjectRequest {
  return { ...bucketRequest(query, headers), key };
}

async function bodyText(response: S3Response): Promise<string> {
  const { body } = response;
  if (body === undefined || typeof body === 'string') return body ?? '';
  if (Buffer.isBuffer(body)) return body.toString();
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString();
}

describe('operations without HTTP', () => {
  it('GetObject answers the object: status, headers and its bytes', async () => {
    const response = await GetObject({ req: objectRequest('notes/hello.txt'), store });
    expect(response.status).toBe(200);
    expect(response.headers).toMatchObject({
      'Content-Type': 'text/plain',
      'Content-Length': '12',
      'Accept-Ranges': 'bytes',
      ETag: `"${createHash('md5').update('hello, world').digest('hex')}"`,
      'x-amz-meta-author': 'ada',
    });
    expect(await bodyText(response)).toBe('hello, world');
  });

  it('GetObject with a Range answers 206 with those bytes only', async () => {
    const response = await GetObject({ req: objectRequest('notes/hello.txt', '', { range: 'bytes=7-' }), store });
    expect(response.status).toBe(206);
    expect(response.headers).toMatchObject({ 'Content-Range': 'bytes 7-11/12', 'Content-Length': '5' });
    expect(await bodyText(response)).toBe('world');
  });

  it('ListObjectsV2 answers an XML document; DeleteObject a bare 204', async () => {
    const listed = await ListObjectsV2({ req: bucketRequest('list-type=2&prefix=notes/'), store });
    expect(listed.status).toBe(200);
    expect(listed.headers['Content-Type']).toBe('application/xml');
    expect(await bodyText(listed)).toContain('<Key>notes/hello.txt</Key><LastModified>');

    expect(await DeleteObject({ req: objectRequest('notes/hello.txt'), store })).toEqual({ status: 204, headers: {} });
    expect(await bodyText(await ListObjectsV2({ req: bucketRequest('list-type=2'), store }))).toContain('<KeyCount>0</KeyCount>');
  });
});
