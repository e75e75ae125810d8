/**
 * `npm run soak`: the soak (test/soak/soak.ts) against a CLI-started emulator, then the kill -9
 * loop (test/soak/kill-loop.ts). Sizes come from test/soak/run.mjs through SOAK_* variables.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startCli } from '../cli-process.js';
import { runKillLoop, type KillLoopResult } from './kill-loop.js';
import { runSoak, type SoakResult } from './soak.js';

const seconds = Number(process.env.SOAK_SECONDS ?? 600);
const killIterations = Number(process.env.SOAK_KILL_ITERATIONS ?? 200);
const concurrency = Number(process.env.SOAK_CONCURRENCY ?? 64);
const keys = Number(process.env.SOAK_KEYS ?? 10_000);

const results: { startedAt: string; node: string; soak?: SoakResult; killLoop?: KillLoopResult } = {
  startedAt: new Date().toISOString(),
  node: process.version,
};
const workDir = mkdtempSync(join(tmpdir(), 'smll-soak-'));
const progress = (line: string) => process.stdout.write(`${line}\n`);

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
  const resultsDir = new URL('./results/', import.meta.url);
  mkdirSync(resultsDir, { recursive: true });
  const summary = JSON.stringify(results, null, 2);
  writeFileSync(new URL('latest.json', resultsDir), `${summary}\n`);
  process.stdout.write(`\nsoak summary (test/soak/results/latest.json):\n${summary}\n`);
});

describe('npm run soak', () => {
  if (seconds > 0) {
    it(`mixed load for ${seconds} s at concurrency ${concurrency} over ${keys} keys: 0 errors, every read one whole written version, flat RSS and fds`, async () => {
      // A fresh working directory too: nothing may be written outside the data dir.
      const cwd = join(workDir, 'cwd');
      mkdirSync(cwd);
      const cli = await startCli(['--data-dir', join(workDir, 'soak-data'), '--port', '0', '--quiet', '--bucket', 'soak-bucket'], cwd);
      try {
        results.soak = await runSoak({ env: cli.env['soak-bucket'], bucket: 'soak-bucket', pid: cli.child.pid!, seconds, concurrency, keys, log: progress });
      } finally {
        cli.child.kill('SIGTERM');
        await cli.exited;
      }
      expect(readdirSync(cwd)).toEqual([]);
      expect(results.soak.problems).toEqual([]);
      expect(results.soak).toMatchObject({ errors: 0, checkViolations: 0, passed: true });
    });
  }

  if (killIterations > 0) {
    it(`kill -9 loop, ${killIterations} iterations: every acknowledged write survives, nothing partial, no orphan blob`, async () => {
      results.killLoop = await runKillLoop({ dataDir: join(workDir, 'kill-data'), iterations: killIterations, log: progress });
      expect(results.killLoop.failures).toEqual([]);
      expect(results.killLoop.iterations).toBe(killIterations);
    });
  }
});
