/**
 * W4's in-process half, run in a fresh Node process: `startEmulator()` + `stop()` (a temp data
 * dir and one bucket, as a test suite would) and the ceiling's start + stop, each `argv[2]` times
 * after one untimed warm-up. Prints `{ emulator: [ms…], ceiling: [ms…] }`.
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCeiling } from './ceiling-server.mjs';
import { SNAPSHOT_DIR } from './targets.mjs';

const { startEmulator } = await import(join(SNAPSHOT_DIR, 'dist/index.js'));

const repetitions = Number(process.argv[2] ?? 20);

async function time(startAndStop) {
  await startAndStop();
  const samples = [];
  for (let i = 0; i < repetitions; i++) {
    const started = performance.now();
    await startAndStop();
    samples.push(performance.now() - started);
  }
  return samples;
}

const emulator = await time(async () => {
  const running = await startEmulator({ buckets: ['bench'] });
  await running.stop();
});
const ceiling = await time(async () => {
  const dataDir = fs.mkdtempSync(join(tmpdir(), 'smll-bench-ceiling-'));
  const running = await startCeiling({ dataDir });
  await running.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});
process.stdout.write(JSON.stringify({ emulator, ceiling }));
