import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { BucketDefinition } from '../emulator.js';
import { closest } from '../suggest.js';
import { CONDITIONAL_WRITE_MODES } from '../backend.js';
import { parseBackendEndpoint } from './backend-flags.js';
import { parseAllowFlag } from './bucket-flags.js';
import { parseCorsFlag } from './cors-flag.js';
import { CREDENTIAL_FORMATS } from '../credential-formats.js';
import { DEFAULT_DATA_DIR } from './credentials-file.js';
import { parseDuration, parseTimeout } from './duration-flag.js';
import { parseSeedFlag } from './emulator-flags.js';
import { LOG_FORMATS } from '../http/request-log.js';

/** `--log-format`: the request log as text lines (default) or one JSON object per line. */
function logFormatOption(): Option {
  return new Option('--log-format <format>', 'request log lines as text or one JSON object per line').choices(LOG_FORMATS);
}

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

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError('expected a port number 0..65535');
  return port;
}

const REQUEST_TIMEOUT_HELP =
  "answer S3's RequestTimeout and close when headers take this long or a body is idle this long, e.g. 20s, 500ms; " +
  'bodies must also average 1 KiB/s over 3 × this; 0 disables (default 20s)';

const CONFIG_HELP = 'config file (default: smll-storage.config.json, .mjs or .js in the working directory, if any)';

/** The commands, without running them: `main.ts` parses the process's arguments with it, tests read its options. */
export function buildProgram(): Command {
  const program = new Command('smll-storage')
    .description('Local emulator of SMLL object storage: the S3 API that SMLL bucket credentials grant, and the same refusals.')
    .usage('[serve] [options] | exec [options] -- <command...> | credentials [options] [bucket]')
    .version(packageJson.version)
    // Options belong to the command they follow, so `exec … -- cmd -c x` never reads the child's -c.
    .enablePositionalOptions();

  const serveCommand = program
    .command('serve', { isDefault: true })
    .description('run the emulator (the default command)')
    // An unknown command reaches the default command as an argument: said in the action.
    .allowExcessArguments()
    .option('-p, --port <port>', 'port to listen on (0 picks a free one)', parsePort, 9444)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--region <region>', 'the region buckets report and SigV4 scopes must name', 'us-east-1')
    .option('--data-dir <dir>', 'where buckets, credentials and objects persist', DEFAULT_DATA_DIR)
    .option('--temp', 'use a throw-away data dir, removed on exit')
    .option('--durable', 'fsync every write before acknowledging it (survives power loss)')
    .option('--upload-expiry <age>', 'delete incomplete multipart uploads and their parts after this age, e.g. 90m, 24h, 7d (default 24h)', parseDuration)
    .option('--request-timeout <duration>', REQUEST_TIMEOUT_HELP, parseTimeout)
    .option('-b, --bucket <name[=ACCESS_KEY:SECRET_KEY]>', 'provision a bucket (repeatable; the first one gets the plain S3_* names); keys are generated when omitted', parseBucketFlag)
    .option('--buckets-dir <dir>', 'also provision the buckets of a directory of mounted SMLL bucket Secrets: one subdirectory per bucket, named after it, holding ACCESS_KEY, SECRET_KEY, ENDPOINT, REGION')
    .addOption(new Option('--backend <type>', 'gateway mode: keep objects in an existing S3 service (no data dir); its credentials from SMLL_BACKEND_ACCESS_KEY and SMLL_BACKEND_SECRET_KEY').choices(['s3']))
    .option('--backend-endpoint <url>', "with --backend s3: the backend's URL, e.g. http://minio.storage:9000", parseBackendEndpoint)
    .option('--backend-region <region>', "with --backend s3: the backend's region (MinIO: us-east-1)")
    .option('--backend-bucket-prefix <prefix>', 'with --backend s3: backend bucket = PREFIX + bucket name (default none)')
    .addOption(
      new Option('--backend-conditional-writes <mode>', 'with --backend s3: require (default: refuse to start on a backend without them) or off (answer 501 to If-Match/If-None-Match writes)').choices(
        CONDITIONAL_WRITE_MODES,
      ),
    )
    .option('--vhost-domain <domain>', 'also accept virtual-host-style BUCKET.<domain> (BUCKET.localhost always works)')
    .option('--allow <[BUCKET=]ACTION>', 'grant an IAM action beyond the five (repeatable), e.g. s3:AbortMultipartUpload; BUCKET= limits it to one bucket', parseAllowFlag)
    .option('--cors <BUCKET=FILE>', "the bucket's CORS rules, from a JSON file of S3 CORSRules (repeatable)", parseCorsFlag)
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
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--seed <BUCKET=DIR>', 'upload the files under DIR into BUCKET at start (repeatable)', parseSeedFlag)
    // Not `--env-file`: Node 20 takes that flag for itself wherever it appears on its command line.
    .option('--dotenv <path>', 'also write the S3_* variables to this .env file (mode 600)')
    .addOption(new Option('--console <mode>', 'the web console at /_smll/ (credentials, object browser, live request log): on or off').choices(['on', 'off']).default('on'))
    .option('--console-token <token>', 'the token that opens the console from any Host (required, and generated when not given, with a non-loopback --host)')
    .action(async (flags, command: Command) => {
      const [unknown] = command.args;
      if (unknown !== undefined) {
        const names = program.commands.map((c) => c.name());
        const suggestion = closest(unknown, names);
        throw new InvalidArgumentError(
          `unknown command "${unknown}"${suggestion ? ` (did you mean ${suggestion}?)` : ''}: the commands are ${names.join(', ')}; smll-storage --help says more.`,
        );
      }
      return (await import('./serve.js')).serve(flags, command);
    });

  // `--help` without a command: serve is what runs, so its options are what a reader needs.
  program.addHelpText('after', () => {
    const serveHelp = serveCommand.helpInformation();
    return `\nserve's options (smll-storage [serve] [options]):\n${serveHelp.slice(serveHelp.indexOf('Options:') + 'Options:'.length + 1)}`;
  });

  program
    .command('exec')
    .description('start an emulator, run a command with the buckets\' S3_* variables, stop, exit with its status')
    .usage('[options] -- <command...>')
    .argument('<command...>', 'the command and its arguments, after -- (options after the command are its own)')
    // Option parsing stops at the command: `exec --bucket b python -c …` passes -c to python.
    .passThroughOptions()
    .option('-b, --bucket <name[=ACCESS_KEY:SECRET_KEY]>', 'provision a bucket (repeatable; the first one gets the plain S3_* names)', parseBucketFlag)
    .option('-c, --config <file>', CONFIG_HELP)
    .option('--seed <BUCKET=DIR>', 'upload the files under DIR into BUCKET at start (repeatable)', parseSeedFlag)
    .option('--region <region>', 'the region buckets report', 'us-east-1')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('-p, --port <port>', 'port to listen on; 0 picks a free one', parsePort, 0)
    .option('--data-dir <dir>', 'keep data in this directory (default: a throw-away one)')
    .option('--allow <[BUCKET=]ACTION>', 'grant an IAM action beyond the five (repeatable); BUCKET= limits it to one bucket', parseAllowFlag)
    .option('--cors <BUCKET=FILE>', "the bucket's CORS rules, from a JSON file of S3 CORSRules (repeatable)", parseCorsFlag)
    .option('--tls', 'serve https from a local CA; the command gets AWS_CA_BUNDLE, NODE_EXTRA_CA_CERTS, SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE')
    .option('--request-timeout <duration>', REQUEST_TIMEOUT_HELP, parseTimeout)
    .option('--log', 'log requests to stderr')
    .addOption(logFormatOption())
    .action(async (argv: string[], flags, command: Command) => (await import('./exec.js')).execWithEmulator(argv, flags, command));

  program
    .command('credentials')
    .description('print a bucket\'s credentials from a data dir, as serve last wrote them')
    .argument('[bucket]', 'which bucket (may be left out when the data dir has only one)')
    .addOption(
      new Option('-f, --format <format>', 'env (shell exports), dotenv, json, k8s (a v1 Secret manifest), aws (a profile for ~/.aws/credentials and ~/.aws/config), aws-env (AWS_* exports)')
        .choices(CREDENTIAL_FORMATS)
        .default('env'),
    )
    .option('--data-dir <dir>', 'the data dir serve uses', DEFAULT_DATA_DIR)
    .option('--name <name>', 'with -f k8s: the Secret\'s metadata.name (default: BUCKET-credentials); with -f aws: the profile name (default: BUCKET)')
    .action(async (bucket: string | undefined, flags) => (await import('./credentials.js')).printCredentials(bucket, flags));
  return program;
}
