import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteStore as Store } from '../../src/store/index.js';
import { buildStoreChild, runChildUntilKilled } from './store-child-build.js';

let workDir: string;
let childScript: string;

/** Runs the child until it has acknowledged `completions` completions, then SIGKILLs it; returns its lines. */
async function runAndKill(dataDir: string, round: number, completions: number): Promise<string[]> {
  return runChildUntilKilled(childScript, [dataDir, String(round)], 'C ', completions);
}

async function md5Of(stream: Readable): Promise<string> {
  const hash = createHash('md5');
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function blobFileCount(dataDir: string): number {
  const blobs = path.join(dataDir, 'blobs');
  return fs.readdirSync(blobs).reduce((count, shard) => count + fs.readdirSync(path.join(blobs, shard)).length, 0);
}

beforeAll(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'smll-store-multipart-crash-'));
  childScript = buildStoreChild(workDir, 'test/unit/store-multipart-crash-child.ts');
});

afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

describe('Store multipart uploads after SIGKILL', () => {
  it('keeps every acknowledged part, completion and copy byte-exact, and leaks no file', async () => {
    const dataDir = path.join(workDir, 'data');
    const objects = new Map<string, string>();
    const parts = new Map<string, Map<number, string>>();
    const closed = new Set<string>();
    for (const round of [0, 1]) {
      for (const line of await runAndKill(dataDir, round, 40)) {
        const [kind, first, second, third] = line.split(' ');
        if (kind === 'P') parts.set(first, (parts.get(first) ?? new Map<number, string>()).set(Number(second), third));
        else if (kind === 'A') closed.add(first);
        else objects.set(first, second);
      }
      // Completed uploads have no parts left to check (their parts are the objects now).
      const store = Store.open({ dataDir });
      try {
        for (const [key, md5] of objects) {
          const record = await store.getObject('crash', key);
          expect(record, `acknowledged ${key} is missing`).toBeDefined();
          expect(await md5Of(store.openObjectStream(record!))).toBe(md5);
          expect(record!.etag).toBe(`"${md5}-3"`);
        }
        for (const [uploadId, acknowledged] of parts) {
          const upload = await store.getUpload(uploadId);
          if (closed.has(uploadId)) {
            expect(upload).toBeUndefined();
            continue;
          }
          if (upload?.completion) continue;
          expect(upload, `upload ${uploadId} with acknowledged parts is missing`).toBeDefined();
          const stored = await store.listParts(uploadId);
          for (const [partNumber, md5] of acknowledged) {
            const part = stored.find((p) => p.partNumber === partNumber);
            expect(part?.etag).toBe(`"${md5}"`);
            expect(await md5Of(store.openPartsStream([part!]))).toBe(md5);
          }
        }
        expect(fs.readdirSync(path.join(dataDir, 'tmp'))).toEqual([]);
      } finally {
        await store.close();
      }
    }

    // Every remaining file belongs to an object or an upload: dropping them all leaves none.
    const store = Store.open({ dataDir });
    try {
      expect(blobFileCount(dataDir)).toBeGreaterThan(0);
      await store.expireUploads(new Date(Date.now() + 1));
      await store.emptyBucket('crash');
      expect(blobFileCount(dataDir)).toBe(0);
    } finally {
      await store.close();
    }
  });
});
