/**
 * What a stopped emulator left in its data dir, for the crash tests and the kill loop: the files
 * under a directory, and the blob files set against the blobs the metadata references.
 */
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';

/** Every regular file under `dir`, at any depth. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * Blob files no object or upload part references (orphans), referenced blobs with no file
 * (missing: an object that cannot be read), and anything left in tmp/. All empty in a
 * consistent data dir. The emulator must be stopped: it holds its database exclusively.
 */
export function dataDirProblems(dataDir: string): { orphans: string[]; missing: string[]; tmp: string[] } {
  const db = new Database(join(dataDir, 'metadata.sqlite'), { readonly: true, fileMustExist: true });
  let referenced: Set<string>;
  try {
    const rows = db.prepare('SELECT blob_id FROM object_blobs UNION SELECT blob_id FROM upload_parts').pluck().all() as string[];
    referenced = new Set(rows);
  } finally {
    db.close();
  }
  const files = new Set(filesUnder(join(dataDir, 'blobs')).map((file) => basename(file)));
  return {
    orphans: [...files].filter((id) => !referenced.has(id)),
    missing: [...referenced].filter((id) => !files.has(id)),
    tmp: filesUnder(join(dataDir, 'tmp')),
  };
}
