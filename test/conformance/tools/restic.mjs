// The restic runner: restic (pinned in versions.sh) with its repository in the bucket, configured as
// restic's docs tell a user to for S3-compatible storage
// (https://restic.readthedocs.io/en/stable/030_preparing_a_new_repo.html#s3-compatible-storage):
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, `-r s3:<endpoint>/<bucket>/<path>`, the region as
// `-o s3.region=…` and path-style bucket lookup (`-o s3.bucket-lookup=path`). `restic init` checks that
// the bucket exists (HeadBucket) and creates it only when it does not, so SMLL's refusal of CreateBucket
// is never met with an existing bucket. https: the endpoint's CA in SSL_CERT_FILE (Go's crypto/x509 on
// Linux; restic's own --cacert would do too).
// restic moves only its own repository files (encrypted packs, indexes, snapshots), so most scenarios of
// the catalogue are not expressible; its native flow is a backup and a restore.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Recorder, assert, assertIncludes, expectFailure, randomBody, runPrefix, runTool, sha256, target, toolBinary, workDir, writeLocal } from './harness.mjs';

const t = target();
const bin = toolBinary('restic');
const work = workDir('restic');
const prefix = runPrefix('restic', t.transport);
const repo = (bucket = t.bucket, path = `${prefix}repo`) => `s3:${t.endpoint}/${bucket}/${path}`;
const credentials = (accessKey = t.accessKey, secretKey = t.secretKey) => ({ AWS_ACCESS_KEY_ID: accessKey, AWS_SECRET_ACCESS_KEY: secretKey });
const baseEnv = {
  ...(t.caFile ? { SSL_CERT_FILE: t.caFile } : {}),
  RESTIC_PASSWORD: 'conformance-only-password',
  RESTIC_CACHE_DIR: join(work, 'cache'),
  AWS_DEFAULT_REGION: t.region,
};

function filesUnder(dir) {
  const out = {};
  for (const entry of readdirSync(dir, { recursive: true })) {
    const path = join(dir, entry);
    if (statSync(path).isFile()) out[relative(dir, path)] = sha256(readFileSync(path));
  }
  return out;
}

const version = (await runTool(bin, ['version'])).stdout.toString().trim().split(' compiled')[0];
const recorder = new Recorder('restic', version, t.transport);
process.stdout.write(`${version} against ${t.endpoint} (repository ${repo()})\n`);

/** restic against `opts.repository` (default: this run's repository) with `opts.env` credentials (default: the bucket's). */
const plain = (args, opts = {}) =>
  runTool(bin, ['-r', opts.repository ?? repo(), '-o', `s3.region=${t.region}`, '-o', 's3.bucket-lookup=path', ...args], {
    env: { ...baseEnv, ...(opts.env ?? credentials()) },
    timeoutMs: opts.timeoutMs ?? 600_000,
  });

let initialised = false;
await recorder.run('native-flow', async () => {
  const data = join(work, 'data');
  writeLocal(data, 'notes/a.txt', 'first note\n');
  writeLocal(data, 'notes/b.txt', randomBody(5000));
  writeLocal(data, 'photos/large.bin', randomBody(40 * 1024 * 1024));
  writeLocal(data, 'empty', Buffer.alloc(0));
  await plain(['init']);
  initialised = true;
  await plain(['backup', '--host', 'conformance', data]);
  const snapshots = JSON.parse((await plain(['snapshots', '--json'])).stdout.toString());
  assert(snapshots.length === 1, `${snapshots.length} snapshots`);
  const restored = join(work, 'restored');
  await plain(['restore', 'latest', '--target', restored]);
  const before = filesUnder(data);
  const after = filesUnder(join(restored, data));
  assert(JSON.stringify(after) === JSON.stringify(before), `restored files differ: ${JSON.stringify(Object.keys(after))}`);
  await plain(['check', '--read-data']);
  await plain(['forget', 'latest', '--prune']);
  assert(JSON.parse((await plain(['snapshots', '--json'])).stdout.toString()).length === 0, 'snapshot left after forget');
  return 'restic init → backup (4 files, one of 40 MiB) → snapshots → restore (SHA-256 equal) → check --read-data → forget --prune';
});

await recorder.run('head-bucket', async () => {
  assert(initialised, 'restic init did not get past the bucket check');
  return 'restic init checks the bucket (minio-go BucketExists: HeadBucket) before it writes anything';
});

await recorder.run('refusal-other-bucket', async () => {
  const err = await expectFailure(plain(['init'], { repository: repo(t.bucket2) }), 'init in the other bucket');
  assertIncludes(err.message, 'Access Denied', 'restic init in the other bucket');
  return `restic init in the other bucket: ${err.message.split('\n').filter((l) => /denied/i.test(l))[0]?.trim().slice(0, 200)}`;
});
// Every restic command starts with a HEAD of the repository's config file. A refused HEAD is a bare 403
// (no body, as S3 answers HEAD), so restic (minio-go) can only say "Access Denied" whatever the cause.
async function refusedAtHead(id, args, opts, what) {
  const err = await expectFailure(plain(args, opts), what);
  const line = err.stderr.split('\n').find((l) => /denied|signature|access key/i.test(l))?.trim().slice(0, 200) ?? err.message.slice(-200);
  if (/Stat\(<config\/>\) failed: Stat: Access Denied/.test(err.message)) {
    recorder.notExpressible(id, `refused, but at restic's first request, a HEAD of its config file, whose bare 403 carries no error code (restic says "${line}")`);
  } else {
    recorder.write(id, /signature|access key id/i.test(err.message) ? 'pass' : 'fail', line);
  }
}
await refusedAtHead('refusal-wrong-secret', ['snapshots'], { env: credentials(t.accessKey, `${t.secretKey.slice(0, -2)}xx`) }, 'snapshots with a wrong secret');
await refusedAtHead('refusal-unknown-access-key', ['snapshots'], { env: credentials('AKIANOSUCHKEY0000000', t.secretKey) }, 'snapshots with an unknown key');
{
  // In a bucket that does not exist, restic init would check the bucket and create it (CreateBucket).
  const missing = `restic-${prefix.slice(-11, -1)}`;
  const err = await expectFailure(plain(['init'], { repository: repo(missing, 'repo') }), 'init in a bucket that does not exist');
  const line = err.stderr.split('\n').find((l) => /denied|bucket/i.test(l))?.trim().slice(0, 200) ?? err.message.slice(-200);
  if (/MakeBucket|create bucket/i.test(err.message)) recorder.write('refusal-create-bucket', /Access Denied/.test(err.message) ? 'pass' : 'fail', `restic init in a bucket that does not exist: ${line}`);
  // Seen in the emulator's request log: HeadBucket 403 (minio-go's BucketExists reads only 404 as missing), HeadObject config 403.
  else recorder.notExpressible('refusal-create-bucket', `restic init in a bucket the keys do not own stops before CreateBucket: its bucket check (HeadBucket) and the HEAD of its config file are refused with bare 403s ("${line}")`);
}

const why = 'restic reads and writes only its own repository files (encrypted packs, indexes, snapshots): no restic command';
const reasons = {
  'object-round-trip': `${why} puts, reads or deletes an object of the user's choosing`,
  'zero-byte-object': `${why} stores a file as an object of its own (an empty file is only an entry in a tree blob)`,
  'metadata-and-content-headers': `${why} sets metadata or content headers`,
  'key-with-space': `${why} chooses a key: file names live inside encrypted tree blobs`,
  'key-with-plus': `${why} chooses a key: file names live inside encrypted tree blobs`,
  'key-with-percent': `${why} chooses a key: file names live inside encrypted tree blobs`,
  'key-unicode': `${why} chooses a key: file names live inside encrypted tree blobs`,
  'key-double-slash': `${why} chooses a key`,
  'key-trailing-slash': `${why} chooses a key`,
  'range-get': `${why} asks for a range of the user's choosing (it reads blobs by range inside packs itself)`,
  'range-suffix': `${why} asks for a suffix range`,
  'range-unsatisfiable': `${why} asks for a range of the user's choosing`,
  'conditional-get-not-modified': `${why} sends conditional headers`,
  'conditional-get-precondition-failed': `${why} sends conditional headers`,
  'conditional-put-if-none-match': `${why} sends conditional headers`,
  'list-v2-paginated': `${why} lists keys of the user's choosing (it lists its own folders: snapshots, index, data)`,
  'list-delimiter-prefix': `${why} lists with a delimiter of the user's choosing`,
  'list-v1-marker': `${why} pages a ListObjects (v1) listing of the user's choosing (-o s3.list-objects-v1 only switches its own listings)`,
  'get-bucket-location': 'restic with s3.region set never asks GetBucketLocation, and no command shows a bucket\'s location',
  'delete-objects-batch': `${why} deletes objects in a batch (forget --prune removes its own files with one DeleteObject each, seen in the emulator's request log)`,
  'copy-object-metadata-copy': `${why} copies an object`,
  'copy-object-metadata-replace': `${why} copies an object`,
  'multipart-upload-40mib': `${why} uploads an object of the user's choosing, and it sends each pack file with one PutObject (seen in the emulator's request log, 32 MiB packs included): restic never uses multipart uploads here`,
  'multipart-download-40mib': `${why} downloads an object of the user's choosing`,
  'checksum-crc32': `${why} asks for an x-amz-checksum-* algorithm`,
  'checksum-crc32c': `${why} asks for an x-amz-checksum-* algorithm`,
  'checksum-crc64nvme': `${why} asks for an x-amz-checksum-* algorithm`,
  'checksum-sha1': `${why} asks for an x-amz-checksum-* algorithm`,
  'checksum-sha256': `${why} asks for an x-amz-checksum-* algorithm`,
  'presigned-get': 'restic presigns nothing',
  'presigned-put': 'restic presigns nothing',
  'presigned-post': 'restic presigns nothing',
  'no-such-key': `${why} reads a key of the user's choosing`,
  'refusal-list-buckets': 'restic never lists buckets',
  'refusal-abort-multipart-upload': 'restic aborts a multipart upload only when a pack upload fails, which a user cannot ask for',
};
for (const [id, reason] of Object.entries(reasons)) recorder.notExpressible(id, reason);

recorder.finish();
