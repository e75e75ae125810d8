import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore as Store } from '../../src/store/index.js';
import { buildStoreChild, runChildUntilKilled } from './store-child-build.js';

let workDir: string;
let childScript: string;

interface Acknowledged {
  version: number;
  md5: string;
  size: number;
}

/** Runs the child until it has acknowledged `acknowledgements` writes, then SIGKILLs it. */
async function runAndKill(dataDir: string, round: number, durable: boolean, acknowledgements: number) {
  return runChildUntilKilled(childScript, [dataDir, String(round), durable ? '1' : '0'], 'P ', acknowledgements);
}

function listAllBlobFiles(dataDir: string): string[] {
  const blobsDir = path.join(dataDir, 'blobs');
  return fs.readdirSync(blobsDir).flatMap((shard) => fs.readdirSync(path.join(blobsDir, shard)));
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smll-store-crash-'));
  childScript = buildStoreChild(workDir, 'test/unit/store-crash-child.ts');
});

afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

describe('Store after SIGKILL', () => {
  it('keeps every acknowledged write byte-exact and leaves no partial object or orphan file', async () => {
    const dataDir = path.join(workDir, 'data');
    const latest = new Map<string, Acknowledged>();
    const mayBeDeleted = new Set<string>();
    const rounds = [
      { durable: false, acknowledgements: 300 },
      { durable: true, acknowledgements: 60 },
      { durable: false, acknowledgements: 300 },
    ];
    for (const [round, { durable, acknowledgements }] of rounds.entries()) {
      const lines = await runAndKill(dataDir, round, durable, acknowledgements);
      for (const line of lines) {
        const [kind, key, version, md5, size] = line.split(' ');
        if (kind === 'D') mayBeDeleted.add(key);
        else if (kind === 'P') latest.set(key, { version: Number(version), md5, size: Number(size) });
      }

      const store = Store.open({ dataDir });
      try {
        for (const [key, acknowledged] of latest) {
          const record = await store.getObject('crash', key);
          if (record === undefined) {
            expect(mayBeDeleted.has(key), `acknowledged ${key} is missing`).toBe(true);
            continue;
          }
          const bytes = await readAll(store.openObjectStream(record));
          const md5 = createHash('md5').update(bytes).digest('hex');
          // A key overwritten again may hold a newer write that was committed but not yet printed.
          const version = Number(record.userMetadata.version);
          expect(version).toBeGreaterThanOrEqual(acknowledged.version);
          if (version === acknowledged.version) expect({ md5, size: bytes.length }).toEqual({ md5: acknowledged.md5, size: acknowledged.size });
          expect(record.etag).toBe(`"${md5}"`);
          expect(record.size).toBe(bytes.length);
        }

        // Everything stored, acknowledged or not, is whole, and has exactly one blob file.
        const page = await store.listObjects('crash', { maxKeys: 1_000_000 });
        for (const entry of page.entries) {
          if (entry.kind !== 'object') continue;
          const record = (await store.getObject('crash', entry.record.key))!;
          const md5 = createHash('md5').update(await readAll(store.openObjectStream(record))).digest('hex');
          expect(record.etag).toBe(`"${md5}"`);
        }
        expect(fs.readdirSync(path.join(dataDir, 'tmp'))).toEqual([]);
        expect(listAllBlobFiles(dataDir)).toHaveLength(page.entries.length);
      } finally {
        await store.close();
      }
    }
  });
});
