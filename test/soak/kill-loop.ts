/**
 * The kill -9 loop: each iteration starts the CLI on one data dir, runs mixed writes (PUT,
 * multipart uploads ending in CompleteMultipartUpload, DELETE, DeleteObjects) with several in
 * flight, SIGKILLs it at a random moment, restarts it and checks:
 * - every acknowledged write survives byte-exact, and an acknowledged delete stays deleted;
 * - a write cut off by the kill is either wholly there or wholly absent (nothing partial): every
 *   key reads back as its last acknowledged version or the one in flight, byte-exact, and the
 *   listing shows exactly the keys that read back, with their sizes;
 * - after a clean stop of the restarted server, no blob file is orphaned or missing and tmp/ is empty.
 * One write per key is in flight at a time, so "the last acknowledged" is well defined.
 */
import { startCli, type RunningCli } from '../cli-process.js';
import { dataDirProblems } from '../data-dir.js';
import { SignedClient } from './signed-client.js';
import { MIN_PART_BYTES, VersionLog, bodyOf, versionOf } from './versions.js';

export interface KillLoopOptions {
  dataDir: string;
  iterations: number;
  log: (line: string) => void;
}

export interface KillLoopResult {
  iterations: number;
  seconds: number;
  acknowledgedWrites: number;
  cutOffWrites: number;
  failures: string[];
  passed: boolean;
}

const BUCKET = 'kill-bucket';
const CREDENTIALS = 'AKIAKILLLOOPKILLLOOP:killloopsecretkillloopsecretkillloopsec';
const KEYS = 200;
const WRITERS = 8;

/** A write's effect: the version it stored, or null for a delete. */
type Effect = number | null;

export async function runKillLoop(options: KillLoopOptions): Promise<KillLoopResult> {
  const log = new VersionLog();
  const keyOf = (index: number) => `kill/k${index}`;
  /** The effect of each key's last acknowledged write (undefined: never written, i.e. absent). */
  const acknowledged = new Map<number, Effect>();
  const failures: string[] = [];
  let acknowledgedWrites = 0;
  let cutOffWrites = 0;
  let completed = 0;
  const started = performance.now();
  const args = ['--data-dir', options.dataDir, '--port', '0', '--quiet', '--bucket', `${BUCKET}=${CREDENTIALS}`];

  for (let iteration = 1; iteration <= options.iterations && failures.length === 0; iteration++) {
    const cli = await startCli(args);
    const client = new SignedClient(cli.env[BUCKET], BUCKET, WRITERS);
    const inFlight = new Map<number, Effect>();
    let killed = false;

    const write = async (indexes: number[], effect: Effect, send: () => Promise<boolean>) => {
      for (const index of indexes) inFlight.set(index, effect);
      let ok = false;
      try {
        ok = await send();
      } catch {
        // Cut off by the kill: the write may or may not have happened.
      }
      if (ok) {
        for (const index of indexes) {
          acknowledged.set(index, effect);
          inFlight.delete(index);
        }
        acknowledgedWrites++;
      } else if (!killed) {
        failures.push(`iteration ${iteration}: a write to ${indexes.map(keyOf).join(', ')} failed before the kill`);
      }
    };
    const freeIndex = () => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const index = Math.floor(Math.random() * KEYS);
        if (!inFlight.has(index)) return index;
      }
      return undefined;
    };

    const writer = async () => {
      while (!killed) {
        const roll = Math.random();
        const index = freeIndex();
        if (index === undefined) continue;
        const key = keyOf(index);
        if (roll < 0.45) {
          const size = Math.random() < 0.7 ? Math.floor(Math.random() * 8192) : 64 * 1024 + Math.floor(Math.random() * 1024 * 1024);
          const version = log.issue(key, size);
          await write([index], version, async () => (await client.send('PUT', key, '', bodyOf(key, version, size))).status === 200);
        } else if (roll < 0.65) {
          const twoParts = Math.random() < 0.15;
          const size = twoParts ? MIN_PART_BYTES + 1 + Math.floor(Math.random() * 100_000) : Math.floor(Math.random() * 200_000);
          const version = log.issue(key, size);
          const body = bodyOf(key, version, size);
          const parts = twoParts ? [body.subarray(0, MIN_PART_BYTES), body.subarray(MIN_PART_BYTES)] : [body];
          await write([index], version, async () => {
            const answer = await client.multipartUpload(key, parts);
            return answer.status === 200 && answer.body.includes('<CompleteMultipartUploadResult');
          });
        } else if (roll < 0.8) {
          await write([index], null, async () => (await client.send('DELETE', key)).status === 204);
        } else {
          const indexes = [index];
          for (let i = 0; i < 8; i++) {
            const other = freeIndex();
            if (other !== undefined && !indexes.includes(other)) indexes.push(other);
          }
          await write(indexes, null, async () => {
            const answer = await client.deleteObjects(indexes.map(keyOf));
            return answer.status === 200 && !answer.body.includes('<Error>');
          });
        }
      }
    };

    const writers = Array.from({ length: WRITERS }, writer);
    await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 700));
    killed = true;
    cli.child.kill('SIGKILL');
    await cli.exited;
    await Promise.all(writers);
    await client.close().catch(() => {});
    cutOffWrites += inFlight.size;

    await verifyAfterRestart(iteration, inFlight);
    completed = iteration;
    if (iteration % 20 === 0) options.log(`kill loop: ${iteration} iterations, ${acknowledgedWrites} acknowledged writes, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }

  /** Restarts on the data dir and checks every key, then stops cleanly and checks the blob files. */
  async function verifyAfterRestart(iteration: number, cutOff: ReadonlyMap<number, Effect>): Promise<void> {
    const fail = (text: string) => failures.push(`iteration ${iteration}: ${text}`);
    let cli: RunningCli | undefined;
    try {
      cli = await startCli(args);
      const client = new SignedClient(cli.env[BUCKET], BUCKET, WRITERS);
      const present = new Map<string, number>();
      for (let index = 0; index < KEYS; index++) {
        const key = keyOf(index);
        const answer = await client.send('GET', key);
        const allowed = new Set<Effect>([acknowledged.get(index) ?? null]);
        if (cutOff.has(index)) allowed.add(cutOff.get(index)!);
        if (answer.status === 404) {
          if (!allowed.has(null)) fail(`${key}: acknowledged version ${acknowledged.get(index)} is gone`);
          acknowledged.set(index, null);
          continue;
        }
        if (answer.status !== 200) {
          fail(`GET ${key} answered ${answer.status}`);
          continue;
        }
        const problem = log.problemWith(key, answer.body);
        if (problem) {
          fail(`partial or foreign object: ${problem}`);
          continue;
        }
        const version = versionOf(key, answer.body)!;
        if (!allowed.has(version)) fail(`${key}: holds version ${version}, expected one of ${[...allowed].join(', ')}`);
        acknowledged.set(index, version);
        present.set(key, answer.body.length);
      }
      const { answer, objects } = await client.list('kill/');
      if (answer.status !== 200) fail(`listing answered ${answer.status}`);
      for (const [key, size] of objects) if (present.get(key) !== size) fail(`listing shows ${key} (${size} bytes), GET gave ${present.get(key) ?? 404}`);
      for (const key of present.keys()) if (!objects.has(key)) fail(`listing misses ${key}`);
      await client.close();
    } finally {
      if (cli) {
        cli.child.kill('SIGTERM');
        await cli.exited;
      }
    }
    const problems = dataDirProblems(options.dataDir);
    if (problems.orphans.length || problems.missing.length || problems.tmp.length) fail(`data dir after restart: ${JSON.stringify(problems)}`);
  }

  return {
    iterations: completed,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    acknowledgedWrites,
    cutOffWrites,
    failures,
    passed: failures.length === 0,
  };
}
