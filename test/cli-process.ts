import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';
import type { BucketEnv } from '../src/index.js';
import { bucketVariablePrefix } from '../src/bucket-credentials.cjs';

export const CLI = fileURLToPath(new URL('../bin/smll-storage.js', import.meta.url));

export interface RunningCli {
  child: ChildProcess;
  /** Everything printed to stdout so far. */
  output(): string;
  /** Everything printed to stderr so far. */
  errors(): string;
  /** S3_* variables printed for each bucket. */
  env: Record<string, BucketEnv>;
  endpoint: string;
  /** Resolves with the exit code (or signal) once the process ends. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Parses the `# bucket NAME` blocks of `export S3_…=…` lines the CLI prints at start into each
 * bucket's four S3_* variables: from its `S3_<BUCKET>_*` lines (the first block also has the
 * plain names, with the same values).
 */
export function parseBucketEnv(output: string): Record<string, Record<string, string>> {
  const env: Record<string, Record<string, string>> = {};
  let current: Record<string, string> | undefined;
  let prefix = '';
  for (const line of output.split('\n')) {
    const bucket = /^# bucket (\S+)$/.exec(line);
    if (bucket) {
      env[bucket[1]] = current = {};
      prefix = bucketVariablePrefix(bucket[1]);
    }
    const variable = /^export (S3_[A-Z0-9_]+)=(.*)$/.exec(line);
    if (variable && current && variable[1].startsWith(prefix)) current[`S3_${variable[1].slice(prefix.length)}`] = variable[2];
  }
  return env;
}

/** Spawns `smll-storage serve …` and waits until it has printed its credentials. */
export async function startCli(args: string[], cwd?: string, env?: Record<string, string>): Promise<RunningCli> {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: env && { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`CLI did not start: ${stdout}${stderr}`)), 15_000);
    const check = () => {
      if (stdout.includes('\nReady. Ctrl-C stops.\n')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`CLI exited with ${code}: ${stdout}${stderr}`));
    });
  });
  const endpoint = /listening on (\S+)/.exec(stdout)![1];
  // Each block printed holds the four S3_* lines (asserted by the CLI test).
  return { child, output: () => stdout, errors: () => stderr, env: parseBucketEnv(stdout) as unknown as Record<string, BucketEnv>, endpoint, exited };
}

/**
 * Stops a CLI as Ctrl-C would (SIGTERM), so it removes its `--temp` data dir; SIGKILL after
 * `graceMs` if it has not exited by then.
 */
export async function stopCli(cli: RunningCli, graceMs = 5_000): Promise<void> {
  cli.child.kill('SIGTERM');
  const timer = setTimeout(() => cli.child.kill('SIGKILL'), graceMs);
  await cli.exited;
  clearTimeout(timer);
}

/**
 * Cleanup for tests that start CLIs and make data dirs: push every started CLI onto `running`
 * and take dirs from `tempDir()`; after each test the CLIs are stopped and the dirs removed.
 */
export function cliTestScope(prefix: string): { running: RunningCli[]; tempDir(): string } {
  const running: RunningCli[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const cli of running.splice(0)) await stopCli(cli);
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return {
    running,
    tempDir() {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(dir);
      return dir;
    },
  };
}
