// The rclone runner: rclone (pinned in versions.sh) with an s3 remote configured as rclone's S3 docs
// tell a user to for an S3-compatible endpoint (https://rclone.org/s3/, "Other" provider): provider,
// endpoint, keys, region, and `no_check_bucket = true` (https://rclone.org/s3/#s3-no-check-bucket),
// without which rclone creates the bucket (CreateBucket, refused by SMLL) before the first upload.
// No `acl` is set: rclone 1.76 then sends no x-amz-acl (https://rclone.org/s3/#s3-acl).
// https: the endpoint's CA in SSL_CERT_FILE, which Go's crypto/x509 reads on Linux.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  Recorder, assert, assertIncludes, expectFailure, md5, plainHttp, randomBody, runPrefix, runTool, sha256, target, toolBinary, toolVersion, workDir, writeLocal,
} from './harness.mjs';

const t = target();
const bin = toolBinary('rclone');
const work = workDir('rclone');
const prefix = runPrefix('rclone', t.transport);
const env = t.caFile ? { SSL_CERT_FILE: t.caFile } : {};

/** One remote section of rclone.conf (https://rclone.org/s3/#configuration). */
function remote(name, { accessKey = t.accessKey, secretKey = t.secretKey, noCheckBucket = true } = {}) {
  return [
    `[${name}]`,
    'type = s3',
    'provider = Other',
    'env_auth = false',
    `access_key_id = ${accessKey}`,
    `secret_access_key = ${secretKey}`,
    `endpoint = ${t.endpoint}`,
    `region = ${t.region}`,
    ...(noCheckBucket ? ['no_check_bucket = true'] : []),
    '',
  ].join('\n');
}
const config = join(work, 'rclone.conf');
writeFileSync(
  config,
  [
    remote('smll'),
    remote('smllcheck', { noCheckBucket: false }),
    remote('wrongsecret', { secretKey: `${t.secretKey.slice(0, -2)}xx` }),
    remote('unknownkey', { accessKey: 'AKIANOSUCHKEY0000000' }),
  ].join('\n'),
);

/** rclone with our config; refusals are not retried (rclone retries 3 times by default). */
const rclone = (args, opts = {}) => runTool(bin, ['--config', config, '--retries', '1', '--low-level-retries', '2', ...args], { env, ...opts });
const obj = (key, bucket = t.bucket) => `smll:${bucket}/${prefix}${key}`;
const text = async (args) => (await rclone(args)).stdout.toString();
const dumped = async (args) => (await rclone([...args, '--dump', 'headers'])).stderr;

// A `go install` build calls itself v1.76.0-DEV: the module version says which release it is.
const version = `rclone ${toolVersion('rclone')} (go install build: ${(await text(['version'])).split('\n')[0].trim()})`;
const recorder = new Recorder('rclone', version, t.transport);
process.stdout.write(`${version} against ${t.endpoint} (prefix ${prefix})\n`);

async function put(key, body, extra = []) {
  const file = writeLocal(work, `up/${md5(body)}-${Math.random()}`, body);
  await rclone(['copyto', file, obj(key), ...extra]);
}

await recorder.run('native-flow', async () => {
  const dir = join(work, 'flow');
  const files = { 'a.txt': randomBody(1000), 'docs/b.json': Buffer.from('{"b":1}'), 'docs/c.bin': randomBody(70_000), 'large.bin': randomBody(40 * 1024 * 1024) };
  for (const [name, body] of Object.entries(files)) writeLocal(dir, name, body);
  // A 40 MiB file goes multipart once past upload_cutoff (https://rclone.org/s3/#s3-upload-cutoff).
  await rclone(['copy', dir, obj('flow'), '--s3-upload-cutoff', '16M', '--s3-chunk-size', '8M']);
  const listing = await text(['ls', obj('flow')]);
  for (const [name, body] of Object.entries(files)) assertIncludes(listing, `${body.length} ${name}`, 'rclone ls');
  assert((await rclone(['cat', obj('flow/docs/b.json')])).stdout.equals(files['docs/b.json']), 'rclone cat returned other bytes');
  const back = join(work, 'flow-back');
  await rclone(['copy', obj('flow'), back]);
  for (const [name, body] of Object.entries(files)) assert(sha256(readFileSync(join(back, name))) === sha256(body), `${name} came back different`);
  await rclone(['check', dir, obj('flow')]);
  await rclone(['delete', obj('flow')]);
  assert((await text(['ls', obj('flow')])).trim() === '', 'objects left after rclone delete');
  return 'rclone copy (3 small files, one 40 MiB multipart) → ls → cat → copy back (SHA-256 equal) → check → delete → ls empty';
});

await recorder.run('object-round-trip', async () => {
  const body = randomBody(1234);
  await rclone(['rcat', obj('rt.bin')], { input: body });
  assert((await text(['md5sum', obj('rt.bin')])).startsWith(md5(body)), 'md5sum (the ETag) is not the MD5 of the body');
  const stat = JSON.parse(await text(['lsjson', '--stat', obj('rt.bin')]));
  assert(stat.Size === body.length, `size ${stat.Size}`);
  assert((await rclone(['cat', obj('rt.bin')])).stdout.equals(body), 'cat returned other bytes');
  await rclone(['deletefile', obj('rt.bin')]);
  const dump = await dumped(['lsjson', '--stat', obj('rt.bin')]);
  assert(/HEAD \S+rt\.bin HTTP/.test(dump) && dump.includes('HTTP/1.1 404 Not Found'), 'HEAD after delete is not 404');
  return 'rcat → md5sum → lsjson --stat → cat → deletefile → lsjson --stat: HEAD 404';
});

await recorder.run('zero-byte-object', async () => {
  await put('empty', Buffer.alloc(0));
  assert((await text(['md5sum', obj('empty')])).startsWith('d41d8cd98f00b204e9800998ecf8427e'), 'ETag of the empty object');
  assert((await rclone(['cat', obj('empty')])).stdout.length === 0, 'body not empty');
});

await recorder.run('metadata-and-content-headers', async () => {
  // --header-upload and --metadata-set: https://rclone.org/docs/#header-upload, https://rclone.org/docs/#metadata
  await put('meta.txt', Buffer.from('meta'), [
    '--header-upload', 'Content-Type: text/x-smll', '--header-upload', 'Cache-Control: max-age=60',
    '--header-upload', 'Content-Disposition: attachment; filename="m.txt"', '--header-upload', 'Content-Language: fr',
    '--metadata', '--metadata-set', 'color=blue',
  ]);
  const { Metadata: m } = JSON.parse(await text(['lsjson', '--stat', '--metadata', obj('meta.txt')]));
  const expected = { 'content-type': 'text/x-smll', 'cache-control': 'max-age=60', 'content-disposition': 'attachment; filename="m.txt"', 'content-language': 'fr', color: 'blue' };
  for (const [k, v] of Object.entries(expected)) assert(m?.[k] === v, `metadata ${k}: expected ${v}, got ${JSON.stringify(m)}`);
});

for (const [id, key] of [
  ['key-with-space', 'dir/key with space.txt'],
  ['key-with-plus', 'dir/a+b=c.txt'],
  ['key-with-percent', 'dir/100% of%20.txt'],
  ['key-unicode', 'dir/é-日本-🎉.txt'],
]) {
  await recorder.run(id, async () => {
    const body = Buffer.from(key);
    await put(key, body);
    assert((await rclone(['cat', obj(key)])).stdout.equals(body), 'cat returned other bytes');
    const names = (await text(['lsf', '-R', obj('dir')])).split('\n');
    assert(names.includes(key.slice(4)), `listing lacks ${key}: ${JSON.stringify(names)}`);
    await rclone(['deletefile', obj(key)]);
  });
}

recorder.notExpressible('key-double-slash', 'rclone cleans remote paths like file paths: rcat to "a//b.txt" PUTs the key "a/b.txt" (no way to name an empty path segment)');

await recorder.run('key-trailing-slash', async () => {
  // Directory markers: https://rclone.org/s3/#s3-directory-markers
  await rclone(['mkdir', obj('folder'), '--s3-directory-markers']);
  const names = (await text(['lsf', obj('')])).split('\n');
  assert(names.includes('folder/'), `no folder/ in ${JSON.stringify(names)}`);
  await rclone(['rmdir', obj('folder'), '--s3-directory-markers']);
  return 'mkdir --s3-directory-markers puts "folder/" (empty); listed; rmdir';
});

const ten = Buffer.from('0123456789');
await put('range.txt', ten);
await recorder.run('range-get', async () => {
  const out = (await rclone(['cat', '--offset', '2', '--count', '4', obj('range.txt')])).stdout.toString();
  assert(out === '2345', `got ${out}`);
  return 'cat --offset 2 --count 4';
});
await recorder.run('range-suffix', async () => {
  const out = (await rclone(['cat', '--tail', '4', obj('range.txt')])).stdout.toString();
  assert(out === '6789', `got ${out}`);
  return 'cat --tail 4';
});
{
  // rclone clamps the range to the size its HEAD reported: seen as `Range: bytes=100-10`, which RFC 9110 §14.1.1
  // makes invalid (last < first), so a server ignores it and answers 200, and rclone prints nothing.
  const dump = await dumped(['cat', '--offset', '100', obj('range.txt')]);
  const range = dump.match(/^Range: (.*)$/m)?.[1] ?? 'no Range header';
  recorder.notExpressible('range-unsatisfiable', `rclone clamps a range to the object's size: cat --offset 100 of a 10-byte object sends "Range: ${range}" and prints nothing`);
}

for (const id of ['conditional-get-not-modified', 'conditional-get-precondition-failed', 'conditional-put-if-none-match']) {
  recorder.notExpressible(id, 'rclone has no option to send If-Match, If-None-Match or If-Modified-Since of the user\'s choosing');
}

await recorder.run('list-v2-paginated', async () => {
  const dir = join(work, 'many');
  const names = Array.from({ length: 2500 }, (_, i) => `k${String(i).padStart(5, '0')}`);
  for (const n of names) writeLocal(dir, n, n);
  await rclone(['copy', dir, obj('many'), '--transfers', '16', '--checkers', '16']);
  // list_version and list_chunk: https://rclone.org/s3/#s3-list-version
  const { stdout, stderr } = await rclone(['lsf', obj('many'), '--s3-list-version', '2', '--s3-list-chunk', '1000', '--dump', 'headers']);
  const listed = stdout.toString().split('\n').filter(Boolean);
  assert(JSON.stringify(listed) === JSON.stringify(names), `listed ${listed.length} keys, not the 2,500 in order`);
  const pages = stderr.split('\n').filter((l) => /GET \S*list-type=2/.test(l)).length;
  assert(pages === 3, `${pages} ListObjectsV2 pages, expected 3`);
  await rclone(['delete', obj('many'), '--transfers', '16', '--checkers', '16']);
  return '2,500 keys by rclone copy, lsf with list_version 2 and list_chunk 1000: 3 pages';
});

await put('tree/top.txt', Buffer.from('t'));
await put('tree/sub1/a.txt', Buffer.from('a'));
await put('tree/sub2/b.txt', Buffer.from('b'));
await recorder.run('list-delimiter-prefix', async () => {
  const listed = (await text(['lsf', obj('tree')])).split('\n').filter(Boolean).sort();
  assert(JSON.stringify(listed) === JSON.stringify(['sub1/', 'sub2/', 'top.txt']), `lsf gave ${JSON.stringify(listed)}`);
  return 'lsf (prefix tree/, delimiter /): sub1/, sub2/, top.txt';
});
await recorder.run('list-v1-marker', async () => {
  const { stdout, stderr } = await rclone(['lsf', '-R', '--files-only', obj('tree'), '--s3-list-version', '1', '--s3-list-chunk', '2', '--fast-list', '--dump', 'headers']);
  const listed = stdout.toString().split('\n').filter(Boolean);
  assert(JSON.stringify(listed) === JSON.stringify(['sub1/a.txt', 'sub2/b.txt', 'top.txt']), `lsf gave ${JSON.stringify(listed)}`);
  const pages = stderr.split('\n').filter((l) => /GET \S*max-keys=2/.test(l) && !l.includes('list-type')).length;
  assert(pages === 2, `${pages} ListObjects (v1) pages, expected 2 for 3 keys at 2 a page`);
  return 'lsf -R --fast-list with list_version 1 and list_chunk 2: 2 pages by marker';
});

recorder.notExpressible('get-bucket-location', 'no rclone command shows a bucket\'s location: its s3 backend signs for the configured region');
recorder.notExpressible('head-bucket', 'with no_check_bucket = true rclone does not check the bucket (https://rclone.org/s3/#s3-no-check-bucket); without it rclone calls CreateBucket (see refusal-create-bucket)');

for (const n of ['d1', 'd2', 'd3']) await put(`batch/${n}`, Buffer.from(n));
{
  const dump = await dumped(['delete', obj('batch')]);
  if (/POST \S*\?delete/.test(dump)) {
    await recorder.run('delete-objects-batch', async () => {
      assert((await text(['ls', obj('batch')])).trim() === '', 'objects left');
      return 'rclone delete (DeleteObjects)';
    });
  } else {
    recorder.notExpressible('delete-objects-batch', `rclone delete sends one DeleteObject per object (${(dump.match(/DEBUG : DELETE /g) ?? []).length} DELETEs for 3 objects, no DeleteObjects)`);
  }
}

await put('copy-src.txt', Buffer.from('copy me'), ['--header-upload', 'Content-Type: text/x-src', '--metadata', '--metadata-set', 'origin=src']);
await recorder.run('copy-object-metadata-copy', async () => {
  const dump = await dumped(['copyto', obj('copy-src.txt'), obj('copy-dst.txt'), '--metadata']);
  assertIncludes(dump, 'X-Amz-Copy-Source', 'server-side copy');
  const { Metadata: m, Size } = JSON.parse(await text(['lsjson', '--stat', '--metadata', obj('copy-dst.txt')]));
  assert(Size === 7 && m?.['content-type'] === 'text/x-src' && m?.origin === 'src', `copy has ${JSON.stringify(m)}`);
  assert((await text(['md5sum', obj('copy-dst.txt')])).startsWith(md5(Buffer.from('copy me'))), 'ETag of the copy');
  return 'copyto within the bucket (CopyObject)';
});
await recorder.run('copy-object-metadata-replace', async () => {
  const dump = await dumped(['copyto', obj('copy-src.txt'), obj('copy-new.txt'), '--metadata', '--metadata-set', 'origin=new', '--header-upload', 'Content-Type: text/x-new']);
  assertIncludes(dump, 'X-Amz-Copy-Source', 'server-side copy');
  assertIncludes(dump, 'X-Amz-Metadata-Directive: REPLACE', 'copy request');
  const { Metadata: m } = JSON.parse(await text(['lsjson', '--stat', '--metadata', obj('copy-new.txt')]));
  assert(m?.['content-type'] === 'text/x-new' && m?.origin === 'new', `copy has ${JSON.stringify(m)}`);
  return 'copyto with --metadata-set and Content-Type (CopyObject, REPLACE)';
});

const large = randomBody(40 * 1024 * 1024);
await recorder.run('multipart-upload-40mib', async () => {
  const dump = await dumped(['copyto', writeLocal(work, 'large.bin', large), obj('large.bin'), '--s3-upload-cutoff', '16M', '--s3-chunk-size', '8M']);
  assertIncludes(dump, '?uploads', 'CreateMultipartUpload');
  const head = await dumped(['lsjson', '--stat', obj('large.bin')]);
  assert(/Etag: "[0-9a-f]{32}-5"/i.test(head), 'the ETag does not end in -5');
  assertIncludes(head, 'Content-Length: 41943040', 'HEAD');
  return 'copyto with upload_cutoff 16M, chunk_size 8M: 5 parts';
});
await recorder.run('multipart-download-40mib', async () => {
  const out = join(work, 'large-back.bin');
  // Multi-thread downloads: https://rclone.org/docs/#multi-thread-cutoff
  const dump = await dumped(['copyto', obj('large.bin'), out, '--multi-thread-cutoff', '16M', '--multi-thread-streams', '4']);
  assert(/^Range: bytes=/im.test(dump), 'no ranged GET');
  assert(sha256(readFileSync(out)) === sha256(large), 'downloaded bytes differ');
  return 'copyto with multi_thread_cutoff 16M, 4 streams (ranged GETs)';
});

for (const id of ['checksum-crc32', 'checksum-crc32c', 'checksum-crc64nvme', 'checksum-sha1', 'checksum-sha256']) {
  recorder.notExpressible(id, 'rclone\'s s3 backend sends no x-amz-checksum-* of a chosen algorithm (it checks MD5 through Content-MD5 and the ETag)');
}

await recorder.run('presigned-get', async () => {
  // rclone link on s3 presigns a GET: https://rclone.org/commands/rclone_link/
  const url = (await text(['link', obj('range.txt'), '--expire', '1h'])).trim();
  const res = await plainHttp(url, { caFile: t.caFile });
  assert(res.status === 200 && res.body.equals(ten), `GET ${res.status}`);
  return 'rclone link → plain HTTP GET';
});
recorder.notExpressible('presigned-put', 'rclone presigns only GETs (rclone link)');
recorder.notExpressible('presigned-post', 'rclone has no POST policy');

await recorder.run('no-such-key', async () => {
  // rclone HEADs a path before it reads it; on a 404 it looks for a "directory" of that name instead, so it never GETs a missing key.
  const dump = await dumped(['lsjson', '--stat', obj('missing')]);
  assert(/HEAD \S+missing HTTP/.test(dump) && dump.includes('HTTP/1.1 404 Not Found'), 'HEAD of a missing key is not 404');
  return 'HEAD 404 (rclone sends no GET for a key its HEAD did not find)';
});

await recorder.run('refusal-other-bucket', async () => {
  const put2 = await expectFailure(rclone(['rcat', obj('x', t.bucket2)], { input: Buffer.from('x') }), 'upload to the other bucket');
  assertIncludes(put2.message, 'AccessDenied', 'PutObject');
  const get2 = await expectFailure(rclone(['cat', obj('x', t.bucket2)]), 'download from the other bucket');
  assertIncludes(get2.message, '403', 'GetObject');
});
await recorder.run('refusal-wrong-secret', async () => {
  const err = await expectFailure(rclone(['cat', `wrongsecret:${t.bucket}/${prefix}range.txt`]), 'GET with a wrong secret');
  assertIncludes(err.message, 'SignatureDoesNotMatch', 'GET');
});
await recorder.run('refusal-unknown-access-key', async () => {
  const err = await expectFailure(rclone(['cat', `unknownkey:${t.bucket}/${prefix}range.txt`]), 'GET with an unknown key');
  assertIncludes(err.message, 'InvalidAccessKeyId', 'GET');
});
await recorder.run('refusal-list-buckets', async () => {
  const err = await expectFailure(rclone(['lsd', 'smll:']), 'lsd smll: (ListBuckets)');
  assertIncludes(err.message, 'AccessDenied', 'ListBuckets');
});
await recorder.run('refusal-create-bucket', async () => {
  // Without no_check_bucket rclone creates the bucket before an upload: what users meet first.
  const err = await expectFailure(rclone(['rcat', `smllcheck:${t.bucket}/${prefix}checked`], { input: Buffer.from('x') }), 'upload without no_check_bucket');
  assertIncludes(err.message, 'AccessDenied', 'CreateBucket');
  return 'an upload through a remote without no_check_bucket: CreateBucket refused, 403 AccessDenied';
});
recorder.notExpressible('refusal-abort-multipart-upload', 'rclone aborts a multipart upload only after a failed part, which a user cannot ask for');

await rclone(['delete', obj('')]).catch(() => {});
recorder.finish();
