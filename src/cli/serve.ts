import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { bucketEnvironment, bucketEnvironmentBlocks, bucketsInOrder } from '../bucket-environment.js';
import { mergeWithConfig } from '../config-file.js';
import type { Emulator, EmulatorOptions } from '../emulator.js';
import { trustVariables } from '../tls.js';
import { backendFromFlags, type BackendFlags } from './backend-flags.js';
import { bucketOptionsFromFlags, type BucketFlags } from './bucket-flags.js';
import { dotenv, quoted } from '../credential-formats.js';
import { DEFAULT_DATA_DIR, writeCredentialsFile, writePrivateFile } from './credentials-file.js';
import { configFromFlag, givenOnly, startupProblem } from './emulator-flags.js';
import type { SigV2Policy } from '../auth/types.js';
import type { LogFormat } from '../http/request-log.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

export interface ServeFlags extends BucketFlags, BackendFlags {
  bucketsDir?: string;
  port: number;
  host: string;
  region: string;
  dataDir: string;
  temp?: boolean;
  durable?: boolean;
  vhostDomain?: string;
  quiet?: boolean;
  sigv2: SigV2Policy;
  tls?: boolean;
  cert?: string;
  key?: string;
  config?: string;
  seed?: Record<string, string>;
  dotenv?: string;
  uploadExpiry?: number;
  requestTimeout?: number;
  logFormat?: LogFormat;
  console: 'on' | 'off';
  consoleToken?: string;
}

/** `--tls` alone: the data dir's certificate from a local CA; `--cert/--key` (both, implying --tls): the operator's own. Undefined: neither typed. */
function tlsFromFlags(flags: ServeFlags): { option: EmulatorOptions['tls']; certFile?: string } | undefined {
  if ((flags.cert === undefined) !== (flags.key === undefined)) {
    throw new InvalidArgumentError('--cert and --key go together: give both, or neither (--tls alone generates a certificate and a local CA)');
  }
  if (flags.cert === undefined || flags.key === undefined) return flags.tls === true ? { option: true } : undefined;
  const readPem = (what: string, file: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new InvalidArgumentError(`cannot read the ${what} file ${file}: ${(err as Error).message}`);
    }
  };
  return { option: { cert: readPem('certificate', flags.cert), key: readPem('key', flags.key) }, certFile: resolve(flags.cert) };
}

/**
 * The banner's lines that make clients trust `certFile`: the variable each kind of client reads
 * (see TRUST_VARIABLES), and why a stored certificate was replaced, if it was.
 */
function trustLines(certFile: string, replaced: string | undefined): string {
  return [
    ...(replaced === undefined ? [] : [`# replaced the stored TLS certificate: ${replaced}; trust ${certFile} again where the old one was imported`]),
    '# trust its TLS certificate: AWS CLI, boto3, AWS SDK for Go: AWS_CA_BUNDLE; Node (AWS SDK for JS): NODE_EXTRA_CA_CERTS;',
    '# Go tools on Linux (mc, restic, rclone), OpenSSL-based tools, Python ssl, rustls-native-certs (polars): SSL_CERT_FILE;',
    '# Python requests: REQUESTS_CA_BUNDLE; curl: CURL_CA_BUNDLE; Java: import it into a trust store.',
    '# All but NODE_EXTRA_CA_CERTS replace the default roots: where a client also needs public sites, point them at a bundle of both.',
    envLines(trustVariables(certFile)),
  ].join('\n');
}

/** `export NAME=value` lines. */
function envLines(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}=${quoted(value)}`)
    .join('\n');
}

/** `1 234 bytes`, `1.2 KiB`, `3.4 MiB` …: a size a person reads at a glance. */
export function humanBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) [value, unit] = [value / 1024, unit + 1];
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** One line per seeded bucket: what it now holds from its directory, and what this start wrote. */
function seedLines(seeded: Emulator['seeded']): string {
  return seeded
    .map(({ bucket, dir, objects, bytes, written }) => `seeded ${bucket} from ${dir}: ${objects} object${objects === 1 ? '' : 's'}, ${humanBytes(bytes)} (${written} written, ${objects - written} already there)\n`)
    .join('');
}

/**
 * The buckets' variables, paste-safe: one `# bucket NAME` block per bucket in the order given,
 * the first with the plain S3_* names, every one with its S3_<BUCKET>_* names; no name twice,
 * so pasting the whole output leaves the plain names meaning the first bucket.
 */
function bucketBlocks(buckets: string[], emulator: Emulator, dataDirFlag: string | undefined): string {
  const all = bucketEnvironmentBlocks(buckets, (b) => emulator.env(b));
  // A gateway's output goes to a shared environment's logs: its secret keys are the ones its
  // configuration already holds, so it prints none of them.
  const blocks = emulator.backend
    ? all.map(({ bucket, variables }) => ({ bucket, variables: Object.fromEntries(Object.entries(variables).filter(([name]) => !name.endsWith('SECRET_KEY'))) }))
    : all;
  const secretsNote = emulator.backend && blocks.length > 0 ? '\n# Gateway mode prints no secret keys (its output goes to shared logs): each bucket\'s is in your configuration.\n' : '';
  // Gateway mode writes no credentials file for `credentials` to read.
  const another = dataDirFlag === undefined ? '' : `\n# For another bucket's plain names: smll-storage credentials${dataDirFlag} BUCKET`;
  const note = blocks.length > 1 ? `\n# The plain S3_* names are the first bucket's (${blocks[0].bucket}); every bucket also has S3_<BUCKET>_* names.${another}\n` : '';
  return secretsNote + note + blocks.map(({ bucket, variables }) => `\n# bucket ${bucket}\n${envLines(variables)}\n`).join('');
}

/** `smll-storage [serve]`: runs the emulator until SIGINT or SIGTERM. */
export async function serve(flags: ServeFlags, command: Command): Promise<void> {
  // The request log is best effort: a reader that goes away (`| head`, a closed terminal)
  // must not take the server down with EPIPE.
  process.stdout.on('error', () => {});
  const tlsFlags = tlsFromFlags(flags);
  // Loaded here, not at the top: `--help`, `credentials` and friends start without koa and SQLite.
  const { startEmulator } = await import('../emulator.js');
  const config = await configFromFlag(flags.config);
  // Typed flags override the config file; commander's defaults only fill what neither gives.
  const options = mergeWithConfig(
    config,
    {
      ...givenOnly(command, { port: flags.port, host: flags.host, region: flags.region, dataDir: flags.dataDir, durable: flags.durable, vhostDomain: flags.vhostDomain, seed: flags.seed }),
      ...givenOnly(command, { bucketsDir: flags.bucketsDir }),
      backend: backendFromFlags(flags, config),
      ...givenOnly(command, { sigv2: flags.sigv2, requestTimeout: flags.requestTimeout, logFormat: flags.logFormat, uploadExpiry: flags.uploadExpiry, temp: flags.temp, quiet: flags.quiet, dotenv: flags.dotenv }),
      ...givenOnly(command, { console: flags.console === 'on', consoleToken: flags.consoleToken }),
      ...(tlsFlags ? { tls: tlsFlags.option } : {}),
      ...bucketOptionsFromFlags(command, flags, config),
    },
    true,
  );
  const { temp, quiet, dotenv: dotenvFile, ...emulatorOptions } = options;
  const gateway = options.backend !== undefined;
  if (gateway && temp) throw new InvalidArgumentError('--temp has no use with --backend: gateway mode keeps no data dir');
  const port = options.port ?? flags.port;
  const host = options.host ?? flags.host;
  // Gateway mode has no data dir: one given anyway reaches startEmulator, which says why not.
  const dataDir = temp ? undefined : (options.dataDir ?? (gateway ? undefined : flags.dataDir));
  let emulator: Emulator;
  try {
    emulator = await startEmulator({
      ...emulatorOptions,
      port,
      host,
      dataDir,
      log: quiet ? undefined : (line) => process.stdout.write(`${line}\n`),
    });
  } catch (err) {
    throw startupProblem(err, { port, host });
  }
  const buckets = bucketsInOrder(options.buckets, emulator.buckets);
  try {
    // What `smll-storage credentials` reads: the database itself stays locked while we run.
    const warning = emulator.backend ? undefined : writeCredentialsFile(emulator.dataDir, buckets, (b) => emulator.credentials(b));
    if (warning) process.stderr.write(`smll-storage: warning: ${warning}\n`);
    if (dotenvFile) writePrivateFile(dotenvFile, dotenv(bucketEnvironment(buckets, (b) => emulator.env(b))));
  } catch (err) {
    await emulator.stop();
    throw err;
  }
  // Before anything is printed: whoever reads "Ready." may stop the server at once.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    process.stdout.write(`${signal}: stopping\n`);
    emulator.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // A closed terminal: the server goes with it, and a --temp data dir with the server.
  process.on('SIGHUP', stop);
  for (const bucket of emulator.replacedKeys) {
    process.stderr.write(`smll-storage: warning: bucket "${bucket}": its stored keys were replaced by the ones given; clients still using the old keys now get InvalidAccessKeyId.\n`);
  }
  const where = emulator.backend
    ? `backend: ${emulator.backend.type} at ${emulator.backend.endpoint} (gateway mode)`
    : `data in ${temp ? `${emulator.dataDir}, temporary: removed on exit` : emulator.dataDir}`;
  process.stdout.write(`smll-storage ${packageJson.version} listening on ${emulator.endpoint} (region ${emulator.region}, ${where})\n`);
  // A console token the operator gave stays out of the output (a gateway's goes to shared logs).
  const consoleShown = flags.consoleToken !== undefined ? emulator.consoleUrl?.replace(/\?token=.*$/, '?token=… (the --console-token given)') : emulator.consoleUrl;
  if (consoleShown) process.stdout.write(`console: ${consoleShown}\n`);
  process.stdout.write(seedLines(emulator.seeded));
  const certFile = tlsFlags?.certFile ?? emulator.certificate?.file;
  if (certFile) process.stdout.write(`\n${trustLines(certFile, emulator.certificate?.replaced)}\n`);
  if (buckets.length === 0) process.stdout.write(emulator.backend ? 'No buckets yet: add one with --bucket NAME=ACCESS_KEY:SECRET_KEY or --buckets-dir DIR.\n' : 'No buckets yet: add one with --bucket NAME.\n');
  // `credentials` reads the default data dir unless told another (a --temp one included).
  const dataDirFlag = emulator.backend ? undefined : !temp && resolve(emulator.dataDir) === resolve(DEFAULT_DATA_DIR) ? '' : ` --data-dir ${quoted(emulator.dataDir)}`;
  process.stdout.write(bucketBlocks(buckets, emulator, dataDirFlag));
  process.stdout.write('\nReady. Ctrl-C stops.\n');
}
