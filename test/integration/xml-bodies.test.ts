import { createHash } from 'node:crypto';
import {
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BucketEnv } from '../../src/index.js';
import { startCli, stopCli, type RunningCli } from '../cli-process.js';
import { clientFor } from '../helpers.js';
import { errorFields, signedFetch, type RawResponse } from '../raw-request.js';

// Request documents (DeleteObjects, CompleteMultipartUpload) over real HTTP, against the CLI in
// its own process: a body that held the event loop would show as a HEAD from here that is not
// answered, instead of freezing the test too.

const Bucket = 'test-bucket';
const MALFORMED_XML = {
  Code: 'MalformedXML',
  Message: 'The XML you provided was not well-formed or did not validate against our published schema',
};

let cli: RunningCli;
let env: BucketEnv;
let s3: S3Client;
beforeAll(async () => {
  cli = await startCli(['--temp', '--port', '0', '--quiet', '--bucket', Bucket]);
  env = cli.env[Bucket];
  s3 = clientFor(env);
  await s3.send(new PutObjectCommand({ Bucket, Key: 'bystander', Body: 'hello' }));
}, 30_000);
afterAll(() => stopCli(cli));

const contentMd5 = (body: string) => createHash('md5').update(body).digest('base64');

function deleteObjects(body: string, onSent?: () => void): Promise<RawResponse> {
  return signedFetch(env, { method: 'POST', path: `/${Bucket}`, query: { delete: '' }, headers: { 'content-md5': contentMd5(body) }, body, onSent });
}

/** Sends a 5-byte GET and a HEAD of another key, each of which must be answered within 1 s. */
async function bystanderAnswered(): Promise<void> {
  const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'bystander' }), { abortSignal: AbortSignal.timeout(1000) });
  expect(head.ContentLength).toBe(5);
  const get = await s3.send(new GetObjectCommand({ Bucket, Key: 'bystander' }), { abortSignal: AbortSignal.timeout(1000) });
  expect(await get.Body!.transformToString()).toBe('hello');
}

/**
 * Sends a hostile body and, once it is on the wire, asks for another key: the server must answer
 * that within 1 s (liveness), and the hostile body with MalformedXML.
 */
async function refusedWhileOthersAreServed(send: (onSent: () => void) => Promise<RawResponse>): Promise<void> {
  let bystander: Promise<void> | undefined;
  const res = await send(() => {
    bystander = bystanderAnswered();
    // Awaited below; this only keeps an early failure from being reported as unhandled first.
    bystander.catch(() => {});
  });
  expect(bystander).toBeDefined();
  await bystander;
  expect(res.status).toBe(400);
  expect(errorFields(res.text)).toMatchObject(MALFORMED_XML);
}

const attributes = (n: number) => Array.from({ length: n }, (_, i) => ` a${i}="1"`).join('');

describe('hostile request documents (issue 9): refused with MalformedXML, the server answering others meanwhile', () => {
  // Under xmlbuilder2, 30,000 attributes made a 5-byte GET wait 14 s and 100,000 froze the server for minutes.
  for (const n of [30_000, 100_000]) {
    it(`a DeleteObjects root with ${n.toLocaleString('en')} attributes`, async () => {
      const body = `<Delete${attributes(n)}><Object><Key>bystander</Key></Object></Delete>`;
      await refusedWhileOthersAreServed((onSent) => deleteObjects(body, onSent));
      await bystanderAnswered();
    });
  }

  it('nesting as deep as the 2 MiB cap allows, closed and left open', async () => {
    const levels = Math.floor((2 * 1024 * 1024 - 64) / 7);
    for (const body of [`<Delete>${'<a>'.repeat(levels)}${'</a>'.repeat(levels)}</Delete>`, `<Delete>${'<a>'.repeat(levels * 2)}`]) {
      await refusedWhileOthersAreServed((onSent) => deleteObjects(body, onSent));
    }
  });

  it('1,001 keys, refused at the 1,001st <Object> whatever follows it', async () => {
    const objects = '<Object><Key>bystander</Key></Object>'.repeat(1001);
    await refusedWhileOthersAreServed((onSent) => deleteObjects(`<Delete>${objects}<Object${attributes(30_000)}/></Delete>`, onSent));
    // S3 answers MalformedXML to more than 1,000 keys (https://github.com/aws/aws-sdk-java/issues/1293).
    const plain = await deleteObjects(`<Delete>${objects}</Delete>`);
    expect(plain.status).toBe(400);
    expect(errorFields(plain.text)).toMatchObject(MALFORMED_XML);
    await bystanderAnswered();
  });

  it('10,001 parts in a CompleteMultipartUpload, refused at the 10,001st <Part> whatever follows it', async () => {
    const Key = 'mp/too-many';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'p' }));
    const parts = Array.from({ length: 10_001 }, (_, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${ETag}</ETag></Part>`).join('');
    const complete = (body: string, onSent?: () => void) =>
      signedFetch(env, { method: 'POST', path: `/${Bucket}/${Key}`, query: { uploadId: UploadId! }, body, onSent });
    await refusedWhileOthersAreServed((onSent) => complete(`<CompleteMultipartUpload>${parts}<Part${attributes(30_000)}/></CompleteMultipartUpload>`, onSent));
    const plain = await complete(`<CompleteMultipartUpload>${parts}</CompleteMultipartUpload>`);
    expect(plain.status).toBe(400);
    expect(errorFields(plain.text)).toMatchObject(MALFORMED_XML);
    // The upload is still there to be completed properly.
    const done = await complete(`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${ETag}</ETag></Part></CompleteMultipartUpload>`);
    expect(done.status).toBe(200);
  });

  it('a DOCTYPE with entities (the billion laughs) and unknown entity references', async () => {
    const laughs = `<!DOCTYPE Delete [<!ENTITY a "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY ${String.fromCharCode(98 + i)} "${`&${String.fromCharCode(97 + i)};`.repeat(10)}">`).join('')}]>`;
    for (const body of [`${laughs}<Delete><Object><Key>&j;</Key></Object></Delete>`, '<Delete><Object><Key>&nbsp;bystander</Key></Object></Delete>']) {
      const res = await deleteObjects(body);
      expect(res.status).toBe(400);
      expect(errorFields(res.text)).toMatchObject(MALFORMED_XML);
    }
    await bystanderAnswered();
  });
});

describe('keys in DeleteObjects: every reference decoded exactly once', () => {
  const literal = 'ref/a&#13;b';
  const withCr = 'ref/a\rb';

  async function putBoth(): Promise<void> {
    await s3.send(new PutObjectCommand({ Bucket, Key: literal, Body: 'literal' }));
    await s3.send(new PutObjectCommand({ Bucket, Key: withCr, Body: 'cr' }));
  }
  const exists = (Key: string) =>
    s3.send(new HeadObjectCommand({ Bucket, Key })).then(
      () => true,
      () => false,
    );

  it('the SDK (which escapes the key itself) deletes the key with the literal text &#13;, not the one with a CR', async () => {
    await putBoth();
    const out = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: literal }] } }));
    expect(out.Deleted).toEqual([{ Key: literal }]);
    expect(await exists(literal)).toBe(false);
    expect(await exists(withCr)).toBe(true);
    const cr = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: withCr }] } }));
    expect(cr.Deleted).toEqual([{ Key: withCr }]);
    expect(await exists(withCr)).toBe(false);
  });

  it('a raw signed request: &amp;#13; is the text &#13;, &#13; is a CR, &amp; is &, spaces around a key are kept', async () => {
    await putBoth();
    await s3.send(new PutObjectCommand({ Bucket, Key: ' ref/spaced & ', Body: 's' }));
    const res = await deleteObjects(
      `<?xml version="1.0" encoding="UTF-8"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>ref/a&amp;#13;b</Key></Object><Object><Key> ref/spaced &amp; </Key></Object></Delete>`,
    );
    expect(res.status).toBe(200);
    expect(res.text).toContain('<Deleted><Key>ref/a&amp;#13;b</Key></Deleted><Deleted><Key> ref/spaced &amp; </Key></Deleted>');
    expect(await exists(literal)).toBe(false);
    expect(await exists(' ref/spaced & ')).toBe(false);
    expect(await exists(withCr)).toBe(true);
    const cr = await deleteObjects('<Delete><Object><Key>ref/a&#13;b</Key></Object></Delete>');
    expect(cr.status).toBe(200);
    expect(cr.text).toContain('<Deleted><Key>ref/a&#13;b</Key></Deleted>');
    expect(await exists(withCr)).toBe(false);
  });
});
