import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from 'vitest';
import { RESERVE_BYTES } from '../../src/store/index.js';
import { s3ErrorOf } from '../helpers.js';
import { FaultyIo, bytesUnder, startFaultyServer, type FaultyServer, type FilePoint } from '../storage-faults.js';

// Faults injected under the store (see test/storage-faults.ts), requests over real HTTP through
// the emulator's pipeline. S3 has no "disk full" error: the emulator answers a full data dir with
// 503 ServiceUnavailable and an I/O error with 500 InternalError, each with a message that says
// what happened in the data dir (the choice is explained in src/http/app.ts).

const dirs: string[] = [];
const servers: FaultyServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function start(options: { durable?: boolean } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'smll-faults-'));
  dirs.push(dataDir);
  const faults = new FaultyIo();
  const server = await startFaultyServer(dataDir, faults.io, options);
  servers.push(server);
  return { dataDir, faults, server, ...server };
}

const fullMessage = (dataDir: string, code: string) =>
  `The data dir ${dataDir} is full (${code}): nothing was stored. Delete objects or free disk space, then retry.`;
const ioMessage = (dataDir: string, code: string) => `I/O error in the data dir ${dataDir} (${code}): nothing was changed.`;
const expected = (dataDir: string, code: string) =>
  ['ENOSPC', 'EDQUOT', 'SQLITE_FULL'].includes(code)
    ? { code: 'ServiceUnavailable', status: 503, message: fullMessage(dataDir, code) }
    : { code: 'InternalError', status: 500, message: ioMessage(dataDir, code) };

/** Names of the committed blob files and of the temp files of a data dir. */
function filesOf(dataDir: string) {
  const blobs = readdirSync(join(dataDir, 'blobs'), { withFileTypes: true, recursive: true }).filter((entry) => entry.isFile()).map((entry) => entry.name);
  return { blobs: blobs.sort(), temp: readdirSync(join(dataDir, 'tmp')) };
}

async function text(t: FaultyServer, Key: string): Promise<string> {
  const out = await t.s3.send(new GetObjectCommand({ Bucket: t.bucket, Key }));
  return out.Body!.transformToString();
}

async function keys(t: FaultyServer): Promise<string[]> {
  const out = await t.s3.send(new ListObjectsV2Command({ Bucket: t.bucket }));
  return (out.Contents ?? []).map((entry) => entry.Key!);
}

/** More than INLINE_MAX_BYTES: written to a blob file, in several chunks. */
const large = (fill: string) => Buffer.alloc(200 * 1024, fill);

describe('a PUT whose blob file cannot be written answers an S3 error and stores nothing', () => {
  const cases: Array<{ point: FilePoint; code: string; durable?: boolean; after?: number }> = [
    { point: 'write', code: 'ENOSPC', after: 1 },
    { point: 'write', code: 'EDQUOT', after: 1 },
    { point: 'write', code: 'EIO', after: 1 },
    { point: 'sync', code: 'EIO', durable: true },
    { point: 'sync', code: 'ENOSPC', durable: true },
    { point: 'close', code: 'EIO' },
    { point: 'rename', code: 'EIO' },
    { point: 'rename', code: 'ENOSPC' },
    { point: 'fsyncDirectory', code: 'EIO', durable: true },
  ];
  for (const { point, code, durable, after } of cases) {
    it(`${code} on ${point}${durable ? ' (--durable)' : ''}: the old object stays, a new key stays absent, no temp or orphan file`, async () => {
      const t = await start({ durable });
      await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'kept', Body: large('o') }));
      const before = filesOf(t.dataDir);
      expect(before.blobs).toHaveLength(1);

      t.faults.failFile(point, code, after);
      expect(await s3ErrorOf(t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'kept', Body: large('n') })))).toMatchObject(expected(t.dataDir, code));
      t.faults.failFile(point, code, after);
      expect(await s3ErrorOf(t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'fresh', Body: large('f') })))).toMatchObject(expected(t.dataDir, code));
      expect(t.faults.fired).toBe(2);

      expect(await text(t, 'kept')).toBe(large('o').toString());
      expect((await s3ErrorOf(t.s3.send(new HeadObjectCommand({ Bucket: t.bucket, Key: 'fresh' })))).status).toBe(404);
      expect(await keys(t)).toEqual(['kept']);
      expect(filesOf(t.dataDir)).toEqual(before);

      // The store is still whole: once the fault is gone the same writes succeed.
      t.faults.clear();
      await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'kept', Body: large('n') }));
      expect(await text(t, 'kept')).toBe(large('n').toString());
      expect(filesOf(t.dataDir).blobs).toHaveLength(1);
    });
  }

  it('ENOSPC writing a part: UploadPart answers 503, leaves no file, and the part can be sent again', async () => {
    const t = await start();
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: t.bucket, Key: 'multi' }));
    t.faults.failFile('write', 'ENOSPC', 1);
    const upload = { Bucket: t.bucket, Key: 'multi', UploadId, PartNumber: 1, Body: large('p') };
    expect(await s3ErrorOf(t.s3.send(new UploadPartCommand(upload)))).toMatchObject(expected(t.dataDir, 'ENOSPC'));
    expect(filesOf(t.dataDir)).toEqual({ blobs: [], temp: [] });
    t.faults.clear();
    const { ETag } = await t.s3.send(new UploadPartCommand(upload));
    await t.s3.send(new CompleteMultipartUploadCommand({ Bucket: t.bucket, Key: 'multi', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] } }));
    expect(await text(t, 'multi')).toBe(large('p').toString());
  });
});

describe('a blob file that cannot be unlinked after its object is gone', () => {
  it('EIO unlinking: DELETE, an overwrite and a read that outlives its object still succeed, and the next open collects the files', async () => {
    const t = await start();
    for (const Key of ['deleted', 'replaced']) await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key, Body: large(Key[0]) }));
    // Larger than the socket buffers: the server is still streaming it when it is deleted.
    const readBody = Buffer.alloc(32 * 1024 * 1024, 'r');
    await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'read', Body: readBody }));
    const reading = await t.s3.send(new GetObjectCommand({ Bucket: t.bucket, Key: 'read' }));

    t.faults.failFile('unlink', 'EIO');
    await t.s3.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: 'deleted' }));
    await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'replaced', Body: large('n') }));
    await t.s3.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: 'read' }));
    // The response stream ends after the delete: its blob is unlinked then, and that fails too.
    expect(Buffer.from(await reading.Body!.transformToByteArray()).equals(readBody)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(t.faults.fired).toBe(3);
    expect(await keys(t)).toEqual(['replaced']);
    expect(await text(t, 'replaced')).toBe(large('n').toString());
    expect(filesOf(t.dataDir).blobs).toHaveLength(4);

    t.faults.clear();
    await t.server.stop();
    servers.splice(servers.indexOf(t.server), 1);
    const reopened = await startFaultyServer(t.dataDir, new FaultyIo().io);
    servers.push(reopened);
    expect(filesOf(t.dataDir).blobs).toHaveLength(1);
    expect(await text(reopened, 'replaced')).toBe(large('n').toString());
  });
});

describe('a metadata transaction SQLite cannot write rolls back, with an S3 error and no orphan blob', () => {
  for (const code of ['SQLITE_FULL', 'SQLITE_IOERR_WRITE', 'SQLITE_IOERR_FSYNC']) {
    it(`${code} committing a PUT (file and inline bodies), a CopyObject and a CompleteMultipartUpload`, async () => {
      const t = await start();
      await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'kept', Body: large('o') }));
      await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'small', Body: 'old small' }));
      const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: t.bucket, Key: 'multi' }));
      const { ETag } = await t.s3.send(new UploadPartCommand({ Bucket: t.bucket, Key: 'multi', UploadId, PartNumber: 1, Body: large('p') }));
      const before = filesOf(t.dataDir);

      t.faults.failRows('INSERT', code);
      const refused = expected(t.dataDir, code);
      expect(await s3ErrorOf(t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'kept', Body: large('n') })))).toMatchObject(refused);
      expect(await s3ErrorOf(t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'small', Body: 'new small' })))).toMatchObject(refused);
      expect(await s3ErrorOf(t.s3.send(new CopyObjectCommand({ Bucket: t.bucket, Key: 'copy', CopySource: `${t.bucket}/kept` })))).toMatchObject(refused);
      const complete = new CompleteMultipartUploadCommand({ Bucket: t.bucket, Key: 'multi', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] } });
      expect(await s3ErrorOf(t.s3.send(complete))).toMatchObject(refused);
      expect(t.faults.fired).toBe(4);

      expect(await text(t, 'kept')).toBe(large('o').toString());
      expect(await text(t, 'small')).toBe('old small');
      expect(await keys(t)).toEqual(['kept', 'small']);
      expect(filesOf(t.dataDir)).toEqual(before);

      t.faults.clear();
      await t.s3.send(complete);
      expect(await text(t, 'multi')).toBe(large('p').toString());
    });
  }

  it("SQLite's own SQLITE_FULL (the database may not grow: max_page_count) refuses a small PUT with 503 and keeps the old object", async () => {
    const t = await start();
    await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'small', Body: 'old small' }));
    const pages = t.faults.db!.pragma('page_count', { simple: true });
    t.faults.db!.pragma(`max_page_count = ${pages}`);
    expect(await s3ErrorOf(t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'small', Body: Buffer.alloc(60 * 1024, 'n') })))).toMatchObject(
      expected(t.dataDir, 'SQLITE_FULL'),
    );
    expect(await text(t, 'small')).toBe('old small');
  });
});

describe('a delete SQLite cannot write (an I/O error, not a lack of space)', () => {
  it('DELETE answers 500 and the object stays; DeleteObjects reports each key it could not delete, as S3 does, and the rest of the request goes on', async () => {
    const t = await start();
    for (const Key of ['a', 'b']) await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key, Body: large(Key) }));
    t.faults.failRows('DELETE', 'SQLITE_IOERR_WRITE');
    expect(await s3ErrorOf(t.s3.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: 'a' })))).toMatchObject(expected(t.dataDir, 'SQLITE_IOERR_WRITE'));
    // S3's DeleteObjects answers 200 with an Error element per key it could not delete
    // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteObjects.html); a missing key counts as deleted.
    const out = await t.s3.send(new DeleteObjectsCommand({ Bucket: t.bucket, Delete: { Objects: [{ Key: 'a' }, { Key: 'missing' }, { Key: 'b' }] } }));
    const { message } = expected(t.dataDir, 'SQLITE_IOERR_WRITE');
    expect(out.Errors).toEqual([
      { Key: 'a', Code: 'InternalError', Message: message },
      { Key: 'b', Code: 'InternalError', Message: message },
    ]);
    expect(out.Deleted).toEqual([{ Key: 'missing' }]);
    expect(await keys(t)).toEqual(['a', 'b']);
    expect(filesOf(t.dataDir).blobs).toHaveLength(2);
    t.faults.clear();
    await t.s3.send(new DeleteObjectsCommand({ Bucket: t.bucket, Delete: { Objects: [{ Key: 'a' }, { Key: 'b' }] } }));
    expect(await keys(t)).toEqual([]);
    expect(filesOf(t.dataDir).blobs).toHaveLength(0);
  });
});

describe('a full disk (simulated) can be emptied through the API', () => {
  /** Fills the simulated disk: what is stored now is all it holds. */
  async function startFull() {
    const t = await start();
    for (const Key of ['a', 'b', 'c', 'd']) await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key, Body: large(Key) }));
    for (const Key of ['inline', 'inline2']) await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key, Body: 'small' }));
    t.faults.simulateCapacity(t.dataDir, bytesUnder(t.dataDir));
    return t;
  }

  it('refuses PUTs with 503 and the data dir full message, and stores nothing', async () => {
    const t = await startFull();
    expect(await s3ErrorOf(t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'e', Body: large('e') })))).toMatchObject(expected(t.dataDir, 'ENOSPC'));
    expect(await s3ErrorOf(t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'e', Body: 'small' })))).toMatchObject(expected(t.dataDir, 'SQLITE_FULL'));
    expect(await keys(t)).toEqual(['a', 'b', 'c', 'd', 'inline', 'inline2']);
    expect(filesOf(t.dataDir).temp).toEqual([]);
  });

  it('DELETE and DeleteObjects succeed (the space reserve is released for them, then made again), and PUT works again', async () => {
    const t = await startFull();
    expect(statSync(join(t.dataDir, 'space-reserve')).size).toBe(RESERVE_BYTES);

    await t.s3.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: 'a' }));
    expect(t.faults.fired).toBe(1);
    const deleted = await t.s3.send(new DeleteObjectsCommand({ Bucket: t.bucket, Delete: { Objects: [{ Key: 'b' }, { Key: 'c' }, { Key: 'inline' }, { Key: 'inline2' }] } }));
    expect(deleted.Errors ?? []).toEqual([]);
    expect(deleted.Deleted!.map((entry) => entry.Key).sort()).toEqual(['b', 'c', 'inline', 'inline2']);
    expect(await keys(t)).toEqual(['d']);
    expect(filesOf(t.dataDir).blobs).toHaveLength(1);
    // Three blob files freed: the reserve is back in place, and there is room for a new object.
    expect(readdirSync(t.dataDir)).toContain('space-reserve');
    expect(t.faults.free()).toBeGreaterThan(large('g').length);
    await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'again', Body: large('g') }));
    expect(await text(t, 'again')).toBe(large('g').toString());
  });

  it('CreateMultipartUpload and UploadPart are refused; AbortMultipartUpload frees the parts', async () => {
    const t = await start();
    const { UploadId } = await t.s3.send(new CreateMultipartUploadCommand({ Bucket: t.bucket, Key: 'multi' }));
    for (const PartNumber of [1, 2]) await t.s3.send(new UploadPartCommand({ Bucket: t.bucket, Key: 'multi', UploadId, PartNumber, Body: large('p') }));
    t.faults.simulateCapacity(t.dataDir, bytesUnder(t.dataDir));
    expect(await s3ErrorOf(t.s3.send(new CreateMultipartUploadCommand({ Bucket: t.bucket, Key: 'other' })))).toMatchObject(expected(t.dataDir, 'SQLITE_FULL'));
    expect(await s3ErrorOf(t.s3.send(new UploadPartCommand({ Bucket: t.bucket, Key: 'multi', UploadId, PartNumber: 3, Body: large('q') })))).toMatchObject(
      expected(t.dataDir, 'ENOSPC'),
    );
    await t.s3.send(new AbortMultipartUploadCommand({ Bucket: t.bucket, Key: 'multi', UploadId }));
    expect(filesOf(t.dataDir)).toEqual({ blobs: [], temp: [] });
    expect(readdirSync(t.dataDir)).toContain('space-reserve');
  });

  it('while the reserve cannot be made again (only inline data was freed) PUTs are refused and deletes still work; once deletes free room, the reserve and PUTs are back', async () => {
    const t = await startFull();
    await t.s3.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: 'inline' }));
    expect(readdirSync(t.dataDir)).not.toContain('space-reserve');
    // The released reserve is the room deletes need: a PUT may not take it.
    expect(await s3ErrorOf(t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'e', Body: 'small' })))).toMatchObject(expected(t.dataDir, 'ENOSPC'));
    await t.s3.send(new DeleteObjectsCommand({ Bucket: t.bucket, Delete: { Objects: [{ Key: 'inline2' }] } }));
    expect(readdirSync(t.dataDir)).not.toContain('space-reserve');
    expect(await keys(t)).toEqual(['a', 'b', 'c', 'd']);

    // Deleting a 200 KiB blob gives back more than the WAL took: the reserve is made again.
    await t.s3.send(new DeleteObjectCommand({ Bucket: t.bucket, Key: 'a' }));
    expect(readdirSync(t.dataDir)).toContain('space-reserve');
    await t.s3.send(new PutObjectCommand({ Bucket: t.bucket, Key: 'e', Body: 'small' }));
    expect(await keys(t)).toEqual(['b', 'c', 'd', 'e']);
  });
});
