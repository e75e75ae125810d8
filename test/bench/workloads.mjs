/**
 * The four workloads. Each `run…` measures one repetition on one started target and returns
 * `{ metricId: value }`; the metric catalogue (units, which way is better) is METRICS.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { BUCKET } from './targets.mjs';
import { createPool, fetchText, getAndChecksum, pathOf, putStream, runBatch } from './load.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));

/** id → { workload, label, unit, better }. Ratios are always "how many times as good". */
export const METRICS = {};
function metric(id, workload, label, unit, better) {
  METRICS[id] = { workload, label, unit, better };
}
for (const op of ['put', 'get', 'head', 'delete']) {
  metric(`w1.${op}.ops`, 'W1', `4 KiB ${op.toUpperCase()} ops/s`, 'ops/s', 'higher');
  metric(`w1.${op}.p50`, 'W1', `4 KiB ${op.toUpperCase()} p50`, 'ms', 'lower');
  metric(`w1.${op}.p99`, 'W1', `4 KiB ${op.toUpperCase()} p99`, 'ms', 'lower');
  metric(`w1.${op}.cpu`, 'W1', `4 KiB ${op.toUpperCase()} server CPU per request`, 'µs', 'lower');
}
metric('w2.put.mbps', 'W2', 'large PUT', 'MB/s', 'higher');
metric('w2.get.mbps', 'W2', 'large GET', 'MB/s', 'higher');
metric('w2.peakRss', 'W2', 'server peak RSS during large PUT+GET', 'MB', 'lower');
metric('w4.cli', 'W4', 'spawn → first successful response', 'ms', 'lower');
metric('w4.inProcess', 'W4', 'in-process start + stop', 'ms', 'lower');
metric('w4.nodeBaseline', 'W4', '`node -e 0` spawn → exit (same run; no server)', 'ms', 'lower');

export function defineListingMetrics(levels, pageSize, maxPages) {
  const page = pageSize.toLocaleString('en-US');
  for (const level of levels) {
    const n = level.toLocaleString('en-US');
    const pages = Math.ceil(level / pageSize);
    if (pages <= maxPages) metric(`w3.${level}.walk`, 'W3', `full ListObjectsV2 walk at ${page} a page, ${n} keys`, 'ms', 'lower');
    const over = pages <= maxPages ? 'walk ÷ pages' : `mean of the first ${maxPages} pages`;
    metric(`w3.${level}.page`, 'W3', `one ${page}-key page, ${n} keys (${over})`, 'ms', 'lower');
    metric(`w3.${level}.delimiter`, 'W3', `delimiter listing (100 common prefixes), ${n} keys`, 'ms', 'lower');
    metric(`w3.${level}.prefix`, 'W3', `prefix listing (first page under one prefix), ${n} keys`, 'ms', 'lower');
  }
}

// ---------- W1: small objects ----------

/**
 * CPU time (user + system) a process has used, in µs, from /proc/PID/stat (clock ticks of 10 ms:
 * over a batch of 3,000 requests, 3 µs a request); undefined where /proc is not there. A
 * server's CPU per request does not depend on whether the load generator kept it busy, which
 * ops/s does: a server that answers faster than the generator can ask shows its true cost here.
 */
function cpuMicros(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS_PER_SECOND = 100;

/** Up to 1% of a W1 batch may fail (s3rver races on removing a directory its last DELETEs emptied); failures are noted. */
const SMALL_OBJECT_TOLERANCE = 0.01;

export async function runSmallObjects(target, { count, concurrency, size, tag }, note) {
  const body = randomBytes(size);
  const keys = Array.from({ length: count }, (_, i) => `w1/${tag}/${String(i).padStart(6, '0')}`);
  const urls = (method) => keys.map((key) => pathOf(target.sign(method, `/${BUCKET}/${key}`)));
  const paths = { PUT: urls('PUT'), GET: urls('GET'), HEAD: urls('HEAD'), DELETE: urls('DELETE') };
  const pool = createPool(target.endpoint, concurrency);
  try {
    const result = {};
    for (const method of ['PUT', 'GET', 'HEAD', 'DELETE']) {
      const cpuBefore = cpuMicros(target.pid);
      const batch = await runBatch(pool, {
        method,
        paths: paths[method],
        body: method === 'PUT' ? body : undefined,
        concurrency,
        tolerance: SMALL_OBJECT_TOLERANCE,
      });
      if (batch.failures) note(`W1 ${target.name}: ${batch.failures} of ${count} ${method}s failed, e.g. ${batch.firstFailure.message.split('\n')[0]}`);
      const op = method.toLowerCase();
      result[`w1.${op}.ops`] = batch.opsPerSecond;
      result[`w1.${op}.p50`] = batch.p50Ms;
      result[`w1.${op}.p99`] = batch.p99Ms;
      const cpuAfter = cpuMicros(target.pid);
      if (cpuBefore !== undefined && cpuAfter !== undefined) result[`w1.${op}.cpu`] = (cpuAfter - cpuBefore) / count;
    }
    return result;
  } finally {
    await pool.close();
  }
}

// ---------- W2: one large object ----------

const CHUNK = 1024 * 1024;
const pattern = randomBytes(CHUNK);

/** Deterministic pseudo-random data: the pattern with the chunk's index in its first bytes. */
function* largeBody(size) {
  for (let offset = 0, index = 0; offset < size; offset += CHUNK, index++) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK, size - offset));
    pattern.copy(chunk, 0, 0, chunk.length);
    chunk.writeUInt32BE(index, 0);
    yield chunk;
  }
}

const expectedCrcs = new Map();
function expectedCrc(size) {
  if (!expectedCrcs.has(size)) {
    let crc = 0;
    for (const chunk of largeBody(size)) crc = zlib.crc32(chunk, crc);
    expectedCrcs.set(size, crc);
  }
  return expectedCrcs.get(size);
}

/**
 * The peak RSS of a process over a stretch of time: resets the kernel's high-water mark
 * (`5 > /proc/PID/clear_refs`) and reads VmHWM at the end; where the reset is not allowed,
 * polls VmRSS every 20 ms instead.
 */
class PeakRss {
  #pid;
  #polled = 0;
  #timer;
  #reset;

  constructor(pid) {
    this.#pid = pid;
    try {
      fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
      this.#reset = true;
    } catch {
      this.#reset = false;
      this.#timer = setInterval(() => (this.#polled = Math.max(this.#polled, this.#read('VmRSS'))), 20);
    }
  }

  #read(field) {
    const status = fs.readFileSync(`/proc/${this.#pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  }

  stop() {
    clearInterval(this.#timer);
    return Math.max(this.#polled, this.#read(this.#reset ? 'VmHWM' : 'VmRSS'));
  }
}

export async function runLargeObject(target, { size, tag }) {
  const crc = expectedCrc(size);
  const path = `/${BUCKET}/w2/${tag}`;
  const [put, get, del] = ['PUT', 'GET', 'DELETE'].map((method) => pathOf(target.sign(method, path)));
  const pool = createPool(target.endpoint, 1);
  try {
    const rss = new PeakRss(target.pid);
    let started = performance.now();
    await putStream(pool, put, size, () => largeBody(size));
    const putSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    const received = await getAndChecksum(pool, get);
    const getSeconds = (performance.now() - started) / 1000;
    const peak = rss.stop();
    if (received.size !== size || received.crc !== crc) {
      throw new Error(`GET returned ${received.size} bytes with CRC-32 ${received.crc}, expected ${size} bytes with ${crc}`);
    }
    await runBatch(pool, { method: 'DELETE', paths: [del], concurrency: 1 });
    return { 'w2.put.mbps': size / 1e6 / putSeconds, 'w2.get.mbps': size / 1e6 / getSeconds, 'w2.peakRss': peak / 1e6 };
  } finally {
    await pool.close();
  }
}

// ---------- W3: listing ----------

export const LISTING_PREFIXES = 100;

function listingKey(i) {
  return `p${String(i % LISTING_PREFIXES).padStart(3, '0')}/${String(i).padStart(7, '0')}`;
}

const SEED_BATCH = 5000;

/**
 * PUTs empty objects for keys [from, to) at concurrency 64, in batches of 5,000; gives up
 * (throws) once `budgetSeconds` have passed, so that one slow peer cannot stall the run.
 * Returns the seconds it took.
 */
export async function seedListing(target, from, to, budgetSeconds) {
  const pool = createPool(target.endpoint, 64);
  try {
    const started = performance.now();
    for (let batch = from; batch < to; batch += SEED_BATCH) {
      const seconds = (performance.now() - started) / 1000;
      if (seconds > budgetSeconds) {
        const rate = Math.round((batch - from) / seconds);
        throw new Error(`seeding stopped after ${budgetSeconds} s at ${batch.toLocaleString('en-US')} of ${to.toLocaleString('en-US')} keys (${rate} PUT/s)`);
      }
      const paths = [];
      for (let i = batch; i < Math.min(to, batch + SEED_BATCH); i++) paths.push(pathOf(target.sign('PUT', `/${BUCKET}/${listingKey(i)}`)));
      await runBatch(pool, { method: 'PUT', paths, body: Buffer.alloc(0), concurrency: 64 });
    }
    return (performance.now() - started) / 1000;
  } finally {
    await pool.close();
  }
}

const listPath = (target, query) => pathOf(target.sign('GET', `/${BUCKET}?${new URLSearchParams({ 'list-type': '2', ...query })}`));

function countOf(xml, element) {
  return xml.split(`<${element}>`).length - 1;
}

/**
 * One repetition of the listing timings at `level` keys. The walk follows continuation tokens,
 * so each page's URL is signed when the previous page has told its token (about 20 µs a page).
 * It stops after `maxPages` (a full walk is timed only where the bucket has no more pages):
 * the page cost is the mean over the pages walked.
 */
export async function runListing(target, { level, pageSize, maxPages }) {
  const pool = createPool(target.endpoint, 1);
  try {
    // One untimed page first: code loaded or compiled on first use is not the listing's cost.
    await fetchText(pool, listPath(target, { 'max-keys': String(pageSize) }));
    let keys = 0;
    let pages = 0;
    let token;
    const started = performance.now();
    do {
      const xml = await fetchText(pool, listPath(target, { 'max-keys': String(pageSize), ...(token ? { 'continuation-token': token } : {}) }));
      keys += countOf(xml, 'Key');
      pages++;
      token = /<IsTruncated>true<\/IsTruncated>/.test(xml) ? decodeXml(/<NextContinuationToken>([^<]*)</.exec(xml)?.[1]) : undefined;
    } while (token !== undefined && pages < maxPages);
    const walk = performance.now() - started;
    const full = token === undefined;
    const expectedKeys = full ? level : pages * pageSize;
    if (keys !== expectedKeys) throw new Error(`the walk listed ${keys} keys, expected ${expectedKeys}`);

    const delimiterPath = listPath(target, { delimiter: '/', 'max-keys': String(pageSize) });
    let timed = performance.now();
    const delimited = await fetchText(pool, delimiterPath);
    const delimiter = performance.now() - timed;
    if (countOf(delimited, 'CommonPrefixes') !== LISTING_PREFIXES) {
      throw new Error(`the delimiter listing returned ${countOf(delimited, 'CommonPrefixes')} common prefixes, expected ${LISTING_PREFIXES}`);
    }

    const prefixPath = listPath(target, { prefix: 'p042/', 'max-keys': String(pageSize) });
    timed = performance.now();
    const prefixed = await fetchText(pool, prefixPath);
    const prefix = performance.now() - timed;
    const expected = Math.min(pageSize, level / LISTING_PREFIXES);
    if (countOf(prefixed, 'Key') !== expected) throw new Error(`the prefix listing returned ${countOf(prefixed, 'Key')} keys, expected ${expected}`);

    return {
      ...(full ? { [`w3.${level}.walk`]: walk } : {}),
      [`w3.${level}.page`]: walk / pages,
      [`w3.${level}.delimiter`]: delimiter,
      [`w3.${level}.prefix`]: prefix,
    };
  } finally {
    await pool.close();
  }
}

function decodeXml(text) {
  return text?.replace(/&(amp|lt|gt|quot|apos);/g, (_, name) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" })[name]);
}

// ---------- W4: start-up ----------

/** Spawn → exit of `node -e 0`: what any Node program's start costs on this machine at this moment. */
export async function runNodeBaseline() {
  const started = performance.now();
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  const code = await new Promise((ok) => child.once('exit', ok));
  if (code !== 0) throw new Error(`node -e 0 exited with ${code}`);
  return performance.now() - started;
}

/** startEmulator() + stop() (and the ceiling's start + stop) in a fresh Node process; the median of `repetitions`. */
export async function runInProcessStartup(repetitions) {
  const child = spawn(process.execPath, [join(benchDir, 'in-process-startup.mjs'), String(repetitions)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  const code = await new Promise((ok) => child.once('exit', ok));
  if (code !== 0) throw new Error(`in-process start-up measurement exited with ${code}`);
  return JSON.parse(output);
}
