import Database from 'better-sqlite3';
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { createApp } from '../src/http/app.js';
import { DEFAULT_REQUEST_TIMEOUT_MS } from '../src/http/request-timeout.js';
import { SMLL_GRANTED_ACTIONS } from '../src/operations/table.js';
import { SqliteStore as Store, type FileSystem, type StoreIo } from '../src/store/index.js';
import { openMetadataDatabase } from '../src/store/schema.js';
import { clientFor } from './helpers.js';

/** Where the blob layer can be made to fail: a temp file's write, fsync or close, a rename, a directory's fsync, an unlink (rmSync). */
export type FilePoint = 'write' | 'sync' | 'close' | 'rename' | 'fsyncDirectory' | 'unlink';

/** A metadata write a trigger can fail: an INSERT, UPDATE or DELETE on one of the store's tables. */
export type RowChange = 'INSERT' | 'UPDATE' | 'DELETE';

const TABLES = ['buckets', 'objects', 'object_blobs', 'object_inline', 'multipart_uploads', 'upload_parts'];

/** How much room SQLite needs on the simulated disk for any row change (about a WAL transaction of a few pages). */
const SQLITE_ROOM = 64 * 1024;

export function errnoError(code: string, syscall: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected fault, ${syscall}`), { code, syscall });
}

/** The bytes of the files under `dir` (what a data dir occupies on the simulated disk). */
export function bytesUnder(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

/**
 * The store's I/O with faults on demand: `failFile(point, code, after)` lets `after` calls of that
 * file operation succeed, then fails every later one until `clear()`; `failRows(change, code)` makes that row
 * change fail inside SQLite (a temporary trigger calls a function that throws SQLite's own error,
 * so the transaction rolls back exactly as on a real SQLITE_FULL or SQLITE_IOERR). With
 * `simulateCapacity(bytes)` the data dir sits on a simulated disk of that size: file writes past
 * it fail with ENOSPC, statfs reports what is left, and a row change fails with SQLITE_FULL
 * while less than 64 KiB is left (SQLite needs room for its WAL).
 */
export class FaultyIo {
  readonly #files = new Map<FilePoint, { code: string; after: number }>();
  readonly #rows = new Map<RowChange, string>();
  #capacity: { dataDir: string; bytes: number } | undefined;
  /** How many faults fired so far (a test checks its fault was actually hit). */
  fired = 0;
  db: Database.Database | undefined;

  failFile(point: FilePoint, code: string, after = 0): void {
    this.#files.set(point, { code, after });
  }

  failRows(change: RowChange, code: string): void {
    this.#rows.set(change, code);
  }

  simulateCapacity(dataDir: string, bytes: number): void {
    this.#capacity = { dataDir, bytes };
  }

  clear(): void {
    this.#files.clear();
    this.#rows.clear();
    this.#capacity = undefined;
  }

  /** Bytes left on the simulated disk (Infinity without one). */
  free(): number {
    return this.#capacity ? this.#capacity.bytes - bytesUnder(this.#capacity.dataDir) : Infinity;
  }

  #check(point: FilePoint, bytes = 0): void {
    const fault = this.#files.get(point);
    if (fault) {
      if (fault.after > 0) fault.after--;
      else {
        this.fired++;
        throw errnoError(fault.code, point);
      }
    }
    if (bytes > 0 && bytes > this.free()) {
      this.fired++;
      throw errnoError('ENOSPC', point);
    }
  }

  readonly fs: FileSystem = {
    ...fs,
    rmSync: (path, options) => {
      this.#check('unlink');
      fs.rmSync(path, options);
    },
    renameSync: (from, to) => {
      this.#check('rename');
      fs.renameSync(from, to);
    },
    // The blob layer fsyncs directories with fsyncSync (files through their FileHandle).
    fsyncSync: (fd) => {
      this.#check('fsyncDirectory');
      fs.fsyncSync(fd);
    },
    writeSync: ((fd: number, buffer: NodeJS.ArrayBufferView, offset?: number, length?: number) => {
      this.#check('write', length ?? buffer.byteLength);
      return fs.writeSync(fd, buffer, offset, length);
    }) as typeof fs.writeSync,
    statfsSync: ((path: string) => {
      const stats = fs.statfsSync(path);
      if (!this.#capacity) return stats;
      return { ...stats, bavail: Math.max(0, Math.floor(this.free() / stats.bsize)) };
    }) as typeof fs.statfsSync,
    promises: {
      rm: fs.promises.rm,
      open: (async (path: string, flags: string) => {
        const handle = await fs.promises.open(path, flags);
        const write = handle.write.bind(handle) as (buffer: Uint8Array, offset: number) => Promise<{ bytesWritten: number }>;
        const sync = handle.sync.bind(handle);
        const close = handle.close.bind(handle);
        return Object.assign(handle, {
          write: (buffer: Uint8Array, offset: number) => {
            this.#check('write', buffer.length - offset);
            return write(buffer, offset);
          },
          sync: () => {
            this.#check('sync');
            return sync();
          },
          close: async () => {
            await close();
            this.#check('close');
          },
        }) as FileHandle;
      }) as typeof fs.promises.open,
    },
  };

  readonly io: StoreIo = {
    fs: this.fs,
    openDatabase: (path, durable) => {
      const db = openMetadataDatabase(path, durable);
      db.function('inject_fault', (change: unknown) => {
        const code = this.#rows.get(change as RowChange) ?? (this.free() < SQLITE_ROOM ? 'SQLITE_FULL' : undefined);
        if (code === undefined) return null;
        this.fired++;
        throw new Database.SqliteError(code === 'SQLITE_FULL' ? 'database or disk is full' : 'disk I/O error', code);
      });
      for (const table of TABLES) {
        for (const change of ['INSERT', 'UPDATE', 'DELETE'] as const) {
          db.exec(`CREATE TEMP TRIGGER inject_${table}_${change} BEFORE ${change} ON main.${table} BEGIN SELECT inject_fault('${change}'); END`);
        }
      }
      this.db = db;
      return db;
    },
  };
}

export interface FaultyServer {
  store: Store;
  endpoint: string;
  s3: S3Client;
  bucket: string;
  stop(): Promise<void>;
}

/**
 * The emulator's HTTP front over a store opened with `io`, serving bucket `faults`: requests go
 * through the real pipeline over real HTTP. The client makes one attempt per call, so that each
 * call meets exactly the fault armed for it (the SDKs retry 500 and 503).
 */
export async function startFaultyServer(dataDir: string, io: StoreIo, options: { durable?: boolean } = {}): Promise<FaultyServer> {
  const store = Store.open({ dataDir, durable: options.durable }, io);
  const bucket = 'faults';
  const existing = await store.getBucket(bucket);
  const record = existing ?? (await store.upsertBucket({ name: bucket, accessKey: 'AKIAFAULTSFAULTS0001', secretKey: 'faults-secret-faults-secret-faults-secret', region: 'us-east-1' }));
  // SMLL's five, and AbortMultipartUpload (a delete, which must work on a full disk too).
  const granted = new Set([...SMLL_GRANTED_ACTIONS, 's3:AbortMultipartUpload']);
  const app = createApp({
    store,
    region: 'us-east-1',
    vhostDomains: ['localhost'],
    grantedActions: () => granted,
    corsRules: () => undefined,
    sigv2: 'accept',
    requestTimeout: DEFAULT_REQUEST_TIMEOUT_MS,
  });
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const s3 = clientFor({ S3_ENDPOINT: endpoint, S3_REGION: 'us-east-1', S3_ACCESS_KEY: record.accessKey, S3_SECRET_KEY: record.secretKey }, { maxAttempts: 1 });
  return {
    store,
    endpoint,
    s3,
    bucket,
    async stop() {
      s3.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.close();
    },
  };
}
