/**
 * Child process of store-crash.test.ts: writes objects as fast as it can, with several
 * writes in flight, until the parent kills it with SIGKILL. After each commit it prints
 * one line; a printed line is an acknowledged write that must survive the kill.
 *
 *   node store-crash-child.js <dataDir> <round> <durable: 0|1>
 *
 * Lines: `P <key> <version> <md5 hex> <size>` after a commit,
 *        `D <key>` before a delete (the key may then be absent).
 * Stdout on Linux is synchronous for pipes, so a line is out before the next write starts.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { SqliteStore as Store } from '../../src/store/index.js';

const [dataDir, roundArgument, durableArgument] = process.argv.slice(2);
if (dataDir === undefined || roundArgument === undefined) throw new Error('usage: store-crash-child <dataDir> <round> <durable>');
const round = Number(roundArgument);
const store = Store.open({ dataDir, durable: durableArgument === '1' });
await store.upsertBucket({ name: 'crash', accessKey: 'crash-access', secretKey: 'crash-secret', region: 'local' });

const concurrentWriters = 8;
const hotKeys = 4;
let nextWrite = 0;

/** Deterministic pseudo-random bytes (xorshift), in chunks that arrive over several ticks. */
function bodyOf(version: number, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  let state = (version * 2654435761) >>> 0 || 1;
  for (let offset = 0; offset < size; offset += 16_384) {
    const chunk = Buffer.alloc(Math.min(16_384, size - offset));
    for (let i = 0; i < chunk.length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      chunk[i] = state & 0xff;
    }
    chunks.push(chunk);
  }
  return chunks;
}

async function writeOne(): Promise<void> {
  const write = nextWrite++;
  const version = round * 1_000_000 + write;
  const key = write % 5 === 0 ? `hot/${write % hotKeys}` : `round-${round}/object-${write}`;
  const size = write % 11 === 0 ? 0 : (write * 7919) % 200_000;
  const chunks = bodyOf(version, size);
  const md5 = createHash('md5');
  for (const chunk of chunks) md5.update(chunk);
  const etag = md5.digest('hex');
  const blob = await store.writeBlob(Readable.from(chunks));
  store.commitObject('crash', key, blob, { etag: `"${etag}"`, userMetadata: { version: String(version) } });
  process.stdout.write(`P ${key} ${version} ${etag} ${size}\n`);
  if (write % 13 === 0 && write > 20) {
    const victim = `round-${round}/object-${write - 20}`;
    process.stdout.write(`D ${victim}\n`);
    await store.deleteObject('crash', victim);
  }
}

async function writer(): Promise<void> {
  for (;;) await writeOne();
}

for (let i = 0; i < concurrentWriters; i++) void writer();
