import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { mergeWithConfig } from '../config-file.js';
import type { Command } from 'commander';
import { bucketEnvironment, bucketsInOrder } from '../bucket-environment.js';
import { bucketOptionsFromFlags, type BucketFlags } from './bucket-flags.js';
import { writeCredentialsFile } from './credentials-file.js';
import { configFromFlag, givenOnly, startupProblem } from './emulator-flags.js';
import type { Emulator } from '../emulator.js';
import { trustVariables } from '../tls.js';
import type { LogFormat } from '../http/request-log.js';

export interface ExecFlags extends BucketFlags {
  config?: string;
  seed?: Record<string, string>;
  region?: string;
  host?: string;
  port: number;
  dataDir?: string;
  tls?: boolean;
  log?: boolean;
  logFormat?: LogFormat;
  requestTimeout?: number;
}

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * `smll-storage exec -- COMMAND…`: starts an emulator (free port, throw-away data dir unless
 * told otherwise), runs COMMAND with the buckets' S3_* variables, forwards signals to it,
 * stops the emulator and exits with COMMAND's status (128 + signal number when a signal ended it).
 */
export async function execWithEmulator(argv: string[], flags: ExecFlags, command: Command): Promise<void> {
  const { startEmulator } = await import('../emulator.js');
  const config = await configFromFlag(flags.config);
  const options = mergeWithConfig(
    config,
    {
      ...givenOnly(command, { seed: flags.seed, region: flags.region, host: flags.host, port: flags.port, dataDir: flags.dataDir, requestTimeout: flags.requestTimeout, logFormat: flags.logFormat, tls: flags.tls }),
      ...bucketOptionsFromFlags(command, flags, config),
    },
    false,
  );
  if (!options.buckets?.length) {
    throw new Error('exec needs a bucket: --bucket NAME (repeatable), or "buckets" in smll-storage.config.json.');
  }
  let emulator: Emulator;
  try {
    emulator = await startEmulator({
      ...options,
      log: flags.log ? (line) => process.stderr.write(`[smll-storage] ${line}\n`) : undefined,
    });
  } catch (err) {
    throw startupProblem(err, { port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  }
  for (const bucket of emulator.replacedKeys) {
    process.stderr.write(`[smll-storage] warning: bucket "${bucket}": its stored keys were replaced by the ones given; clients still using the old keys now get InvalidAccessKeyId.\n`);
  }
  let variables: Record<string, string>;
  try {
    const buckets = bucketsInOrder(options.buckets, emulator.buckets);
    variables = bucketEnvironment(buckets, (bucket) => emulator.env(bucket));
    // The local CA, in the variable each kind of client reads (AWS SDKs, Node, Go/OpenSSL/rustls, requests, curl).
    const caFile = emulator.certificate?.file;
    if (caFile) Object.assign(variables, trustVariables(caFile));
    const warning = options.dataDir === undefined ? undefined : writeCredentialsFile(emulator.dataDir, buckets, (b) => emulator.credentials(b));
    if (warning) process.stderr.write(`[smll-storage] warning: ${warning}\n`);
  } catch (err) {
    await emulator.stop();
    throw err;
  }

  const [file, ...args] = argv;
  const child = spawn(file, args, { stdio: 'inherit', env: { ...process.env, ...variables } });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);

  const status = await new Promise<number>((resolveStatus) => {
    child.once('error', (err: NodeJS.ErrnoException) => {
      // The shell's conventions: 127 command not found, 126 found but not runnable.
      const notFound = err.code === 'ENOENT';
      process.stderr.write(`smll-storage exec: ${notFound ? 'command not found' : 'cannot run'}: ${file} (${err.message})\n`);
      resolveStatus(notFound ? 127 : 126);
    });
    child.once('exit', (code, signal) => resolveStatus(code ?? 128 + (signal ? constants.signals[signal] : 0)));
  });
  for (const signal of FORWARDED_SIGNALS) process.off(signal, forward);
  await emulator.stop().catch((err: unknown) => process.stderr.write(`smll-storage exec: error while stopping the emulator: ${String(err)}\n`));
  process.exit(status);
}
