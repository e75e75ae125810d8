import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { mergeWithConfig } from '../config-file.js';
import type { BucketDefinition } from '../emulator.js';
import { bucketEnvironment, bucketsInOrder } from '../bucket-environment.js';
import { CREDENTIAL_FORMATS, dotenv, parseSecretName, quoted } from './credential-formats.js';
import { writeCredentialsFile, writePrivateFile } from './credentials-file.js';
import { configFromFlag, givenOnly, parseSeedFlag } from './emulator-flags.js';
import { parseDuration, parseTimeout } from './duration-flag.js';
import { bucketOptionsFromFlags, parseAllowFlag, type AllowFlags } from './bucket-flags.js';
import { parseCorsFlag } from './cors-flag.js';
import type { SigV2Policy } from '../auth/types.js';
import type { CorsRule } from '../http/cors.js';
import { LOG_FORMATS, type LogFormat } from '../http/request-log.js';
import { trustVariables } from '../tls.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** `NAME` or `NAME=ACCESS_KEY:SECRET_KEY` (the secret may itself contain `:`-free base64). */
export function parseBucketFlag(value: string, previous: BucketDefinition[] = []): BucketDefinition[] {
  const eq = value.indexOf('=');
  if (eq === -1) return [...previous, { name: value }];
  const name = value.slice(0, eq);
  const keys = value.slice(eq + 1);
  const colon = keys.indexOf(':');
  if (colon <= 0 || colon === keys.length - 1) {
    throw new InvalidArgumentError(`expected NAME or NAME=ACCESS_KEY:SECRET_KEY, got "${value}"`);
  }
  return [...previous, { name, accessKey: keys.slice(0, colon), secretKey: keys.slice(colon + 1) }];
}

/** `--log-format`: the request log as text lines (default) or one JSON object per line. */
function logFormatOption(): Option {
  return new Option('--log-format <format>', 'request log lines as text or one JSON object per line').choices(LOG_FORMATS);
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number 0..65535');
  return port;
}

interface ServeFlags {
  port: number;
  host: string;
  region: string;
  dataDir: string;
  temp?: boolean;
  durable?: boolean;
  bucket: BucketDefinition[];
  vhostDomain?: string;
  quiet?: boolean;
  allow: AllowFlags;
  cors: Record<string, CorsRule[]>;
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
}

/** `--tls` alone: the data dir's certificate from a local CA; `--cert/--key` (both, implying --tls): the operator's own. */
function tlsOption(flags: ServeFlags): { option: boolean | { cert: string; key: string }; certFile?: string } {
  if ((flags.cert === undefined) !== (flags.key === undefined)) {
    throw new InvalidArgumentError('--cert and --key go together: give both, or neither (--tls alone generates a certificate and a local CA)');
  }
  if (flags.cert === undefined || flags.key === undefined) return { option: flags.tls === true };
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

/** Shell lines that give a service a bucket's credentials, as SMLL links them. */
function envLines(env: Record<string, string>): string {
  return Object.entries(env)
    .map(([name, value]) => `export ${name}=${quoted(value)}`)
    .join('\n');
}

async function serve(flags: ServeFlags, command: Command): Promise<void> {
  // The request log is best effort: a reader that goes away (`| head`, a closed terminal)
  // must not take the server down with EPIPE.
  process.stdout.on('error', () => {});
  const tls = tlsOption(flags);
  // Loaded here, not at the top: `--help`, `credentials` and friends start without koa and SQLite.
  const { startEmulator } = await import('../emulator.js');
  const config = await configFromFlag(flags.config);
  // Typed flags override the config file; commander's defaults only fill what neither gives.
  const options = mergeWithConfig(
    config,
    {
      ...givenOnly(command, { port: flags.port, host: flags.host, region: flags.region, dataDir: flags.dataDir, durable: flags.durable, vhostDomain: flags.vhostDomain, seed: flags.seed }),
      ...givenOnly(command, { sigv2: flags.sigv2, requestTimeout: flags.requestTimeout, logFormat: flags.logFormat }),
      ...bucketOptionsFromFlags(command, flags, config),
    },
    true,
  );
  const emulator = await startEmulator({
    ...options,
    port: options.port ?? flags.port,
    host: options.host ?? flags.host,
    region: options.region ?? flags.region,
    dataDir: flags.temp ? undefined : (options.dataDir ?? flags.dataDir),
    log: flags.quiet ? undefined : (line) => process.stdout.write(`${line}\n`),
    tls: tls.option,
    ...(flags.uploadExpiry === undefined ? {} : { uploadExpiry: flags.uploadExpiry }),
  });
  try {
    // What `smll-storage credentials` reads: the database itself stays locked while we run.
    const warning = flags.temp ? undefined : writeCredentialsFile(emulator.dataDir, emulator.buckets, (b) => emulator.credentials(b));
    if (warning) process.stderr.write(`smll-storage: warning: ${warning}\n`);
    if (flags.dotenv) writePrivateFile(flags.dotenv, dotenv(bucketEnvironment(bucketsInOrder(options.buckets, emulator.buckets), (b) => emulator.env(b))));
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
  const where = flags.temp ? 'a temporary data dir' : emulator.dataDir;
  process.stdout.write(`smll-storage ${packageJson.version} listening on ${emulator.endpoint} (region ${emulator.region}, data in ${where})\n`);
  const certFile = tls.certFile ?? emulator.certificate?.file;
  if (certFile) process.stdout.write(`\n${trustLines(certFile, emulator.certificate?.replaced)}\n`);
  if (emulator.buckets.length === 0) {
    process.stdout.write('No buckets yet: add one with --bucket NAME.\n');
  }
  for (const bucket of emulator.buckets) {
    process.stdout.write(`\n# bucket ${bucket}\n${envLines({ ...emulator.env(bucket) })}\n`);
  }
  process.stdout.write('\nReady. Ctrl-C stops.\n');

}

const REQUEST_TIMEOUT_HELP =
  "answer S3's RequestTimeout and close when headers take this long or a body is idle this long, e.g. 20s, 500ms; " +
  'bodies must also average 1 KiB/s over 3 × this; 0 disables (default 20s)';

export function buildProgram(): Command {
  const program = new Command('smll-storage')
    .description('Local emulator of SMLL object storage: the S3 API that SMLL bucket credentials grant, and the same refusals.')
    .version(packageJson.version);

  program
    .command('serve', { isDefault: true })
    .description('run the emulator (the default command)')
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', parsePort, 9444)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--region <region>', 'the region buckets report and SigV4 scopes must name', 'us-east-1')
    .option('--data-dir <dir>', 'where buckets, credentials and objects persist', '.smll-storage')
    .option('--temp', 'use a throw-away data dir, removed on exit')
    .option('--durable', 'fsync every write before acknowledging it (survives power loss)')
    .option('--upload-expiry <age>', 'delete incomplete multipart uploads and their parts after this age, e.g. 90m, 24h, 7d (default 24h)', parseDuration)
    .option('--request-timeout <duration>', REQUEST_TIMEOUT_HELP, parseTimeout)
    .option('-b, --bucket <name[=ACCESS_KEY:SECRET_KEY]>', 'provision a bucket (repeatable); keys are generated when omitted', parseBucketFlag, [])
    .option('--vhost-domain <domain>', 'also accept virtual-host-style BUCKET.<domain> (BUCKET.localhost always works)')
    .option(
      '--allow <[BUCKET=]ACTION>',
      'grant an IAM action beyond the five (repeatable), e.g. s3:AbortMultipartUpload; BUCKET= limits it to one bucket',
      parseAllowFlag,
      { everyBucket: [], byBucket: [] },
    )
    .option('--cors <BUCKET=FILE>', "the bucket's CORS rules, from a JSON file of S3 CORSRules (repeatable)", parseCorsFlag, {})
    .addOption(
      new Option('--sigv2 <mode>', 'SigV2 presigned URLs (boto3\'s default in us-east-1): accept (with a logged warning) or reject')
        .choices(['accept', 'reject'])
        .default('accept'),
    )
    .option('--tls', 'serve https with a certificate for 127.0.0.1/localhost from a local CA (DIR/tls/ca.pem: trust that), kept in the data dir')
    .option('--cert <file>', 'serve https with this PEM certificate or chain (with --key)')
    .option('--key <file>', 'the PEM private key of --cert')
    .option('-q, --quiet', 'do not log requests')
    .addOption(logFormatOption())
    .option('-c, --config <file>', 'config file (default: smll-storage.config.json, .mjs or .js in the working directory, if any)')
    .option('--seed <BUCKET=DIR>', 'upload the files under DIR into BUCKET at start (repeatable)', parseSeedFlag)
    // Not `--env-file`: Node 20 takes that flag for itself wherever it appears on its command line.
    .option('--dotenv <path>', 'also write the S3_* variables to this .env file (mode 600)')
    .action(serve);

  program
    .command('exec')
    .description('start an emulator, run a command with the buckets\' S3_* variables, stop, exit with its status')
    .usage('[options] -- <command...>')
    .argument('<command...>', 'the command and its arguments, after --')
    .option('-b, --bucket <name[=ACCESS_KEY:SECRET_KEY]>', 'provision a bucket (repeatable)', parseBucketFlag, [])
    .option('-c, --config <file>', 'config file (default: smll-storage.config.json, .mjs or .js in the working directory, if any)')
    .option('--seed <BUCKET=DIR>', 'upload the files under DIR into BUCKET at start (repeatable)', parseSeedFlag)
    .option('--region <region>', 'the region buckets report', 'us-east-1')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('-p, --port <port>', 'port to listen on; 0 picks a free one', parsePort, 0)
    .option('--data-dir <dir>', 'keep data in this directory (default: a throw-away one)')
    .option('--allow <[BUCKET=]ACTION>', 'grant an IAM action beyond the five (repeatable); BUCKET= limits it to one bucket', parseAllowFlag, {
      everyBucket: [],
      byBucket: [],
    })
    .option('--cors <BUCKET=FILE>', "the bucket's CORS rules, from a JSON file of S3 CORSRules (repeatable)", parseCorsFlag, {})
    .option('--tls', 'serve https from a local CA; the command gets AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE')
    .option('--request-timeout <duration>', REQUEST_TIMEOUT_HELP, parseTimeout)
    .option('--log', 'log requests to stderr')
    .addOption(logFormatOption())
    .action(async (argv: string[], flags, command: Command) => (await import('./exec.js')).execWithEmulator(argv, flags, command));

  program
    .command('credentials')
    .description('print a bucket\'s credentials from a data dir, as serve last wrote them')
    .argument('<bucket>')
    .addOption(new Option('-f, --format <format>', 'env (shell exports), dotenv, json or k8s (a v1 Secret manifest)').choices(CREDENTIAL_FORMATS).default('env'))
    .option('--data-dir <dir>', 'the data dir serve uses', '.smll-storage')
    .option('--name <name>', 'metadata.name of the k8s Secret (default: BUCKET-credentials)', parseSecretName)
    .action(async (bucket: string, flags) => (await import('./credentials.js')).printCredentials(bucket, flags));
  return program;
}

buildProgram()
  .parseAsync(process.argv)
  .catch((err: unknown) => {
    process.stderr.write(`smll-storage: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
