// The minio-js runner: MinIO's JavaScript SDK (npm package minio, pinned in package.json here and
// installed into this directory by setup.sh), configured as its API reference tells a user to point it
// at any S3 endpoint: `new Minio.Client({ endPoint, port, useSSL, accessKey, secretKey, region })`, and
// for a private CA a `transportAgent` (an https.Agent with `ca`)
// (https://min.io/docs/minio/linux/developers/javascript/API.html, "Constructor").
// Writes one <scenario>.json per scenario into SMLL_RESULTS_DIR, as test/conformance/README.md describes;
// run without NODE_EXTRA_CA_CERTS (run.mjs unsets it) so only the transportAgent trusts the CA.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import * as Minio from 'minio';

const here = dirname(fileURLToPath(import.meta.url));
const catalogue = JSON.parse(readFileSync(resolve(here, '../../../fixtures/conformance/scenarios.json'), 'utf8')).scenarios;
const knownIds = new Set(catalogue.map((s) => s.id));
const minioVersion = JSON.parse(readFileSync(join(here, 'node_modules/minio/package.json'), 'utf8')).version;

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run this runner through 'npm run conformance', or set the SMLL_* variables.`);
  return value;
}

const endpoint = new URL(required('SMLL_ENDPOINT'));
const transport = endpoint.protocol === 'https:' ? 'https' : 'http';
const region = required('SMLL_REGION');
const bucket = required('SMLL_BUCKET');
const bucket2 = required('SMLL_BUCKET2');
const accessKey = required('SMLL_ACCESS_KEY');
const secretKey = required('SMLL_SECRET_KEY');
const resultsDir = required('SMLL_RESULTS_DIR');
mkdirSync(resultsDir, { recursive: true });
const ca = transport === 'https' && process.env.AWS_CA_BUNDLE ? readFileSync(process.env.AWS_CA_BUNDLE) : undefined;
const agent = ca ? new https.Agent({ ca, keepAlive: true }) : undefined;
const prefix = `conformance/minio-js-${transport}-${randomBytes(5).toString('hex')}/`;
const MiB = 1024 * 1024;
const BIG_SIZE = 40 * MiB;

/** A client as the docs show; `options` overrides (credentials, region, partSize). */
function clientFor(options = {}) {
  return new Minio.Client({
    endPoint: endpoint.hostname,
    port: Number(endpoint.port) || (transport === 'https' ? 443 : 80),
    useSSL: transport === 'https',
    accessKey,
    secretKey,
    region,
    ...(agent ? { transportAgent: agent } : {}),
    ...options,
  });
}

const mc = clientFor();
const counts = { pass: 0, fail: 0, 'not-expressible': 0 };

function record(scenario, outcome, detail) {
  if (!knownIds.has(scenario) && !scenario.startsWith('flow-')) throw new Error(`${scenario} is not a catalogue scenario nor a flow-* flow`);
  counts[outcome] += 1;
  const result = { sdk: 'minio-js', sdkVersion: `minio ${minioVersion} (JavaScript)`, transport, scenario, outcome, detail: detail.slice(0, 2000) };
  writeFileSync(join(resultsDir, `${scenario}.json`), `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`${outcome === 'pass' ? 'ok  ' : outcome === 'fail' ? 'FAIL' : 'n/e '} ${scenario}${outcome === 'pass' ? '' : `: ${detail.split('\n')[0]}`}\n`);
}

const scenarios = [];
/** Registers a scenario; it passes when `body` resolves, fails with the error otherwise. */
function scenario(id, body) {
  scenarios.push({ id, body });
}

function notExpressible(id, reason) {
  scenarios.push({ id, reason });
}

function check(condition, message) {
  if (!condition) throw new Error(`check failed: ${message}`);
}

function equal(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: got ${a}, expected ${e}`);
}

/** The S3 error code a call fails with (minio-js's S3Error carries the code, not the status). */
async function errorCode(call) {
  try {
    await call();
  } catch (err) {
    return err.code;
  }
  throw new Error('the call succeeded; a refusal was expected');
}

async function readAll(stream) {
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

const get = async (key, client = mc, b = bucket) => readAll(await client.getObject(b, key));
const md5 = (data) => createHash('md5').update(data).digest('hex');
const sha256 = (data) => createHash('sha256').update(data).digest('hex');

async function keysUnder(keyPrefix, recursive = true) {
  const items = [];
  for await (const item of mc.listObjectsV2(bucket, keyPrefix, recursive)) items.push(item);
  return items;
}

function patternBytes(size, seed) {
  const block = Buffer.concat(Array.from({ length: 1 << 15 }, () => createHash('sha256').update(seed).digest()));
  const out = Buffer.alloc(size);
  for (let offset = 0, i = 0; offset < size; offset += block.length, i += 1) {
    block.writeUInt32BE(i, 0);
    block.copy(out, offset, 0, Math.min(block.length, size - offset));
  }
  return out;
}

/** A plain HTTP client (no SDK), trusting the same CA. Resolves with { status, body }. */
function plainHttp(url, { method = 'GET', body, headers = {} } = {}) {
  return new Promise((resolveRequest, rejectRequest) => {
    const target = new URL(url);
    const request = (target.protocol === 'https:' ? https : http).request(target, { method, headers, ...(ca ? { ca } : {}) }, (response) => {
      readAll(response).then((data) => resolveRequest({ status: response.statusCode, body: data }), rejectRequest);
    });
    request.on('error', rejectRequest);
    request.end(body);
  });
}

function multipartForm(fields, fileName, fileBody) {
  const boundary = `----smll${randomBytes(8).toString('hex')}`;
  const parts = Object.entries(fields).map(([name, value]) => Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
  parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`));
  parts.push(fileBody, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { contentType: `multipart/form-data; boundary=${boundary}`, body: Buffer.concat(parts) };
}

const NO_CONDITIONS = "minio-js's getObject options become query parameters and putObject's metadata becomes x-amz-meta-*: it sends no If-Match / If-None-Match";
const NO_CHECKSUMS = 'minio-js sends no x-amz-checksum-* values (no checksum option)';
notExpressible('range-suffix', "minio-js's getPartialObject takes an offset and a length: no suffix range");
notExpressible('conditional-get-not-modified', NO_CONDITIONS);
notExpressible('conditional-get-precondition-failed', NO_CONDITIONS);
notExpressible('conditional-put-if-none-match', NO_CONDITIONS);
for (const algorithm of ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256']) notExpressible(`checksum-${algorithm}`, NO_CHECKSUMS);
notExpressible('flow-parquet', 'minio-js moves bytes only: it reads and writes no Parquet');
notExpressible('flow-csv', 'minio-js moves bytes only: it reads and writes no CSV');

scenario('object-round-trip', async () => {
  const key = `${prefix}round-trip.txt`;
  const body = Buffer.from('hello from the minio-js conformance runner\n');
  const put = await mc.putObject(bucket, key, body);
  equal(put.etag, md5(body), 'ETag');
  const stat = await mc.statObject(bucket, key);
  equal([stat.size, stat.etag], [body.length, md5(body)], 'size and ETag');
  check((await get(key)).equals(body), 'body');
  await mc.removeObject(bucket, key);
  equal(await errorCode(() => get(key)), 'NoSuchKey', 'GET after delete');
});

scenario('zero-byte-object', async () => {
  const key = `${prefix}empty`;
  equal((await mc.putObject(bucket, key, Buffer.alloc(0))).etag, 'd41d8cd98f00b204e9800998ecf8427e', 'ETag');
  equal((await mc.statObject(bucket, key)).size, 0, 'size');
  equal((await get(key)).length, 0, 'body length');
});

scenario('metadata-and-content-headers', async () => {
  const key = `${prefix}with-headers.html`;
  // minio-js sends standard headers named in the metadata as they are, the rest as x-amz-meta-*.
  const headers = {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'max-age=60, public',
    'content-disposition': 'attachment; filename="report.html"',
    'content-language': 'de-CH',
  };
  const body = Buffer.from('<p>hi</p>');
  await mc.putObject(bucket, key, body, body.length, { ...headers, color: 'blue', 'multi-word': 'two words' });
  const { metaData } = await mc.statObject(bucket, key);
  for (const [name, value] of Object.entries({ ...headers, color: 'blue', 'multi-word': 'two words' })) equal(metaData[name], value, name);
});

const SPECIAL_KEYS = {
  'key-with-space': 'folder with space/file name.txt',
  'key-with-plus': 'a+b=c/1+1.txt',
  'key-with-percent': '100% done/literal%20not-a-space.txt',
  'key-unicode': 'ünïcødé/日本語/✓ 🚀.txt',
  'key-double-slash': 'a//b///c.txt',
  'key-trailing-slash': 'folder/',
};
for (const [id, name] of Object.entries(SPECIAL_KEYS)) {
  scenario(id, async () => {
    const keyPrefix = `${prefix}${id}/`;
    const key = keyPrefix + name;
    const body = Buffer.from(key.endsWith('/') ? '' : key);
    await mc.putObject(bucket, key, body);
    check((await get(key)).equals(body), 'body');
    equal((await keysUnder(keyPrefix)).map((o) => o.name), [key], 'listing');
    await mc.removeObject(bucket, key);
    equal(await keysUnder(keyPrefix), [], 'listing after delete');
  });
}

const RANGE_KEY = `${prefix}range.txt`;
const RANGE_BODY = Buffer.from('0123456789abcdefghij');

scenario('range-get', async () => {
  await mc.putObject(bucket, RANGE_KEY, RANGE_BODY);
  equal((await readAll(await mc.getPartialObject(bucket, RANGE_KEY, 2, 4))).toString(), '2345', 'range body');
});

scenario('range-unsatisfiable', async () => {
  await mc.putObject(bucket, RANGE_KEY, RANGE_BODY);
  equal(await errorCode(async () => readAll(await mc.getPartialObject(bucket, RANGE_KEY, RANGE_BODY.length + 10))), 'InvalidRange', 'error');
});

/** Runs `tasks` (async functions) at most `limit` at a time. */
async function pool(tasks, limit) {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < tasks.length) await tasks[next++]();
  }));
}

scenario('list-v2-paginated', async () => {
  const keyPrefix = `${prefix}many/`;
  const expected = Array.from({ length: 2500 }, (_, i) => `${keyPrefix}${String(i).padStart(5, '0')}`);
  await pool(expected.map((key) => () => mc.putObject(bucket, key, Buffer.from(key))), 8);
  equal((await keysUnder(keyPrefix)).map((o) => o.name), expected, 'keys');
});

scenario('list-delimiter-prefix', async () => {
  const keyPrefix = `${prefix}tree/`;
  for (const name of ['a/1.txt', 'a/2.txt', 'b/deep/3.txt', 'top.txt']) await mc.putObject(bucket, keyPrefix + name, Buffer.from(name));
  const entries = (await keysUnder(keyPrefix, false)).map((o) => o.prefix ?? o.name).sort();
  equal(entries, [`${keyPrefix}a/`, `${keyPrefix}b/`, `${keyPrefix}top.txt`], 'prefixes and contents');
});

scenario('list-v1-marker', async () => {
  const keyPrefix = `${prefix}v1/`;
  const expected = [1, 2, 3, 4, 5].map((i) => `${keyPrefix}k${i}`);
  for (const key of expected) await mc.putObject(bucket, key, Buffer.from(key));
  // listObjects is minio-js's ListObjects (v1); it follows the markers itself, two keys a page here.
  const keys = [];
  for await (const item of mc.listObjects(bucket, keyPrefix, true, { MaxKeys: 2 })) keys.push(item.name);
  equal(keys, expected, 'keys');
});

scenario('get-bucket-location', async () => {
  // Without a region in the constructor, minio-js asks GetBucketLocation and signs for its answer.
  equal(await clientFor({ region: undefined }).getBucketRegionAsync(bucket), region, 'region');
});

scenario('head-bucket', async () => {
  check(await mc.bucketExists(bucket), 'bucketExists');
});

scenario('delete-objects-batch', async () => {
  const keys = [1, 2, 3].map((i) => `${prefix}batch/d${i}`);
  for (const key of keys) await mc.putObject(bucket, key, Buffer.from('x'));
  const results = await mc.removeObjects(bucket, [...keys, `${prefix}batch/missing`]);
  equal(results.flat().filter((r) => r.Error || r.Code), [], 'errors');
  equal(await keysUnder(`${prefix}batch/`), [], 'keys left');
});

const COPY_SOURCE = `${prefix}copy-source.json`;
const putCopySource = () => mc.putObject(bucket, COPY_SOURCE, Buffer.from('{"copy":true}'), 13, { 'Content-Type': 'application/json', origin: 'source' });

scenario('copy-object-metadata-copy', async () => {
  const source = await putCopySource();
  const key = `${prefix}copy-of-source.json`;
  await mc.copyObject(new Minio.CopySourceOptions({ Bucket: bucket, Object: COPY_SOURCE }), new Minio.CopyDestinationOptions({ Bucket: bucket, Object: key }));
  equal((await get(key)).toString(), '{"copy":true}', 'body');
  const stat = await mc.statObject(bucket, key);
  equal([stat.etag, stat.metaData['content-type'], stat.metaData.origin], [source.etag, 'application/json', 'source'], 'ETag, type, metadata');
});

scenario('copy-object-metadata-replace', async () => {
  await putCopySource();
  const key = `${prefix}replaced-copy.txt`;
  await mc.copyObject(
    new Minio.CopySourceOptions({ Bucket: bucket, Object: COPY_SOURCE }),
    new Minio.CopyDestinationOptions({ Bucket: bucket, Object: key, MetadataDirective: 'REPLACE', UserMetadata: { origin: 'replaced' }, Headers: { 'Content-Type': 'text/plain' } }),
  );
  equal((await get(key)).toString(), '{"copy":true}', 'body');
  const { metaData } = await mc.statObject(bucket, key);
  equal([metaData['content-type'], metaData.origin], ['text/plain', 'replaced'], 'type and metadata');
});

scenario('multipart-upload-40mib', async () => {
  // minio-js uploads multipart above its partSize (64 MiB by default; 8 MiB here), and asks
  // ListMultipartUploads first to resume an earlier upload, which SMLL refuses: no setting skips that call.
  const key = `${prefix}big.bin`;
  const client = clientFor({ partSize: 8 * MiB });
  try {
    await client.putObject(bucket, key, Readable.from([patternBytes(BIG_SIZE, 'minio-js')]), BIG_SIZE);
  } catch (err) {
    if (err.code === 'AccessDenied' && /s3:ListBucketMultipartUploads/.test(err.message)) {
      throw Object.assign(
        new Error(
          'SMLL refuses the ListMultipartUploads that minio-js sends before every multipart upload (the expected refusal; ' +
            `no setting skips that call, a partSize above the object's size avoids multipart altogether): ${err.code}: ${err.message}`,
        ),
        { expectedRefusal: true },
      );
    }
    throw err;
  }
  const stat = await mc.statObject(bucket, key);
  equal(stat.size, BIG_SIZE, 'size');
  check(/-\d+$/.test(stat.etag), `multipart ETag, got ${stat.etag}`);
});

scenario('multipart-download-40mib', async () => {
  // fGetObject is minio-js's downloader (one streamed GET into a part file, then renamed). The upload
  // stays under the default 64 MiB partSize: one PUT, nothing SMLL refuses.
  const key = `${prefix}big-download.bin`;
  const data = patternBytes(BIG_SIZE, 'download');
  await mc.putObject(bucket, key, data);
  const dir = mkdtempSync(join(tmpdir(), 'minio-js-'));
  try {
    await mc.fGetObject(bucket, key, join(dir, 'back.bin'));
    equal(sha256(readFileSync(join(dir, 'back.bin'))), sha256(data), 'SHA-256');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

scenario('presigned-get', async () => {
  const key = `${prefix}presigned get.txt`;
  await mc.putObject(bucket, key, Buffer.from('fetched without an SDK'));
  const { status, body } = await plainHttp(await mc.presignedGetObject(bucket, key, 300));
  equal([status, body.toString()], [200, 'fetched without an SDK'], 'response');
});

scenario('presigned-put', async () => {
  const key = `${prefix}presigned put.txt`;
  const { status, body } = await plainHttp(await mc.presignedPutObject(bucket, key, 300), { method: 'PUT', body: Buffer.from('uploaded without an SDK') });
  equal(status, 200, `status (${body.toString().slice(0, 300)})`);
  equal((await get(key)).toString(), 'uploaded without an SDK', 'body');
});

scenario('presigned-post', async () => {
  const key = `${prefix}posted.txt`;
  const policy = mc.newPostPolicy();
  policy.setBucket(bucket);
  policy.setKey(key);
  policy.setExpires(new Date(Date.now() + 300_000));
  policy.setContentType('text/plain');
  policy.setContentLengthRange(0, 1024);
  const { postURL, formData } = await mc.presignedPostPolicy(policy);
  const form = multipartForm(formData, 'posted.txt', Buffer.from('posted from a form'));
  const { status, body } = await plainHttp(postURL, { method: 'POST', body: form.body, headers: { 'Content-Type': form.contentType } });
  equal(status, 204, `status (${body.toString().slice(0, 300)})`);
  equal((await get(key)).toString(), 'posted from a form', 'body');
  equal((await mc.statObject(bucket, key)).metaData['content-type'], 'text/plain', 'Content-Type');
});

scenario('no-such-key', async () => {
  const key = `${prefix}does-not-exist`;
  equal(await errorCode(() => get(key)), 'NoSuchKey', 'GET');
  // A HEAD has no body: minio-js names the error from the status.
  equal(await errorCode(() => mc.statObject(bucket, key)), 'NotFound', 'HEAD');
});

scenario('refusal-other-bucket', async () => {
  const key = `${prefix}not-yours.txt`;
  equal(await errorCode(() => mc.putObject(bucket2, key, Buffer.from('x'))), 'AccessDenied', 'PUT');
  equal(await errorCode(() => get(key, mc, bucket2)), 'AccessDenied', 'GET');
});

scenario('refusal-wrong-secret', async () => {
  equal(await errorCode(() => get(`${prefix}any`, clientFor({ secretKey: `${secretKey.slice(0, -4)}XXXX` }))), 'SignatureDoesNotMatch', 'GET');
});

scenario('refusal-unknown-access-key', async () => {
  equal(await errorCode(() => get(`${prefix}any`, clientFor({ accessKey: 'AKIAUNKNOWNKEY000000' }))), 'InvalidAccessKeyId', 'GET');
});

scenario('refusal-list-buckets', async () => {
  equal(await errorCode(() => mc.listBuckets()), 'AccessDenied', 'ListBuckets');
});

scenario('refusal-create-bucket', async () => {
  equal(await errorCode(() => mc.makeBucket(`${bucket}-new`, region)), 'AccessDenied', 'CreateBucket');
});

scenario('refusal-abort-multipart-upload', async () => {
  // removeIncompleteUpload, minio-js's documented way, asks ListMultipartUploads first (refused by SMLL
  // too); its public initiateNewMultipartUpload / abortMultipartUpload send the two calls themselves.
  const key = `${prefix}abandoned-upload.bin`;
  const uploadId = await mc.initiateNewMultipartUpload(bucket, key, {});
  check(uploadId, 'an UploadId');
  equal(await errorCode(() => mc.abortMultipartUpload(bucket, key, uploadId)), 'AccessDenied', 'AbortMultipartUpload');
  equal(await errorCode(() => mc.removeIncompleteUpload(bucket, key)), 'AccessDenied', 'removeIncompleteUpload');
});

scenario('flow-small-files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'minio-js-'));
  const names = [0, 1, 2, 3, 4].map((i) => `file-${i}.txt`);
  try {
    for (const name of names) {
      writeFileSync(join(dir, name), name.repeat(10));
      await mc.fPutObject(bucket, `${prefix}small/${name}`, join(dir, name));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const keys = names.map((n) => `${prefix}small/${n}`);
  equal((await keysUnder(`${prefix}small/`)).map((o) => o.name), keys, 'listing');
  for (const name of names) equal((await get(`${prefix}small/${name}`)).toString(), name.repeat(10), name);
  await mc.removeObjects(bucket, keys);
  equal(await keysUnder(`${prefix}small/`), [], 'listing after delete');
});

scenario('flow-large-file', async () => {
  // The setting that keeps minio-js off ListMultipartUploads: a partSize above the file's size (up to
  // 5 GiB) makes fPutObject send one PUT (the file is read into memory). 40 MiB is under the default.
  const key = `${prefix}large.bin`;
  const data = patternBytes(BIG_SIZE, 'large flow');
  const dir = mkdtempSync(join(tmpdir(), 'minio-js-'));
  try {
    writeFileSync(join(dir, 'large.bin'), data);
    await mc.fPutObject(bucket, key, join(dir, 'large.bin'));
    await mc.fGetObject(bucket, key, join(dir, 'back.bin'));
    equal(sha256(readFileSync(join(dir, 'back.bin'))), sha256(data), 'SHA-256');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await mc.removeObject(bucket, key);
  equal(await errorCode(() => mc.statObject(bucket, key)), 'NotFound', 'HEAD after delete');
});

for (const { id, body, reason } of scenarios) {
  if (reason) {
    record(id, 'not-expressible', reason);
    continue;
  }
  try {
    await body();
    record(id, 'pass', '');
  } catch (err) {
    if (err.expectedRefusal) record(id, 'not-expressible', err.message);
    else record(id, 'fail', `${err.name}: ${err.code ? `${err.code}: ` : ''}${err.message}`);
  }
}
agent?.destroy();
process.stdout.write(`minio-js: ${counts.pass} passed, ${counts.fail} failed\n`);
process.exitCode = counts.fail ? 1 : 0;
