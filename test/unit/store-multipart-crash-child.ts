/**
 * Child process of store-multipart-crash.test.ts: runs multipart uploads as fast as it can,
 * several at once, until the parent kills it with SIGKILL. Each upload commits three parts,
 * then is completed (sometimes copied afterwards), aborted, or left open. One line is printed
 * after each step; a printed line is an acknowledged step that must survive the kill.
 *
 *   node store-multipart-crash-child.js <dataDir> <round>
 *
 * Lines: `P <uploadId> <partNumber> <md5 hex>` after a part is committed,
 *        `C <key> <md5 hex of the whole object>` after a completion,
 *        `K <key> <md5 hex>` after a copy of a completed object,
 *        `A <uploadId>` after an abort.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { SqliteStore as Store, type PartRecord } from '../../src/store/index.js';

const [dataDir, roundArgument] = process.argv.slice(2);
if (dataDir === undefined || roundArgument === undefined) throw new Error('usage: store-multipart-crash-child <dataDir> <round>');
const round = Number(roundArgument);
const store = Store.open({ dataDir });
await store.upsertBucket({ name: 'crash', accessKey: 'crash-access', secretKey: 'crash-secret', region: 'local' });

const concurrentUploads = 4;
let nextUpload = 0;

/** Deterministic bytes for part `partNumber` of upload `index`, in chunks that arrive over several ticks. */
function partBody(index: number, partNumber: number): Buffer[] {
  const size = 70_000 + ((index * 7919 + partNumber * 104_729) % 60_000);
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < size; offset += 16_384) {
    chunks.push(Buffer.alloc(Math.min(16_384, size - offset), (index * 31 + partNumber * 7 + offset) & 0xff));
  }
  return chunks;
}

const md5Hex = (chunks: readonly Buffer[]) => chunks.reduce((hash, chunk) => hash.update(chunk), createHash('md5')).digest('hex');

async function oneUpload(): Promise<void> {
  const index = nextUpload++;
  const key = `round-${round}/upload-${index}`;
  const upload = await store.createUpload('crash', key, { userMetadata: {} });
  const parts: PartRecord[] = [];
  const bodies: Buffer[][] = [];
  for (let partNumber = 1; partNumber <= 3; partNumber++) {
    const chunks = partBody(index, partNumber);
    const md5 = md5Hex(chunks);
    const part = store.commitPart(upload.id, partNumber, await store.writeBlob(Readable.from(chunks)), { etag: `"${md5}"` });
    if (!part) throw new Error(`upload ${upload.id} closed under its own writer`);
    process.stdout.write(`P ${upload.id} ${partNumber} ${md5}\n`);
    parts.push(part);
    bodies.push(chunks);
  }
  if (index % 4 === 3) return; // left open
  if (index % 7 === 5) {
    await store.abortUpload(upload.id);
    process.stdout.write(`A ${upload.id}\n`);
    return;
  }
  const whole = md5Hex(bodies.flat());
  await store.completeUpload(upload, parts, { etag: `"${whole}-3"` }, { parts: 'crash', etag: `"${whole}-3"` });
  process.stdout.write(`C ${key} ${whole}\n`);
  if (index % 3 === 0) {
    await store.copyObject({ bucket: 'crash', key }, { bucket: 'crash', key: `${key}-copy` }, (source) => ({ userMetadata: {}, etag: source!.etag }));
    process.stdout.write(`K ${key}-copy ${whole}\n`);
  }
}

async function uploader(): Promise<void> {
  for (;;) await oneUpload();
}

for (let i = 0; i < concurrentUploads; i++) {
  uploader().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
