import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `<dataDir>/smll-storage.pid`: which process serves a data dir. The lock itself is the metadata
 * database's (SQLite's exclusive lock, released by the OS when the process dies); this file only
 * lets a second start name the process that holds it.
 */
export const PID_FILE = 'smll-storage.pid';

/** Who holds a data dir, as its pid file says. */
export interface DataDirHolder {
  pid: number;
  /** ISO 8601 time it started. */
  started: string;
}

/** A data dir another process (or another emulator in this one) has open. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
  constructor(
    readonly dataDir: string,
    readonly holder: DataDirHolder | undefined,
    options: { cause: unknown },
  ) {
    super(`${dataDir} is in use by ${describeHolder(holder)}: stop that one, or give this one another dataDir (none: a throw-away one)`, options);
  }
}

/** "another smll-storage (pid 123, started …)", or as much as is known. */
export function describeHolder(holder: DataDirHolder | undefined): string {
  if (!holder) return 'another smll-storage';
  return holder.pid === process.pid ? `another emulator in this process (pid ${holder.pid}, started ${holder.started})` : `another smll-storage (pid ${holder.pid}, started ${holder.started})`;
}

/** Whether `err` is the store's refusal to open a data dir whose database another connection holds. */
export function isDataDirInUse(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown } } | undefined)?.cause;
  return typeof cause?.code === 'string' && cause.code.startsWith('SQLITE_BUSY');
}

export function readPidFile(dataDir: string): DataDirHolder | undefined {
  try {
    const holder = JSON.parse(readFileSync(join(dataDir, PID_FILE), 'utf8')) as Partial<DataDirHolder>;
    return Number.isSafeInteger(holder.pid) && typeof holder.started === 'string' ? (holder as DataDirHolder) : undefined;
  } catch {
    return undefined;
  }
}

/** Best effort: a full disk must not stop a start (the file only improves a message). */
export function writePidFile(dataDir: string, started: Date): void {
  try {
    writeFileSync(join(dataDir, PID_FILE), `${JSON.stringify({ pid: process.pid, started: started.toISOString() })}\n`);
  } catch {
    // See above.
  }
}

/** Removes the pid file if it is still this start's (a later holder may have written its own). */
export function removePidFile(dataDir: string, started: Date): void {
  const holder = readPidFile(dataDir);
  if (holder?.pid === process.pid && holder.started === started.toISOString()) rmSync(join(dataDir, PID_FILE), { force: true });
}
