import { chmodSync, closeSync, openSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type DatabaseModule from 'better-sqlite3';

// Required, not imported: Node 20 reads a CommonJS package that ESM imports once more, to find
// its named exports (and those of each module it re-exports), which made better-sqlite3 cost
// 10 ms of start-up CPU where require() costs 6.
const Database = createRequire(import.meta.url)('better-sqlite3') as typeof DatabaseModule;
type Database = DatabaseModule.Database;

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
 * Later issues append entries (never edit a shipped one).
 *
 * Keys are TEXT with the default BINARY collation: SQLite compares them with memcmp over
 * their UTF-8 encoding, which is exactly S3's key order (UTF-8 bytes).
 *
 * An object's data is the concatenation of its `object_blobs` rows in `seq` order. A PutObject
 * has exactly one; a completed multipart upload points at its part blobs the same way, without
 * copying them, and a CopyObject shares its source's blobs. Blob ids are indexed so that a blob
 * file is unlinked only when no row (object or upload part) references it any more, and so that
 * orphan collection is a point lookup per file.
 */
const migrations: readonly string[] = [
  `
  CREATE TABLE buckets (
    name        TEXT PRIMARY KEY,
    access_key  TEXT NOT NULL UNIQUE,
    secret_key  TEXT NOT NULL,
    region      TEXT NOT NULL,
    created_at  INTEGER NOT NULL            -- ms since epoch
  );

  CREATE TABLE objects (
    bucket               TEXT NOT NULL,
    key                  TEXT NOT NULL,
    size                 INTEGER NOT NULL,
    etag                 TEXT NOT NULL,      -- quoted
    last_modified        INTEGER NOT NULL,   -- ms since epoch
    content_type         TEXT,
    cache_control        TEXT,
    content_disposition  TEXT,
    content_encoding     TEXT,
    content_language     TEXT,
    expires              TEXT,
    user_metadata        TEXT,               -- JSON object; NULL when empty
    checksum_algorithm   TEXT,
    checksum_value       TEXT,
    checksum_type        TEXT,
    PRIMARY KEY (bucket, key)
  ) WITHOUT ROWID;

  CREATE TABLE object_blobs (
    bucket   TEXT NOT NULL,
    key      TEXT NOT NULL,
    seq      INTEGER NOT NULL,               -- position of this blob in the object's data
    blob_id  TEXT NOT NULL,
    size     INTEGER NOT NULL,
    PRIMARY KEY (bucket, key, seq)
  ) WITHOUT ROWID;

  CREATE INDEX object_blobs_by_blob_id ON object_blobs (blob_id);
  `,
  // Multipart uploads. A part is one blob; completing an upload points the object's
  // object_blobs rows at the part blobs (no copy), remembering each part's checksum for
  // GetObject?partNumber. A completed upload keeps its row (with the result) until it
  // expires, so that a retried CompleteMultipartUpload gets the same answer.
  `
  ALTER TABLE objects ADD COLUMN parts_count INTEGER;        -- multipart objects only
  ALTER TABLE object_blobs ADD COLUMN part_checksum TEXT;    -- multipart objects: the part's checksum

  CREATE TABLE multipart_uploads (
    id                  TEXT PRIMARY KEY,
    bucket              TEXT NOT NULL,
    key                 TEXT NOT NULL,
    metadata            TEXT NOT NULL,       -- JSON: content headers and user metadata of the object to be
    checksum_algorithm  TEXT,
    checksum_type       TEXT,
    initiated           INTEGER NOT NULL,    -- ms since epoch
    completed_at        INTEGER,             -- set once completed; the rest of the row is then the result
    completed_parts     TEXT,                -- the completion's part list ("number:etag" lines), to recognise a retry
    completed_etag      TEXT,
    completed_checksum  TEXT
  ) WITHOUT ROWID;

  CREATE INDEX multipart_uploads_by_bucket ON multipart_uploads (bucket, key);

  CREATE TABLE upload_parts (
    upload_id      TEXT NOT NULL,
    part_number    INTEGER NOT NULL,
    blob_id        TEXT NOT NULL,
    size           INTEGER NOT NULL,
    etag           TEXT NOT NULL,            -- quoted
    checksum       TEXT,                     -- base64, of the upload's algorithm
    last_modified  INTEGER NOT NULL,
    PRIMARY KEY (upload_id, part_number)
  ) WITHOUT ROWID;

  CREATE INDEX upload_parts_by_blob_id ON upload_parts (blob_id);
  `,
  // 3: small objects' bytes kept in the database (one transaction writes row and bytes; no file to
  // open, rename or unlink). An object has either an object_inline row or object_blobs rows.
  `
  CREATE TABLE object_inline (
    bucket  TEXT NOT NULL,
    key     TEXT NOT NULL,
    data    BLOB NOT NULL,
    PRIMARY KEY (bucket, key)
  ) WITHOUT ROWID;
  `,
  // 4: the number each part of a multipart object was uploaded with: GetObject?partNumber=N
  // addresses a part by it (an object completed from parts 1 and 3 has no part 2). NULL for a
  // PutObject's blob. Objects completed before: their numbers are taken from the completion's
  // part list ("number:etag" lines, in part order) while the upload is still kept for retries
  // (it made the object if etag and time match); otherwise they stay NULL and the parts are read
  // by position, as they were.
  `
  ALTER TABLE object_blobs ADD COLUMN part_number INTEGER;

  CREATE TEMP TABLE recovered_part_numbers AS
  WITH RECURSIVE completion_lines(bucket, key, seq, number, rest) AS (
    SELECT u.bucket, u.key, -1, NULL, u.completed_parts || char(10)
    FROM multipart_uploads u
    JOIN objects o ON o.bucket = u.bucket AND o.key = u.key AND o.etag = u.completed_etag AND o.last_modified = u.completed_at
    WHERE u.completed_parts IS NOT NULL
    UNION ALL
    SELECT bucket, key, seq + 1, CAST(substr(rest, 1, instr(rest, ':') - 1) AS INTEGER), substr(rest, instr(rest, char(10)) + 1)
    FROM completion_lines WHERE rest <> ''
  )
  SELECT bucket, key, seq, number FROM completion_lines WHERE seq >= 0;

  UPDATE object_blobs SET part_number = (
    SELECT number FROM recovered_part_numbers r WHERE r.bucket = object_blobs.bucket AND r.key = object_blobs.key AND r.seq = object_blobs.seq
  );

  DROP TABLE recovered_part_numbers;
  `,
  // 5: S3's default checksum. An upload created without a checksum algorithm completes to an
  // object with a FULL_OBJECT CRC64NVME, combined from its parts' CRC64NVMEs (computed as each
  // part is uploaded) and their sizes. NULL for parts of other uploads, and for parts uploaded
  // before this version (those are read once at completion).
  `
  ALTER TABLE upload_parts ADD COLUMN crc64nvme TEXT;
  `,
];

/**
 * The database holds every bucket's secret key: it is made readable by its owner only before
 * SQLite opens it, since SQLite gives the -wal and -shm files it creates the database file's mode.
 * Files of an older version (created 0644) are narrowed too.
 */
function restrictToOwner(path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    const mode = statSync(file, { throwIfNoEntry: false })?.mode;
    // Changed only when group or others may read it: a start-up writes nothing that is already right.
    if (mode !== undefined && (mode & 0o077) !== 0) chmodSync(file, 0o600);
  }
}

/** Opens (creating if needed, mode 0600) the metadata database and brings its schema up to date. */
export function openMetadataDatabase(path: string, durable: boolean): Database {
  restrictToOwner(path);
  // timeout 0: a data directory held by another process must fail now, not after 5 s.
  const db = new Database(path, { timeout: 0 });
  try {
    // EXCLUSIVE before WAL: this connection holds the file lock until close, so a second
    // process cannot open the same data directory and collect the first one's temp files
    // as orphans; it also keeps the WAL index in memory (no -shm file).
    db.pragma('locking_mode = EXCLUSIVE');
    // A killed process loses nothing either way (each commit is in the OS's hands when it
    // returns); only power loss needs fsync: FULL when durable. Without it blob files are not
    // fsynced either, so NORMAL's checkpoint fsyncs would buy nothing but time. Set before the
    // switch to WAL, which otherwise fsyncs a new database under the default FULL (~0.9 of the
    // ~6 ms an in-process startEmulator() + stop() takes).
    db.pragma(`synchronous = ${durable ? 'FULL' : 'OFF'}`);
    db.pragma('journal_mode = WAL');
    migrate(db);
  } catch (err) {
    db.close();
    if (err instanceof Database.SqliteError && err.code.startsWith('SQLITE_BUSY')) {
      throw new Error(`${path} is in use by another store (another process or an unclosed Store)`, { cause: err });
    }
    throw err;
  }
  return db;
}

function migrate(db: Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > migrations.length) {
    throw new Error(`metadata schema version ${version} is newer than this smll-storage (${migrations.length}); upgrade smll-storage`);
  }
  for (let next = version; next < migrations.length; next++) {
    db.transaction(() => {
      db.exec(migrations[next]);
      db.pragma(`user_version = ${next + 1}`);
    }).immediate();
  }
}
