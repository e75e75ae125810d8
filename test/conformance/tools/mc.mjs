// The mc runner: the MinIO client (pinned in versions.sh) with an alias for the endpoint, as its docs
// tell a user to (`mc alias set ALIAS URL ACCESSKEY SECRETKEY`,
// https://min.io/docs/minio/linux/reference/minio-mc/mc-alias-set.html), path-style (`--path on`),
// signature v4, in a config dir of its own (`--config-dir`). https: the endpoint's CA in SSL_CERT_FILE,
// which Go's crypto/x509 reads on Linux (mc also reads <config-dir>/certs/CAs/).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import {
  Recorder, assert, assertIncludes, expectFailure, md5, plainHttp, randomBody, runPrefix, runTool, sha256, target, toolBinary, toolVersion, workDir, writeLocal,
} from './harness.mjs';

const t = target();
const bin = toolBinary('mc');
const work = workDir('mc');
const prefix = runPrefix('mc', t.transport);
const configDir = join(work, 'config');
const env = { ...(t.caFile ? { SSL_CERT_FILE: t.caFile } : {}), MC_DISABLE_PAGER: '1', MC_NO_COLOR: '1' };

const mc = (args, opts = {}) => runTool(bin, ['--config-dir', configDir, '--no-color', ...args], { env, ...opts });
const json = async (args) => (await mc(['--json', ...args])).stdout.toString().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const obj = (key, bucket = t.bucket, alias = 'smll') => `${alias}/${bucket}/${prefix}${key}`;

const versionLine = (await mc(['--version'])).stdout.toString().split('\n')[0].trim();
// A `go install` build calls itself DEVELOPMENT.GOGET: the module version (a commit of 2025-03-13) says which it is.
const recorder = new Recorder('mc', `mc ${toolVersion('mc')} (go install build)`, t.transport);
process.stdout.write(`${versionLine} against ${t.endpoint} (prefix ${prefix})\n`);

// `mc alias set` probes the endpoint with the credentials before saving them: what it says is part of
// what a user meets first, so it is kept for the native flow's detail.
async function alias(name, accessKey, secretKey) {
  try {
    const { stderr } = await mc(['alias', 'set', name, t.endpoint, accessKey, secretKey, '--api', 'S3v4', '--path', 'on']);
    return stderr.trim();
  } catch (err) {
    return `alias set failed: ${err.message}`;
  }
}
const aliasNote = await alias('smll', t.accessKey, t.secretKey);
await alias('wrongsecret', t.accessKey, `${t.secretKey.slice(0, -2)}xx`);
await alias('unknownkey', 'AKIANOSUCHKEY0000000', t.secretKey);

async function put(key, body, extra = []) {
  const file = writeLocal(work, `up/${md5(body)}-${Math.random()}`, body);
  await mc(['cp', ...extra, file, obj(key)]);
}
const stat = async (key) => (await json(['stat', obj(key)]))[0];
const cat = async (args) => (await mc(['cat', ...args])).stdout;

await recorder.run('native-flow', async () => {
  const dir = join(work, 'flow');
  const files = { 'a.txt': randomBody(1000), 'docs/b.json': Buffer.from('{"b":1}'), 'docs/c.bin': randomBody(70_000), 'large.bin': randomBody(40 * 1024 * 1024) };
  for (const [name, body] of Object.entries(files)) writeLocal(dir, name, body);
  await mc(['cp', '--recursive', `${dir}/`, obj('flow/')]);
  const listed = await json(['ls', '--recursive', obj('flow/')]);
  for (const [name, body] of Object.entries(files)) {
    assert(listed.some((e) => e.key === name && e.size === body.length), `mc ls lacks ${name}: ${JSON.stringify(listed.map((e) => e.key))}`);
  }
  assert((await stat('flow/large.bin')).etag.endsWith('-3'), 'the 40 MiB upload was not multipart (16 MiB parts)');
  assert((await cat([obj('flow/docs/b.json')])).equals(files['docs/b.json']), 'mc cat returned other bytes');
  const back = join(work, 'flow-back');
  await mc(['cp', '--recursive', obj('flow/'), `${back}/`]);
  for (const [name, body] of Object.entries(files)) assert(sha256(readFileSync(join(back, name))) === sha256(body), `${name} came back different`);
  await mc(['rm', '--recursive', '--force', obj('flow/')]);
  assert((await json(['ls', '--recursive', obj('flow/')])).length === 0, 'objects left after mc rm');
  return `mc alias set (${aliasNote.split('\n')[0] || 'ok'}) → mc cp --recursive (3 small files, one 40 MiB multipart) → ls → cat → cp back (SHA-256 equal) → rm --recursive --force → ls empty`;
});

await recorder.run('object-round-trip', async () => {
  const body = randomBody(1234);
  // From a file: mc pipe streams stdin as a multipart upload (ETag …-1).
  await put('rt.bin', body);
  const s = await stat('rt.bin');
  assert(s.etag === md5(body) && s.size === body.length, `stat ${JSON.stringify(s)}`);
  assert((await cat([obj('rt.bin')])).equals(body), 'cat returned other bytes');
  await mc(['rm', obj('rt.bin')]);
  const err = await expectFailure(mc(['cat', obj('rt.bin')]), 'cat after rm');
  assertIncludes(err.message, 'does not exist', 'cat after rm');
  return 'mc cp → stat → cat → rm → cat: does not exist';
});

await recorder.run('zero-byte-object', async () => {
  await put('empty', Buffer.alloc(0));
  const s = await stat('empty');
  assert(s.etag === 'd41d8cd98f00b204e9800998ecf8427e' && s.size === 0, `stat ${JSON.stringify(s)}`);
  assert((await cat([obj('empty')])).length === 0, 'body not empty');
});

await recorder.run('metadata-and-content-headers', async () => {
  // --attr: https://min.io/docs/minio/linux/reference/minio-mc/mc-cp.html#mcoption.mc.cp.attr
  await put('meta.txt', Buffer.from('meta'), [
    '--attr', 'Content-Type=text/x-smll;Cache-Control=max-age=60;Content-Disposition=attachment;Content-Language=fr;X-Amz-Meta-Color=blue',
  ]);
  const { metadata: m } = await stat('meta.txt');
  const lower = Object.fromEntries(Object.entries(m ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const expected = { 'content-type': 'text/x-smll', 'cache-control': 'max-age=60', 'content-disposition': 'attachment', 'content-language': 'fr', 'x-amz-meta-color': 'blue' };
  for (const [k, v] of Object.entries(expected)) assert(lower[k] === v, `${k}: expected ${v}, got ${JSON.stringify(m)}`);
  return 'mc cp --attr, mc stat';
});

for (const [id, key] of [
  ['key-with-space', 'dir/key with space.txt'],
  ['key-with-plus', 'dir/a+b=c.txt'],
  ['key-with-percent', 'dir/100% of%20.txt'],
  ['key-unicode', 'dir/é-日本-🎉.txt'],
  ['key-double-slash', 'dir/a//b.txt'],
]) {
  await recorder.run(id, async () => {
    const body = Buffer.from(key);
    await mc(['pipe', obj(key)], { input: body });
    assert((await cat([obj(key)])).equals(body), 'cat returned other bytes');
    const keys = (await json(['ls', '--recursive', obj('dir/')])).map((e) => e.key);
    assert(keys.includes(key.slice(4)), `listing lacks ${key}: ${JSON.stringify(keys)}`);
    await mc(['rm', obj(key)]);
  });
}
recorder.notExpressible('key-trailing-slash', 'mc reads a target ending in "/" as a folder to copy into, and mc mb makes buckets, not folder keys');

const ten = Buffer.from('0123456789');
await put('range.txt', ten);
recorder.notExpressible('range-get', 'mc cat takes a start (--offset, bytes=N-) or a tail (--tail), not a closed range');
await recorder.run('range-suffix', async () => {
  const out = (await cat(['--tail', '4', obj('range.txt')])).toString();
  assert(out === '6789', `got ${out}`);
  return 'mc cat --tail 4';
});
{
  // mc compares the offset with the size its HEAD reported and stops before any ranged GET.
  const err = await expectFailure(mc(['cat', '--offset', '100', obj('range.txt')]), 'cat --offset 100 of a 10-byte object');
  if (/bigger than file/.test(err.message)) {
    recorder.notExpressible('range-unsatisfiable', `mc refuses an offset past the end itself, before any GET: "${err.message.split(' [')[0].split('. ').pop()}"`);
  } else {
    recorder.write('range-unsatisfiable', /InvalidRange|416/.test(err.message) ? 'pass' : 'fail', err.message.split(' [')[0]);
  }
}

for (const id of ['conditional-get-not-modified', 'conditional-get-precondition-failed', 'conditional-put-if-none-match']) {
  recorder.notExpressible(id, 'mc has no option to send If-Match, If-None-Match or If-Modified-Since');
}

await recorder.run('list-v2-paginated', async () => {
  const dir = join(work, 'many');
  const names = Array.from({ length: 2500 }, (_, i) => `k${String(i).padStart(5, '0')}`);
  for (const n of names) writeLocal(dir, n, n);
  await mc(['cp', '--recursive', `${dir}/`, obj('many/')], { timeoutMs: 600_000 });
  const listed = (await json(['ls', '--recursive', obj('many/')])).map((e) => e.key);
  assert(JSON.stringify(listed) === JSON.stringify(names), `listed ${listed.length} keys, not the 2,500 in order`);
  await mc(['rm', '--recursive', '--force', obj('many/')]);
  return '2,500 keys by mc cp --recursive, mc ls --recursive (ListObjectsV2, 1,000 a page)';
});

await put('tree/top.txt', Buffer.from('t'));
await put('tree/sub1/a.txt', Buffer.from('a'));
await put('tree/sub2/b.txt', Buffer.from('b'));
await recorder.run('list-delimiter-prefix', async () => {
  const listed = (await json(['ls', obj('tree/')])).map((e) => e.key).sort();
  assert(JSON.stringify(listed) === JSON.stringify(['sub1/', 'sub2/', 'top.txt']), `mc ls gave ${JSON.stringify(listed)}`);
  return 'mc ls (prefix tree/, delimiter /)';
});
recorder.notExpressible('list-v1-marker', 'mc always lists with ListObjectsV2; it has no option for ListObjects (v1) or a page size');
// mc stat ALIAS/BUCKET (seen with --debug): GetBucketLocation, HeadBucket, then the bucket's versioning, object-lock,
// replication, encryption, policy, tagging, lifecycle and notification configurations and a MinIO admin call,
// which SMLL refuses and mc shows as empty.
const [bucketStat] = await json(['stat', `smll/${t.bucket}`]).catch((err) => [{ status: 'error', error: err.message }]);
await recorder.run('get-bucket-location', async () => {
  assert(bucketStat.location === t.region, `mc stat of the bucket: location ${JSON.stringify(bucketStat.location)}, region ${t.region}`);
  return `mc stat ALIAS/BUCKET: location ${bucketStat.location}`;
});
await recorder.run('head-bucket', async () => {
  assert(bucketStat.status === 'success', `mc stat of the bucket: ${JSON.stringify(bucketStat).slice(0, 300)}`);
  return 'mc stat ALIAS/BUCKET';
});

await recorder.run('delete-objects-batch', async () => {
  for (const n of ['d1', 'd2', 'd3']) await put(`batch/${n}`, Buffer.from(n));
  // Seen with --debug: named keys are HEADed and deleted one DeleteObjects each (a missing one is skipped);
  // rm --recursive lists the prefix and deletes what it found in one DeleteObjects.
  const { stderr } = await mc(['--debug', 'rm', '--recursive', '--force', obj('batch/')]);
  const batches = (stderr.match(/DEBUG> POST \S+\?delete= /g) ?? []).length;
  assert(batches === 1, `${batches} DeleteObjects requests for 3 keys`);
  assert((await json(['ls', '--recursive', obj('batch/')])).length === 0, 'objects left');
  return 'mc rm --recursive --force of 3 keys: one DeleteObjects (mc sends only keys it listed, so the missing key of the scenario cannot be asked for)';
});

await put('copy-src.txt', Buffer.from('copy me'), ['--attr', 'Content-Type=text/x-src;X-Amz-Meta-Origin=src']);
await recorder.run('copy-object-metadata-copy', async () => {
  await mc(['cp', obj('copy-src.txt'), obj('copy-dst.txt')]);
  const s = await stat('copy-dst.txt');
  const m = Object.fromEntries(Object.entries(s.metadata ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  assert(s.etag === md5(Buffer.from('copy me')) && m['content-type'] === 'text/x-src' && m['x-amz-meta-origin'] === 'src', `copy: ${JSON.stringify(s)}`);
  return 'mc cp within the bucket (CopyObject)';
});
// Seen with mc --debug: the copy goes with X-Amz-Metadata-Directive: REPLACE, the new attributes and the source's own metadata.
recorder.notExpressible('copy-object-metadata-replace', 'mc cp --attr within a bucket merges: its REPLACE copy re-sends the source\'s metadata with the new attributes, so "only the new metadata" cannot be asked for');

const large = randomBody(40 * 1024 * 1024);
await recorder.run('multipart-upload-40mib', async () => {
  await put('large.bin', large);
  const s = await stat('large.bin');
  assert(/-\d+$/.test(s.etag) && s.size === 41943040, `stat ${JSON.stringify({ etag: s.etag, size: s.size })}`);
  return `mc cp of 40 MiB: ETag …${s.etag.slice(-3)}`;
});
recorder.notExpressible('multipart-download-40mib', 'mc downloads with one streamed GET (no ranged or part GETs); its 40 MiB download is in native-flow');

const checksumBody = Buffer.from('checksummed body');
const localChecksums = {
  CRC32: () => { const b = Buffer.alloc(4); b.writeUInt32BE(crc32(checksumBody)); return b.toString('base64'); },
  SHA1: () => createHash('sha1').update(checksumBody).digest('base64'),
  SHA256: () => createHash('sha256').update(checksumBody).digest('base64'),
};
for (const algorithm of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256']) {
  await recorder.run(`checksum-${algorithm.toLowerCase()}`, async () => {
    // --checksum: sent as a trailing checksum (aws-chunked); mc stat reads it back with checksum mode.
    await put(`checksum-${algorithm}.txt`, checksumBody, ['--checksum', algorithm]).catch((err) => {
      // Seen on the wire (minio-go v7.0.88): "0;chunk-signature=…\r\nx-amz-checksum-crc32:…\n\r\nx-amz-trailer-signature:…\r\n\r\n".
      throw new Error(`${err.message.split(' [')[0]} (minio-go ends the trailing checksum line with "\\n" and then an empty "\\r\\n" line before x-amz-trailer-signature)`);
    });
    const { checksum } = await stat(`checksum-${algorithm}.txt`);
    assert(checksum?.[algorithm], `mc stat shows no ${algorithm}: ${JSON.stringify(checksum)}`);
    if (localChecksums[algorithm]) assert(checksum[algorithm] === localChecksums[algorithm](), `${algorithm} ${checksum[algorithm]}, computed ${localChecksums[algorithm]()}`);
    assert((await cat([obj(`checksum-${algorithm}.txt`)])).equals(checksumBody), 'body');
    return `mc cp --checksum ${algorithm}, mc stat shows ${checksum[algorithm]}${localChecksums[algorithm] ? ' (= computed here)' : ''}; mc cat does not validate it`;
  });
}

await recorder.run('presigned-get', async () => {
  // mc share download: https://min.io/docs/minio/linux/reference/minio-mc/mc-share-download.html
  const [{ share }] = await json(['share', 'download', '--expire', '1h', obj('range.txt')]);
  const res = await plainHttp(share, { caFile: t.caFile });
  assert(res.status === 200 && res.body.equals(ten), `GET ${res.status}`);
  return 'mc share download → plain HTTP GET';
});
recorder.notExpressible('presigned-put', 'mc presigns GETs (share download) and POST policies (share upload), not PUTs');
await recorder.run('presigned-post', async () => {
  // mc share upload prints a curl command with the policy's form fields: the same form, posted without curl.
  const [{ share }] = await json(['share', 'upload', '--expire', '1h', obj('posted.txt')]);
  const url = share.match(/curl (\S+)/)[1];
  const fields = [...share.matchAll(/-F ([^=\s]+)=(\S+)/g)].map(([, k, v]) => [k, v]).filter(([k]) => k !== 'file');
  const boundary = `----smll${Math.random().toString(16).slice(2)}`;
  const parts = fields.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`);
  const body = Buffer.concat([
    Buffer.from(parts.join('')),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="posted.txt"\r\nContent-Type: application/octet-stream\r\n\r\nposted body\r\n--${boundary}--\r\n`),
  ]);
  const res = await plainHttp(url, { method: 'POST', body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, caFile: t.caFile });
  assert(res.status >= 200 && res.status < 300, `POST ${res.status}: ${res.body.toString().slice(0, 300)}`);
  assert((await cat([obj('posted.txt')])).toString() === 'posted body', 'body');
  return 'mc share upload → multipart/form-data POST';
});

await recorder.run('no-such-key', async () => {
  // mc HEADs before it reads: on a 404 it looks for a "folder" of that name and reports the object missing, with no GET.
  const get = await expectFailure(mc(['--debug', 'cat', obj('missing')]), 'cat of a missing key');
  assert(/HEAD \S+missing HTTP\/1\.1/.test(get.stderr) && get.stderr.includes('HTTP/1.1 404 Not Found'), 'no HEAD 404 seen');
  assertIncludes(get.message, 'does not exist', 'mc cat');
  const head = await expectFailure(mc(['stat', obj('missing')]), 'stat of a missing key');
  assert(/does not exist|not found/i.test(head.message), `HEAD: ${head.message}`);
  return 'HEAD 404, "Object does not exist" (mc sends no GET for a key its HEAD did not find)';
});

await recorder.run('refusal-other-bucket', async () => {
  // mc renders an AccessDenied on an object path as "Insufficient permissions to access this path" (no code shown).
  const put2 = await expectFailure(mc(['cp', writeLocal(work, 'x', 'x'), obj('x', t.bucket2)]), 'upload to the other bucket');
  assertIncludes(put2.message, 'Insufficient permissions to access this path', 'PutObject');
  const get2 = await expectFailure(mc(['cat', obj('x', t.bucket2)]), 'download from the other bucket');
  assertIncludes(get2.message, 'Insufficient permissions to access this path', 'GetObject');
});
await recorder.run('refusal-wrong-secret', async () => {
  const err = await expectFailure(mc(['cat', obj('range.txt', t.bucket, 'wrongsecret')]), 'GET with a wrong secret');
  assertIncludes(err.message, 'signature we calculated does not match', 'GET');
});
await recorder.run('refusal-unknown-access-key', async () => {
  const err = await expectFailure(mc(['cat', obj('range.txt', t.bucket, 'unknownkey')]), 'GET with an unknown key');
  assertIncludes(err.message, 'Access Key Id you provided does not exist', 'GET');
});
await recorder.run('refusal-list-buckets', async () => {
  const err = await expectFailure(mc(['--json', 'ls', 'smll']), 'mc ls ALIAS (ListBuckets)');
  assertIncludes(err.message, '"Code":"AccessDenied"', 'ListBuckets');
});
await recorder.run('refusal-create-bucket', async () => {
  const err = await expectFailure(mc(['--json', 'mb', `smll/mc-${prefix.slice(-11, -1)}`]), 'mc mb');
  assertIncludes(err.message, '"Code":"AccessDenied"', 'CreateBucket');
});
recorder.notExpressible('refusal-abort-multipart-upload', 'no mc command leaves a multipart upload open to abort; mc rm --incomplete first lists uploads (ListMultipartUploads, refused by SMLL)');

await mc(['rm', '--recursive', '--force', obj('')]).catch(() => {});
recorder.finish();
