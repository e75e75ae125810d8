/**
 * The soak: mixed PUT, GET, DELETE, DeleteObjects, ListObjectsV2 and multipart uploads at a fixed
 * concurrency over a fixed key space, against a CLI-started emulator, with a checker:
 * - every GET returns exactly one version some PUT wrote, byte-exact (bodies name their version);
 *   when no write to the key overlapped, exactly the last acknowledged one (or 404 after a delete);
 * - a listing shows each key whose last acknowledged write or delete no other write overlapped
 *   exactly as that left it: an acknowledged delete is gone, an acknowledged PUT is there with its size;
 * - the server's open fds, measured with no client connected after a warm-up and at the end,
 *   drift by at most ±2; its RSS at the end is at most 20 MB above its high-water mark over the
 *   warm-up's end and the first half of the rest (sampled every second).
 */
import { SignedClient, type Answer } from './signed-client.js';
import { processStats, settledStats } from './process-stats.js';
import { MIN_PART_BYTES, VersionLog, bodyOf, md5Hex } from './versions.js';
import type { BucketEnv } from '../../src/index.js';

export interface SoakOptions {
  env: BucketEnv;
  bucket: string;
  pid: number;
  seconds: number;
  concurrency: number;
  keys: number;
  /** Progress lines (one every 10 s). */
  log: (line: string) => void;
}

export interface SoakResult {
  seconds: number;
  concurrency: number;
  keys: number;
  operations: number;
  byOperation: Record<string, number>;
  errors: number;
  checkViolations: number;
  /** The first few errors and violations, for the report. */
  problems: string[];
  /** baselineMB: the high-water mark over the warm-up's end and the first half of the rest; driftMB: the end's excess over it. */
  rss: { baselineMB: number; endMB: number; driftMB: number; maxMB: number };
  fds: { baseline: number; end: number; drift: number };
  passed: boolean;
}

const RSS_DRIFT_LIMIT_MB = 20;
const FD_DRIFT_LIMIT = 2;
const GROUP_SIZE = 100;

type Known = { present: true; version: number } | { present: false };
interface KeyState {
  inflight: number;
  generation: number;
  /** What the last acknowledged write or delete left, when no other write overlapped it. */
  known?: Known;
}
interface WriteToken {
  generation: number;
  exclusive: boolean;
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const { env, bucket, pid, concurrency } = options;
  const keyOf = (index: number) => `g${String(Math.floor(index / GROUP_SIZE)).padStart(3, '0')}/k${index}`;
  // The data dir starts empty: every key is known to be absent.
  const states = Array.from({ length: options.keys }, (): KeyState => ({ inflight: 0, generation: 0, known: { present: false } }));
  const log = new VersionLog();
  const byOperation: Record<string, number> = {};
  const problems: string[] = [];
  let operations = 0;
  let errors = 0;
  let checkViolations = 0;

  const error = (text: string) => {
    errors++;
    if (problems.length < 20) problems.push(`error: ${text}`);
  };
  const violation = (text: string) => {
    checkViolations++;
    if (problems.length < 20) problems.push(`check: ${text}`);
  };
  const expectStatus = (what: string, answer: Answer, ...statuses: number[]) => {
    if (statuses.includes(answer.status)) return true;
    error(`${what} answered ${answer.status}: ${answer.body.toString().slice(0, 200)}`);
    return false;
  };

  const beginWrite = (index: number): WriteToken => {
    const state = states[index];
    state.inflight++;
    state.generation++;
    return { generation: state.generation, exclusive: state.inflight === 1 };
  };
  const endWrite = (index: number, token: WriteToken, outcome: Known | undefined) => {
    const state = states[index];
    state.inflight--;
    state.known = outcome !== undefined && token.exclusive && state.generation === token.generation ? outcome : undefined;
  };
  /** The key's state if it is settled (no write in flight): a later check compares against it if still unchanged then. */
  const snapshot = (index: number) => {
    const state = states[index];
    return state.inflight === 0 && state.known ? { generation: state.generation, known: state.known } : undefined;
  };
  const unchanged = (index: number, snap: ReturnType<typeof snapshot>) => snap !== undefined && states[index].generation === snap.generation;

  const randomIndex = () => Math.floor(Math.random() * options.keys);
  const smallOrLarge = () => (Math.random() < 0.9 ? Math.floor(Math.random() * 4096) : 64 * 1024 + Math.floor(Math.random() * 256 * 1024));

  async function put(client: SignedClient) {
    const index = randomIndex();
    const key = keyOf(index);
    const version = log.issue(key, smallOrLarge());
    const token = beginWrite(index);
    let outcome: Known | undefined;
    try {
      const body = bodyOf(key, version, log.sizeOf(version));
      const answer = await client.send('PUT', key, '', body);
      if (expectStatus(`PUT ${key}`, answer, 200)) {
        if (answer.headers.etag !== `"${md5Hex(body)}"`) violation(`PUT ${key} ETag ${answer.headers.etag} is not the body's MD5`);
        outcome = { present: true, version };
      }
    } finally {
      endWrite(index, token, outcome);
    }
  }

  async function multipart(client: SignedClient) {
    const index = randomIndex();
    const key = keyOf(index);
    // Mostly one small part; now and then a 5 MiB part followed by a small one.
    const twoParts = Math.random() < 0.03;
    const version = log.issue(key, twoParts ? MIN_PART_BYTES + 1 + Math.floor(Math.random() * 4096) : smallOrLarge());
    const token = beginWrite(index);
    let outcome: Known | undefined;
    try {
      const body = bodyOf(key, version, log.sizeOf(version));
      const parts = twoParts ? [body.subarray(0, MIN_PART_BYTES), body.subarray(MIN_PART_BYTES)] : [body];
      const answer = await client.multipartUpload(key, parts);
      if (expectStatus(`multipart ${key}`, answer, 200) && answer.body.includes('<CompleteMultipartUploadResult')) outcome = { present: true, version };
      else if (answer.status === 200) error(`CompleteMultipartUpload ${key} answered 200 with ${answer.body.toString().slice(0, 200)}`);
    } finally {
      endWrite(index, token, outcome);
    }
  }

  async function get(client: SignedClient) {
    const index = randomIndex();
    const key = keyOf(index);
    const snap = snapshot(index);
    const answer = await client.send('GET', key);
    if (!expectStatus(`GET ${key}`, answer, 200, 404)) return;
    if (answer.status === 200) {
      const problem = log.problemWith(key, answer.body);
      if (problem) violation(`GET ${problem}`);
    }
    if (unchanged(index, snap)) {
      const known = snap!.known;
      if (!known.present && answer.status !== 404) violation(`GET ${key} after an acknowledged delete answered ${answer.status}`);
      if (known.present && (answer.status !== 200 || !answer.body.equals(bodyOf(key, known.version, log.sizeOf(known.version))))) {
        violation(`GET ${key} did not return the last acknowledged version ${known.version} (status ${answer.status})`);
      }
    }
  }

  async function remove(client: SignedClient) {
    const index = randomIndex();
    const key = keyOf(index);
    const token = beginWrite(index);
    let outcome: Known | undefined;
    try {
      if (expectStatus(`DELETE ${key}`, await client.send('DELETE', key), 204)) outcome = { present: false };
    } finally {
      endWrite(index, token, outcome);
    }
  }

  async function deleteObjects(client: SignedClient) {
    const group = Math.floor(randomIndex() / GROUP_SIZE);
    const count = 2 + Math.floor(Math.random() * 19);
    const indexes = [...new Set(Array.from({ length: count }, () => group * GROUP_SIZE + Math.floor(Math.random() * GROUP_SIZE)))].filter((i) => i < options.keys);
    const tokens = indexes.map(beginWrite);
    let acknowledged = false;
    try {
      const answer = await client.deleteObjects(indexes.map(keyOf));
      // Quiet mode: a 200 lists only the keys that failed; there must be none.
      if (expectStatus('DeleteObjects', answer, 200)) {
        if (answer.body.includes('<Error>')) error(`DeleteObjects reported failures: ${answer.body.toString().slice(0, 300)}`);
        else acknowledged = true;
      }
    } finally {
      indexes.forEach((index, i) => endWrite(index, tokens[i], acknowledged ? { present: false } : undefined));
    }
  }

  async function list(client: SignedClient) {
    const group = Math.floor(randomIndex() / GROUP_SIZE);
    const indexes = Array.from({ length: GROUP_SIZE }, (_, i) => group * GROUP_SIZE + i).filter((i) => i < options.keys);
    const snaps = indexes.map(snapshot);
    const prefix = `${keyOf(group * GROUP_SIZE).split('/')[0]}/`;
    const { answer, objects } = await client.list(prefix);
    if (!expectStatus(`ListObjectsV2 ${prefix}`, answer, 200)) return;
    indexes.forEach((index, i) => {
      if (!unchanged(index, snaps[i])) return;
      const known = snaps[i]!.known;
      const key = keyOf(index);
      if (!known.present && objects.has(key)) violation(`listing of ${prefix} still shows ${key} after an acknowledged delete`);
      if (known.present && objects.get(key) !== log.sizeOf(known.version)) {
        violation(`listing of ${prefix} shows ${key} with size ${objects.get(key)}, acknowledged version ${known.version} has ${log.sizeOf(known.version)}`);
      }
    });
  }

  const mix: [string, number, (client: SignedClient) => Promise<void>][] = [
    ['PutObject', 35, put],
    ['GetObject', 30, get],
    ['ListObjectsV2', 12, list],
    ['multipart', 10, multipart],
    ['DeleteObject', 8, remove],
    ['DeleteObjects', 5, deleteObjects],
  ];
  const totalWeight = mix.reduce((sum, [, weight]) => sum + weight, 0);
  const pick = () => {
    let roll = Math.random() * totalWeight;
    for (const entry of mix) if ((roll -= entry[1]) < 0) return entry;
    return mix[0];
  };

  /** Runs the mix until `until` (ms timestamp), then waits for what is in flight; connections are closed at the end. */
  async function phase(until: number): Promise<void> {
    const client = new SignedClient(env, bucket, concurrency);
    const worker = async () => {
      while (performance.now() < until) {
        const [name, , run] = pick();
        try {
          await run(client);
        } catch (err) {
          error(`${name}: ${(err as Error).message}`);
        }
        operations++;
        byOperation[name] = (byOperation[name] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    await client.close();
  }

  const started = performance.now();
  const end = started + options.seconds * 1000;
  // Warm-up: the heap, caches and SQLite's page cache grow to their working size first. Over
  // 10,000 keys that took about 150 s in a 600 s run (RSS flat at 178–181 MB from then to the end,
  // 132 MB at 30 s), and 90 s in a 300 s run (flat at 152–159 MB from 96 s to 296 s). So: a
  // quarter of the run, at least 60 s and at most half of it.
  const warmUpSeconds = Math.min(Math.max(60, options.seconds / 4), options.seconds / 2);
  await phase(started + warmUpSeconds * 1000);
  const baseline = await settledStats(pid);
  // Past the warm-up RSS still swings with the heap's collections: a 120 s run went 146 → 163 →
  // 151 → 166 MB between samples 10 s apart, and one sample then the end measured a 25.4 MB
  // "drift" of a flat process (300 s runs: flat at 148–158 MB to the end). The baseline is
  // therefore the high-water mark from the warm-up's end through the first half of the rest: a
  // leak still carries the end 20 MB past every peak before it.
  const measuredFrom = performance.now();
  const firstHalfUntil = measuredFrom + (end - measuredFrom) / 2;
  let highWater = baseline.rssBytes;
  let maxRss = baseline.rssBytes;
  let samples = 0;
  const sampler = setInterval(() => {
    try {
      const now = processStats(pid).rssBytes;
      maxRss = Math.max(maxRss, now);
      if (performance.now() <= firstHalfUntil) highWater = Math.max(highWater, now);
      if (++samples % 10 === 0) {
        options.log(`soak: ${operations} ops, ${errors} errors, ${checkViolations} check violations, RSS ${(now / 2 ** 20).toFixed(1)} MB, ${((performance.now() - started) / 1000).toFixed(0)} s`);
      }
    } catch {
      // The process may be gone; the end sample reports that.
    }
  }, 1_000);
  try {
    await phase(end);
  } finally {
    clearInterval(sampler);
  }
  const final = await settledStats(pid);
  const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;
  const rss = { baselineMB: mb(highWater), endMB: mb(final.rssBytes), driftMB: mb(final.rssBytes - highWater), maxMB: mb(Math.max(maxRss, final.rssBytes)) };
  const fds = { baseline: baseline.fds, end: final.fds, drift: final.fds - baseline.fds };
  const passed = errors === 0 && checkViolations === 0 && rss.driftMB <= RSS_DRIFT_LIMIT_MB && Math.abs(fds.drift) <= FD_DRIFT_LIMIT;
  return {
    seconds: Math.round((performance.now() - started) / 100) / 10,
    concurrency,
    keys: options.keys,
    operations,
    byOperation,
    errors,
    checkViolations,
    problems,
    rss,
    fds,
    passed,
  };
}
