import Database from 'better-sqlite3';
import fs, { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { S3Error } from '../../src/s3/s3-error.js';
import { RESERVE_BYTES, SpaceReserve } from '../../src/store/space-reserve.js';
import { StorageFault, asStorageFault } from '../../src/store/storage-fault.js';
import { FaultyIo, errnoError } from '../storage-faults.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'smll-reserve-'));
  dirs.push(dir);
  return dir;
}

describe('SpaceReserve', () => {
  it('makes a file of RESERVE_BYTES once, releases it, and makes it again', () => {
    const dir = tempDir();
    const reserve = new SpaceReserve(fs, dir);
    expect(readdirSync(dir)).toEqual([]);
    expect(reserve.ensure()).toBe(true);
    expect(statSync(join(dir, 'space-reserve')).size).toBe(RESERVE_BYTES);
    const { ino } = statSync(join(dir, 'space-reserve'));
    expect(reserve.ensure()).toBe(true);
    expect(statSync(join(dir, 'space-reserve')).ino).toBe(ino);
    expect(reserve.release()).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
    expect(reserve.release()).toBe(false);
    expect(reserve.ensure()).toBe(true);
    expect(readdirSync(dir)).toEqual(['space-reserve']);
  });

  it('finds the reserve a previous run made, and removes a temp file a crash left', () => {
    const dir = tempDir();
    expect(new SpaceReserve(fs, dir).ensure()).toBe(true);
    writeFileSync(join(dir, 'space-reserve.tmp'), 'partial');
    const reopened = new SpaceReserve(fs, dir);
    expect(readdirSync(dir)).toEqual(['space-reserve']);
    expect(reopened.release()).toBe(true);
  });

  it('is not made while the file system has less room than RESERVE_BYTES (nothing written)', () => {
    const dir = tempDir();
    const faults = new FaultyIo();
    faults.simulateCapacity(dir, RESERVE_BYTES - 1);
    expect(new SpaceReserve(faults.fs, dir).ensure()).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('ENOSPC while writing it (statfs said there was room): false, and the partial file is removed', () => {
    const dir = tempDir();
    const faults = new FaultyIo();
    faults.failFile('write', 'ENOSPC', 3);
    expect(new SpaceReserve(faults.fs, dir).ensure()).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
    expect(faults.fired).toBe(1);
  });

  it('EIO while writing or renaming it is thrown, after the partial file is removed', () => {
    const dir = tempDir();
    const faults = new FaultyIo();
    faults.failFile('write', 'EIO', 2);
    expect(() => new SpaceReserve(faults.fs, dir).ensure()).toThrow(expect.objectContaining({ code: 'EIO' }));
    expect(readdirSync(dir)).toEqual([]);
    faults.clear();
    faults.failFile('rename', 'EIO');
    expect(() => new SpaceReserve(faults.fs, dir).ensure()).toThrow(expect.objectContaining({ code: 'EIO', syscall: 'rename' }));
    expect(readdirSync(dir)).toEqual([]);
    expect(faults.fired).toBe(2);
  });
});

describe('asStorageFault', () => {
  const dir = '/data/dir';
  it.each([
    ['ENOSPC', errnoError('ENOSPC', 'write')],
    ['EDQUOT', errnoError('EDQUOT', 'write')],
    ['SQLITE_FULL', new Database.SqliteError('database or disk is full', 'SQLITE_FULL')],
  ])('%s is the data dir being full', (code, err) => {
    const fault = asStorageFault(err, dir) as StorageFault;
    expect(fault).toBeInstanceOf(StorageFault);
    expect(fault).toMatchObject({ kind: 'full', errorCode: code, cause: err });
    expect(fault.message).toBe(`The data dir /data/dir is full (${code}): nothing was stored. Delete objects or free disk space, then retry.`);
  });

  it.each([
    ['EIO', errnoError('EIO', 'fsync')],
    ['SQLITE_IOERR', new Database.SqliteError('disk I/O error', 'SQLITE_IOERR')],
    ['SQLITE_IOERR_WRITE', new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_WRITE')],
    ['SQLITE_IOERR_FSYNC', new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_FSYNC')],
  ])('%s is an I/O error', (code, err) => {
    const fault = asStorageFault(err, dir) as StorageFault;
    expect(fault).toMatchObject({ kind: 'io', errorCode: code, cause: err });
    expect(fault.message).toBe(`I/O error in the data dir /data/dir (${code}): nothing was changed.`);
  });

  it('leaves every other error as it is (S3 errors, other errno codes, other SQLite codes, non-errors)', () => {
    for (const err of [
      new S3Error('BadDigest'),
      errnoError('ENOENT', 'open'),
      errnoError('ECONNRESET', 'read'),
      new Database.SqliteError('constraint failed', 'SQLITE_CONSTRAINT'),
      new Error('plain'),
      'a string',
      undefined,
    ]) {
      expect(asStorageFault(err, dir)).toBe(err);
    }
  });
});
