/**
 * Region hints: a request signed for another region than the emulator's is refused as S3 refuses
 * it at the bucket's own regional endpoint — 400 AuthorizationHeaderMalformed (header auth) or
 * AuthorizationQueryParametersError (presigned URLs and POST forms), the region in the body's
 * `Region` and in the `x-amz-bucket-region` header. The header is what the SDKs' region
 * redirects read:
 * - S3's answer, headers included, as captured on the wire in minio/minio-go#677
 *   (`X-Amz-Bucket-Region: us-east-1` on a 400 AuthorizationHeaderMalformed); the presigned body
 *   as in aws/aws-cli#4338 and HHS/Head-Start-TTADP#370 (those captures show bodies only: the
 *   header on presigned URLs and POST forms is inferred from the header-auth capture, S3 naming
 *   a known bucket's region in the same way). S3 answers 301 PermanentRedirect only when a
 *   request reaches another region's endpoint; the emulator's endpoint is the bucket's own, so
 *   it is the 400.
 * - botocore (utils.py, S3RegionRedirectorv2.redirect_from_error / get_bucket_region): redirects
 *   on AuthorizationHeaderMalformed with a Region, on a 400 HeadObject, and on a 400 HeadBucket
 *   carrying x-amz-bucket-region; the region comes from that header first, then the body.
 *   (Exercised with boto3 itself by test/recipes/region-redirect.recipe.ts.)
 * - @aws-sdk/middleware-sdk-s3 regionRedirectMiddleware (`followRegionRedirects`): needs
 *   x-amz-bucket-region, and follows a 301 for any command but a 400 only for HeadBucket (or
 *   IllegalLocationConstraintException).
 */
import { GetBucketLocationCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, s3ErrorOf, startTestEmulator, type TestEmulator } from '../helpers.js';
import { errorFields, signedFetch } from '../raw-request.js';

let t: TestEmulator;
const Bucket = 'test-bucket';
const REGION = 'eu-west-1';
beforeAll(async () => {
  t = await startTestEmulator({ region: REGION });
  await t.s3.send(new PutObjectCommand({ Bucket, Key: 'hello.txt', Body: 'hello' }));
});
afterAll(async () => {
  await t.emulator.stop();
});

/** A client of the bucket configured with us-east-1, the SDKs' usual default, instead of the emulator's region. */
const wrongRegionClient = (extra = {}) => clientFor({ ...t.emulator.env(Bucket), S3_REGION: 'us-east-1' }, extra);

const headerMessage = "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'";
const queryMessage = "Error parsing the X-Amz-Credential parameter; the region 'us-east-1' is wrong; expecting 'eu-west-1'";

describe('a request signed for the wrong region', () => {
  it.each([
    ['GetObject', 'GET', '/test-bucket/hello.txt', {}],
    ['ListObjectsV2', 'GET', '/test-bucket', { 'list-type': '2' }],
    ['GetBucketLocation', 'GET', '/test-bucket', { location: '' }],
    ['PutObject', 'PUT', '/test-bucket/new.txt', {}],
  ] as const)('%s: 400 AuthorizationHeaderMalformed, Region in the body and in x-amz-bucket-region', async (_name, method, path, query) => {
    const res = await signedFetch(t.emulator.env(Bucket), { method, path, query, region: 'us-east-1', ...(method === 'PUT' ? { body: 'x' } : {}) });
    expect(res.status).toBe(400);
    expect(res.headers['x-amz-bucket-region']).toBe(REGION);
    expect(errorFields(res.text)).toMatchObject({ Code: 'AuthorizationHeaderMalformed', Message: headerMessage, Region: REGION });
  });

  it.each([
    ['HeadBucket', '/test-bucket'],
    ['HeadObject', '/test-bucket/hello.txt'],
  ])('%s: 400 without a body, the region in x-amz-bucket-region (the only place a HEAD answer can say it)', async (_name, path) => {
    const res = await signedFetch(t.emulator.env(Bucket), { method: 'HEAD', path, region: 'us-east-1' });
    expect(res.status).toBe(400);
    expect(res.text).toBe('');
    expect(res.headers['x-amz-bucket-region']).toBe(REGION);
  });

  it('virtual-host-style: the same answer', async () => {
    const port = new URL(t.emulator.endpoint).port;
    const res = await signedFetch(t.emulator.env(Bucket), { method: 'GET', path: '/hello.txt', host: `${Bucket}.localhost:${port}`, region: 'us-east-1' });
    expect(res.status).toBe(400);
    expect(res.headers['x-amz-bucket-region']).toBe(REGION);
    expect(errorFields(res.text)).toMatchObject({ Code: 'AuthorizationHeaderMalformed', Region: REGION });
  });

  it('a presigned URL: 400 AuthorizationQueryParametersError, Region in the body and in x-amz-bucket-region', async () => {
    const url = await getSignedUrl(wrongRegionClient(), new GetObjectCommand({ Bucket, Key: 'hello.txt' }), { expiresIn: 60 });
    const res = await fetch(url);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amz-bucket-region')).toBe(REGION);
    expect(errorFields(await res.text())).toMatchObject({ Code: 'AuthorizationQueryParametersError', Message: queryMessage, Region: REGION });
  });

  it('a POST form whose x-amz-credential names another region: the same answer as a presigned URL', async () => {
    const post = await createPresignedPost(wrongRegionClient(), { Bucket, Key: 'form.txt' });
    const form = new FormData();
    for (const [name, value] of Object.entries(post.fields)) form.append(name, value);
    form.append('file', new Blob(['form']), 'form.txt');
    const res = await fetch(post.url, { method: 'POST', body: form });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amz-bucket-region')).toBe(REGION);
    expect(errorFields(await res.text())).toMatchObject({ Code: 'AuthorizationQueryParametersError', Message: queryMessage, Region: REGION });
  });
});

describe('the JS SDK (followRegionRedirects) against an emulator in eu-west-1, client in us-east-1', () => {
  it('HeadBucket is redirected: the retry is signed for eu-west-1 and succeeds', async () => {
    const out = await wrongRegionClient({ followRegionRedirects: true }).send(new HeadBucketCommand({ Bucket }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.BucketRegion).toBe(REGION);
  });

  it('without followRegionRedirects HeadBucket fails, and the error carries the region header', async () => {
    const err = await s3ErrorOf(wrongRegionClient().send(new HeadBucketCommand({ Bucket })));
    expect(err.status).toBe(400);
    expect((err.raw.$response as { headers: Record<string, string> }).headers['x-amz-bucket-region']).toBe(REGION);
  });

  it('other commands are not redirected on a 400 (the middleware follows only 301s there, as against S3\'s own regional endpoint); the error names the region', async () => {
    const s3 = wrongRegionClient({ followRegionRedirects: true });
    for (const sent of [
      () => s3.send(new GetObjectCommand({ Bucket, Key: 'hello.txt' })),
      () => s3.send(new ListObjectsV2Command({ Bucket })),
      () => s3.send(new GetBucketLocationCommand({ Bucket })),
    ]) {
      const err = await s3ErrorOf(sent());
      expect(err).toMatchObject({ code: 'AuthorizationHeaderMalformed', status: 400, message: headerMessage });
      expect(err.raw.Region).toBe(REGION);
      expect((err.raw.$response as { headers: Record<string, string> }).headers['x-amz-bucket-region']).toBe(REGION);
    }
  });

  it('HeadObject (a 400 with no body, not HeadBucket) is not redirected either, but names the region in its header', async () => {
    const err = await s3ErrorOf(wrongRegionClient({ followRegionRedirects: true }).send(new HeadObjectCommand({ Bucket, Key: 'hello.txt' })));
    expect(err.status).toBe(400);
    expect((err.raw.$response as { headers: Record<string, string> }).headers['x-amz-bucket-region']).toBe(REGION);
  });
});
