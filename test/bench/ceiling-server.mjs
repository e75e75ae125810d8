/**
 * The bench's ceiling: the least a single Node process must do to serve the same requests.
 * Bare node:http, no framework, no auth, no database. PUT streams the body to a temp file
 * (computing the MD5 that S3 returns as the ETag) and renames it into place; GET streams the
 * file, but a small body (≤ 64 KiB, what the emulator keeps inline in SQLite) is also kept in
 * memory and sent in one write, the least a GET of it needs; HEAD answers from memory, DELETE
 * unlinks; ListObjectsV2 reads an in-memory sorted key array.
 *
 * Run as a program: `node ceiling-server.mjs PORT DATA_DIR` prints `listening PORT` when ready.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';

/** Bodies up to this size are kept in memory too (the emulator's inline limit, store/data-dir.ts). */
const SMALL_BODY_BYTES = 64 * 1024;

/** Index of the first element of the sorted array that is >= (or > when `after`) `key`. */
function lowerBound(sorted, key, after) {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid] < key || (after && sorted[mid] === key)) low = mid + 1;
    else high = mid;
  }
  return low;
}

function xmlEscape(text) {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
}

/**
 * Keys compare as JS strings (UTF-16), which equals S3's UTF-8 byte order for the ASCII keys the
 * bench uses.
 */
class Bucket {
  sortedKeys = [];
  /** key → { etag, size, lastModified, file, body (small objects only) } */
  objects = new Map();

  put(key, object) {
    if (!this.objects.has(key)) this.sortedKeys.splice(lowerBound(this.sortedKeys, key, false), 0, key);
    this.objects.set(key, object);
  }

  delete(key) {
    if (!this.objects.delete(key)) return;
    this.sortedKeys.splice(lowerBound(this.sortedKeys, key, false), 1);
  }

  /** One ListObjectsV2 page: delimiter roll-up skips past each common prefix by binary search. */
  list({ prefix, delimiter, after, maxKeys }) {
    const keys = this.sortedKeys;
    const contents = [];
    const prefixes = [];
    let index = after !== undefined && after >= prefix ? lowerBound(keys, after, true) : lowerBound(keys, prefix, false);
    let last;
    while (index < keys.length && contents.length + prefixes.length < maxKeys) {
      const key = keys[index];
      if (!key.startsWith(prefix)) break;
      const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
      if (cut !== -1) {
        const common = key.slice(0, cut + delimiter.length);
        prefixes.push(common);
        last = common;
        // Everything under the common prefix sorts before common + U+FFFF.
        index = lowerBound(keys, `${common}\uffff`, false);
      } else {
        contents.push(key);
        last = key;
        index++;
      }
    }
    const truncated = index < keys.length && keys[index].startsWith(prefix);
    return { contents, prefixes, truncated, last };
  }
}

export async function startCeiling({ port = 0, host = '127.0.0.1', dataDir }) {
  const tmpDir = join(dataDir, 'tmp');
  const objectDir = join(dataDir, 'objects');
  fs.mkdirSync(tmpDir, { recursive: true });
  fs.mkdirSync(objectDir, { recursive: true });
  const buckets = new Map();
  let nextTemp = 0;

  const bucketOf = (name) => {
    let bucket = buckets.get(name);
    if (!bucket) buckets.set(name, (bucket = new Bucket()));
    return bucket;
  };

  async function put(req, res, bucket, key) {
    const temp = join(tmpDir, String(nextTemp++));
    const md5 = createHash('md5');
    let size = 0;
    let chunks = Number(req.headers['content-length']) <= SMALL_BODY_BYTES ? [] : undefined;
    req.on('data', (chunk) => {
      md5.update(chunk);
      size += chunk.length;
      if (chunks && size > SMALL_BODY_BYTES) chunks = undefined;
      chunks?.push(chunk);
    });
    await pipeline(req, fs.createWriteStream(temp));
    const file = join(objectDir, encodeURIComponent(`${bucket}/${key}`));
    await fs.promises.rename(temp, file);
    const etag = `"${md5.digest('hex')}"`;
    const body = chunks && Buffer.concat(chunks);
    bucketOf(bucket).put(key, { etag, size, lastModified: new Date(), file, body });
    res.writeHead(200, { ETag: etag, 'Content-Length': 0 });
    res.end();
  }

  function get(req, res, object, withBody) {
    res.writeHead(200, {
      'Content-Length': object.size,
      ETag: object.etag,
      'Last-Modified': object.lastModified.toUTCString(),
      'Content-Type': 'binary/octet-stream',
    });
    if (!withBody) return res.end();
    if (object.body) return res.end(object.body);
    pipeline(fs.createReadStream(object.file), res).catch(() => res.destroy());
  }

  function list(res, bucket, query) {
    const maxKeys = Number(query.get('max-keys') ?? 1000);
    const prefix = query.get('prefix') ?? '';
    const delimiter = query.get('delimiter') ?? '';
    const after = query.get('continuation-token') ?? query.get('start-after') ?? undefined;
    const page = bucket.list({ prefix, delimiter, after, maxKeys });
    const parts = ['<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'];
    parts.push(`<Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${page.contents.length + page.prefixes.length}</KeyCount>`);
    parts.push(`<MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${page.truncated}</IsTruncated>`);
    if (page.truncated) parts.push(`<NextContinuationToken>${xmlEscape(page.last)}</NextContinuationToken>`);
    for (const key of page.contents) {
      const o = bucket.objects.get(key);
      parts.push(
        `<Contents><Key>${xmlEscape(key)}</Key><LastModified>${o.lastModified.toISOString()}</LastModified>` +
          `<ETag>${xmlEscape(o.etag)}</ETag><Size>${o.size}</Size><StorageClass>STANDARD</StorageClass></Contents>`,
      );
    }
    for (const common of page.prefixes) parts.push(`<CommonPrefixes><Prefix>${xmlEscape(common)}</Prefix></CommonPrefixes>`);
    parts.push('</ListBucketResult>');
    const body = parts.join('');
    res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  function notFound(res) {
    res.writeHead(404, { 'Content-Length': 0 });
    res.end();
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://ceiling');
    const [bucketName, ...rest] = url.pathname.slice(1).split('/');
    const key = decodeURIComponent(rest.join('/'));
    const bucket = buckets.get(bucketName);
    const fail = (err) => {
      res.writeHead(500, { 'Content-Length': 0 });
      res.end(String(err));
    };
    if (key === '') {
      // Every bucket exists: PUT and HEAD succeed, GET lists.
      if (req.method === 'GET') return list(res, bucketOf(bucketName), url.searchParams);
      res.writeHead(200, { 'Content-Length': 0 });
      return res.end();
    }
    if (req.method === 'PUT') return void put(req, res, bucketName, key).catch(fail);
    const object = bucket?.objects.get(key);
    if (!object) return req.method === 'DELETE' ? (res.writeHead(204), res.end()) : notFound(res);
    if (req.method === 'GET' || req.method === 'HEAD') return get(req, res, object, req.method === 'GET');
    if (req.method === 'DELETE') {
      bucket.delete(key);
      fs.promises.unlink(object.file).then(() => (res.writeHead(204), res.end()), fail);
      return;
    }
    res.writeHead(405, { 'Content-Length': 0 });
    res.end();
  });
  server.keepAliveTimeout = 60_000;
  await new Promise((resolve) => server.listen(port, host, resolve));
  return {
    port: server.address().port,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [port, dataDir] = process.argv.slice(2);
  const ceiling = await startCeiling({ port: Number(port), dataDir });
  process.stdout.write(`listening ${ceiling.port}\n`);
  // A clean exit on the bench's SIGTERM, so that --cpu-prof (BENCH_CEILING_CPU_PROF) writes its profile.
  process.once('SIGTERM', () => ceiling.stop().then(() => process.exit(0)));
}
