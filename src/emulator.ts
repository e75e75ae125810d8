import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { envOfCredentials, type BucketCredentials, type BucketEnv } from './bucket-credentials.cjs';
import { bucketNameProblem, generateAccessKey, generateSecretKey } from './buckets.js';
import { bucketsInOrder } from './bucket-environment.js';
import { assertBackendOptions, s3BackendOptions, type BackendOptions } from './backend.js';
import { readBucketsDir, type BucketSecret } from './buckets-dir.js';
import { consoleBucket } from './console-buckets.js';
import { consoleAccessFor } from './http/console-security.js';
import type { SigV2Policy } from './auth/types.js';
import { createApp } from './http/app.js';
import { parseCorsRules } from './http/cors.js';
import { SMLL_GRANTED_ACTIONS } from './operations/table.js';
import { isIamAction, type IamAction } from './s3/iam-actions.js';
import { prepareDataDir, removePartialWrites, SqliteStore, type BucketRecord, type Store } from './store/index.js';
import { seedBucket, type SeedSummary } from './seed.js';
import { DataDirInUseError, isDataDirInUse, readPidFile, removePidFile, writePidFile } from './data-dir-lock.js';
import { localCaTls } from './tls.js';
import { createS3Server } from './http/server.js';
import { LOG_FORMATS, createLogger, type LogFormat } from './http/request-log.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, assertValidRequestTimeout } from './http/request-timeout.js';
import { DEFAULT_UPLOAD_EXPIRY_MS, assertValidUploadExpiry, startUploadExpiry } from './upload-expiry.js';

export interface BucketDefinition {
  name: string;
  /** Generated (and persisted) when missing. */
  accessKey?: string;
  secretKey?: string;
  /** IAM actions this bucket's credential may do beyond SMLL's five (e.g. `s3:AbortMultipartUpload`). */
  allow?: string[];
  /**
   * CORS rules: a list of S3 CORSRule objects (`CorsRule[]`) or `{ CORSRules: [...] }`; preflights
   * and response headers as S3 answers them. Typed loosely because config files pass JSON through;
   * startEmulator rejects invalid rules naming the bucket, the rule and the problem.
   */
  cors?: unknown;
}

export interface EmulatorOptions {
  /** Buckets to provision; buckets already in a persistent data dir are served too. */
  buckets?: Array<string | BucketDefinition>;
  /**
   * More buckets, from a directory of mounted SMLL bucket Secrets: one subdirectory per bucket,
   * named after it, holding the files ACCESS_KEY, SECRET_KEY, ENDPOINT and REGION. A bucket also
   * in `buckets` takes its keys from here and its `allow` and `cors` from there.
   */
  bucketsDir?: string;
  /**
   * Gateway mode: keep every object in this S3 service instead of a data dir (see README,
   * "Shared environments"). Buckets and their keys then come from the configuration only
   * (`buckets` with keys, `bucketsDir`), so that gateways started alike are interchangeable;
   * `dataDir`, `durable` and `tls: true` have no place.
   */
  backend?: BackendOptions;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** Default us-east-1. */
  region?: string;
  /** Unset: a fresh temporary directory, removed on stop(). */
  dataDir?: string;
  /** fsync every write before acknowledging it (power-loss safety). */
  durable?: boolean;
  /** Domain under which `BUCKET.<domain>` is virtual-host-style addressing (`localhost` always is). */
  vhostDomain?: string;
  /**
   * Receives one line per request (time, request id, operation, bucket/key, status, S3 error
   * code, duration) and notices (warnings, faults); unset: silent.
   */
  log?: (line: string) => void;
  /** `text` (default): one readable line each; `json`: one JSON object per line. */
  logFormat?: LogFormat;
  /** Age (ms) after which an incomplete multipart upload is deleted with its parts; default 24 h. */
  uploadExpiry?: number;
  /** Bucket name → directory: each file under it is uploaded at start (key = relative path, `/`-separated; content type from its name). */
  seed?: Record<string, string>;
  /** IAM actions every served bucket's credential may do beyond SMLL's five. */
  allow?: string[];
  /** SigV2 presigned URLs (boto3's default in us-east-1): accepted with a logged warning, or refused. Default accept. */
  sigv2?: SigV2Policy;
  /**
   * Serve https: `true` uses a certificate for localhost, 127.0.0.1, ::1 (and `host`, `vhostDomain`
   * and `*.vhostDomain`) signed by a local CA, both generated once per data dir (`<dataDir>/tls/`;
   * clients trust `ca.pem`, see `certificate`); or give a PEM certificate (chain) and key.
   */
  tls?: boolean | { cert: string; key: string };
  /**
   * Milliseconds a client may take to send a request's headers, and a request body may go without
   * a byte, before S3's `400 RequestTimeout` and a closed connection; a body must also average
   * 1 KiB/s over each window of 3 × this. Default 20000 (S3's); 0 disables all three.
   */
  requestTimeout?: number;
  /** The web console at `<endpoint>/_smll/` (Credentials tab, object browser, live request log); default true. */
  console?: boolean;
  /**
   * The console's token: with it, a request may use the console whatever its Host. Required (and
   * generated when not given: 32 hex characters, in `consoleUrl`) when `host` is not a loopback
   * address; on a loopback host loopback Hosts need none. Letters, digits, `.`, `_`, `~`, `-`.
   */
  consoleToken?: string;
}

export interface Emulator {
  endpoint: string;
  region: string;
  port: number;
  host: string;
  /**
   * The data dir. Undefined in gateway mode, which keeps nothing locally: startEmulator called
   * with `backend` returns a GatewayEmulator, typed so; with options whose `backend` may or may
   * not be set, check `backend` before using this.
   */
  dataDir: string;
  /** Gateway mode: the S3 service the objects are kept in. */
  backend?: { type: 's3'; endpoint: string };
  /**
   * With `tls`: the PEM certificate clients must trust (with `tls: true`, the data dir's local CA;
   * else the given certificate) and, with `tls: true`, the file that holds it; `replaced` says why
   * a stored certificate was replaced at this start (clients that imported it must trust `file` again).
   */
  certificate?: { pem: string; file?: string; replaced?: string };
  /** Names of the buckets served. */
  buckets: string[];
  /** The web console's URL (`<endpoint>/_smll/`, with `?token=` when the console needs one); undefined with `console: false`. */
  consoleUrl?: string;
  /**
   * Buckets whose stored keys this start replaced with the different ones their definitions give
   * (a persistent data dir): clients holding the old keys now get InvalidAccessKeyId.
   */
  replacedKeys: string[];
  /** What `seed` put in each bucket, in the order given. */
  seeded: Array<SeedSummary & { bucket: string; dir: string }>;
  credentials(bucket: string): BucketCredentials;
  env(bucket: string): BucketEnv;
  /** Empties every bucket (keeps buckets and credentials): test isolation. Resolves once they are empty. */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

/** An emulator in gateway mode (`backend`): no data dir. */
export interface GatewayEmulator extends Omit<Emulator, 'dataDir' | 'backend'> {
  dataDir: undefined;
  backend: { type: 's3'; endpoint: string };
}

/** The names as IAM actions; throws unless every one is an action of the operation table (a typo would grant nothing, silently). */
function iamActionsOf(names: readonly string[], where: string): IamAction[] {
  return names.map((name) => {
    if (!isIamAction(name)) {
      throw new Error(`${where}: unknown IAM action "${name}"; known actions are those of the operation table (e.g. s3:AbortMultipartUpload).`);
    }
    return name;
  });
}

/** A bucket definition as checked: its grants are IAM actions. */
type CheckedDefinition = Omit<BucketDefinition, 'allow'> & { allow: IamAction[] };

/** Throws at the first definition that is not valid, naming the bucket and the problem. */
function validateDefinitions(definitions: BucketDefinition[]): CheckedDefinition[] {
  const seen = new Set<string>();
  return definitions.map((definition) => {
    const { name, accessKey, secretKey, allow, cors } = definition;
    const problem = bucketNameProblem(name);
    if (problem) throw new Error(`Invalid bucket name "${name}": a bucket name ${problem}.`);
    if (seen.has(name)) throw new Error(`Bucket "${name}" is given twice.`);
    seen.add(name);
    if ((accessKey === undefined) !== (secretKey === undefined)) {
      throw new Error(`Bucket "${name}": give both an access key and a secret key, or neither.`);
    }
    if (accessKey !== undefined && !/^[A-Za-z0-9]{3,128}$/.test(accessKey)) {
      throw new Error(`Bucket "${name}": an access key id is 3 to 128 letters and digits.`);
    }
    const granted = iamActionsOf(allow ?? [], `Bucket "${name}"`);
    if (cors !== undefined) parseCorsRules(cors, `Bucket "${name}" cors`);
    return { ...definition, allow: granted };
  });
}

/**
 * The buckets of a buckets dir joined with the ones named otherwise: a bucket in both takes its
 * keys from its Secret and its grants and CORS rules from its definition.
 * @throws Error when a definition gives a bucket of the dir other keys.
 */
function withSecrets(secrets: BucketSecret[], definitions: BucketDefinition[]): BucketDefinition[] {
  const joined: BucketDefinition[] = secrets.map(({ name, accessKey, secretKey }) => ({ name, accessKey, secretKey }));
  for (const definition of definitions) {
    const fromSecret = joined.find((d) => d.name === definition.name);
    if (!fromSecret) {
      joined.push(definition);
      continue;
    }
    if (definition.accessKey !== undefined && (definition.accessKey !== fromSecret.accessKey || definition.secretKey !== fromSecret.secretKey)) {
      throw new Error(`Bucket "${definition.name}": its keys are given twice and differ (bucketsDir and buckets): give them in one place.`);
    }
    Object.assign(fromSecret, { ...definition, accessKey: fromSecret.accessKey, secretKey: fromSecret.secretKey });
  }
  return joined;
}

/**
 * The region served: `region`, else the buckets dir's (every Secret must name the one served).
 * @throws Error naming the bucket whose REGION differs.
 */
function regionServed(region: string | undefined, secrets: BucketSecret[]): string {
  const served = region ?? secrets[0]?.region ?? 'us-east-1';
  for (const secret of secrets) {
    if (secret.region !== served) {
      throw new Error(
        `Bucket "${secret.name}": ${secret.dir}/REGION is "${secret.region}", but the region served is "${served}" (${region === undefined ? `${secrets[0].dir}/REGION` : 'region'}): one region for every bucket.`,
      );
    }
  }
  return served;
}

/**
 * Gateway mode's own rules, before anything is opened: N gateways started alike must be
 * interchangeable, so nothing may be generated or kept per process.
 * @throws Error naming the option that has no place, or the bucket without keys.
 */
function assertGatewayOptions(options: EmulatorOptions, definitions: CheckedDefinition[]): void {
  const local: Array<[boolean, string]> = [
    [options.dataDir !== undefined, 'dataDir (--data-dir): gateway mode keeps every object and upload in the backend, no data dir'],
    [options.durable === true, 'durable (--durable): durability is the backend\'s'],
    [options.tls === true, 'tls: true (--tls) keeps a local CA in the data dir, which gateway mode has none of: give tls: { cert, key } (--cert and --key), the same for every gateway'],
  ];
  for (const [given, why] of local) if (given) throw new Error(`backend: ${why}.`);
  for (const definition of definitions) {
    if (definition.accessKey === undefined) {
      throw new Error(
        `Bucket "${definition.name}": gateway mode takes a bucket's keys from the configuration (NAME=ACCESS_KEY:SECRET_KEY, accessKey and secretKey, or bucketsDir): keys generated here would differ from one gateway to the next.`,
      );
    }
  }
}

/**
 * Creates or updates the buckets named at start; keys missing from a definition are kept or
 * generated. A bucket that is already as defined is not written: a restart on a full disk must
 * come up (and a write there would fail). Returns the buckets whose stored keys were replaced.
 */
async function provisionBuckets(store: Store, definitions: BucketDefinition[], region: string): Promise<string[]> {
  const replaced: string[] = [];
  for (const definition of definitions) {
    const existing = await store.getBucket(definition.name);
    const accessKey = definition.accessKey ?? existing?.accessKey ?? generateAccessKey();
    const owner = await store.findBucketByAccessKey(accessKey);
    if (owner && owner.name !== definition.name) {
      throw new Error(`Access key ${accessKey} already belongs to bucket "${owner.name}": each bucket has its own credentials.`);
    }
    const secretKey = definition.secretKey ?? existing?.secretKey ?? generateSecretKey();
    if (existing?.accessKey === accessKey && existing.secretKey === secretKey && existing.region === region) continue;
    if (existing && (existing.accessKey !== accessKey || existing.secretKey !== secretKey)) replaced.push(definition.name);
    await store.upsertBucket({ name: definition.name, accessKey, secretKey, region });
  }
  return replaced;
}

/**
 * Temporary data dirs of emulators not stopped yet. A process that exits without stop() (a test
 * runner interrupted in watch mode, `process.exit` in a script) removes them on its way out, so
 * that no throw-away dir (8 MiB of space reserve each) outlives it; a SIGKILL still can.
 */
const tempDirsToRemove = new Set<string>();

function removeAtExit(dir: string): void {
  if (!process.listeners('exit').includes(removeTempDirsNow)) process.on('exit', removeTempDirsNow);
  tempDirsToRemove.add(dir);
}

function removeTempDirsNow(): void {
  for (const dir of tempDirsToRemove) rmSync(dir, { recursive: true, force: true });
  tempDirsToRemove.clear();
}

function removeTempDir(dir: string): void {
  tempDirsToRemove.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/**
 * Starts an emulator: opens (or creates) the data dir, or with `backend` opens the S3 backend
 * (rejecting with what to fix when it is unreachable, refuses the credentials or lacks
 * conditional writes), provisions buckets, listens.
 */
export async function startEmulator(options: EmulatorOptions & { backend: BackendOptions }): Promise<GatewayEmulator>;
export async function startEmulator(options?: EmulatorOptions): Promise<Emulator>;
export async function startEmulator(options: EmulatorOptions = {}): Promise<Omit<Emulator, 'dataDir'> & { dataDir: string | undefined }> {
  const host = options.host ?? '127.0.0.1';
  const secrets = options.bucketsDir === undefined ? [] : readBucketsDir(resolve(options.bucketsDir));
  const region = regionServed(options.region, secrets);
  const definitions = validateDefinitions(withSecrets(secrets, (options.buckets ?? []).map((b) => (typeof b === 'string' ? { name: b } : b))));
  const backend = options.backend;
  if (backend !== undefined) {
    assertBackendOptions(backend, 'backend');
    assertGatewayOptions(options, definitions);
  }
  const allowedToAll = iamActionsOf(options.allow ?? [], 'allow');
  if (options.sigv2 !== undefined && options.sigv2 !== 'accept' && options.sigv2 !== 'reject') {
    throw new Error(`sigv2 must be "accept" or "reject", not "${String(options.sigv2)}".`);
  }
  const uploadExpiry = options.uploadExpiry ?? DEFAULT_UPLOAD_EXPIRY_MS;
  assertValidUploadExpiry(uploadExpiry);
  const requestTimeout = options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS;
  assertValidRequestTimeout(requestTimeout);

  if (options.logFormat !== undefined && !LOG_FORMATS.includes(options.logFormat)) {
    throw new Error(`logFormat must be one of ${LOG_FORMATS.join(', ')}, got ${JSON.stringify(options.logFormat)}.`);
  }
  if (options.console !== undefined && typeof options.console !== 'boolean') {
    throw new Error(`console must be true or false, not ${JSON.stringify(options.console)}.`);
  }
  if (options.consoleToken !== undefined && !/^[A-Za-z0-9._~-]{1,256}$/.test(options.consoleToken)) {
    throw new Error('consoleToken must be 1 to 256 letters, digits, ".", "_", "~" and "-" (it goes in a URL and a cookie).');
  }
  // Off loopback, anyone who can reach the port could read the credentials: only the token opens the console.
  const consoleAccess = options.console === false ? undefined : consoleAccessFor(host, options.consoleToken);

  const started = new Date();
  const temporary = backend === undefined && options.dataDir === undefined;
  let dataDir: string | undefined;
  let store: Store;
  if (backend !== undefined) {
    // Loaded only here: SQLite mode starts without the AWS SDK.
    const { openS3Store } = await import('./store/s3-backend/index.js');
    store = await openS3Store(s3BackendOptions(backend, definitions.map((d) => d.name)));
  } else {
    const dir = temporary ? mkdtempSync(join(tmpdir(), 'smll-storage-')) : resolve(options.dataDir!);
    if (temporary) removeAtExit(dir);
    prepareDataDir(dir);
    try {
      store = SqliteStore.open({ dataDir: dir, durable: options.durable });
    } catch (err) {
      if (temporary) removeTempDir(dir);
      throw isDataDirInUse(err) ? new DataDirInUseError(dir, readPidFile(dir), { cause: err }) : err;
    }
    if (!temporary) writePidFile(dir, started);
    dataDir = dir;
  }
  const logger = options.log && createLogger(options.log, options.logFormat);
  const stopUploadExpiry = startUploadExpiry(store, uploadExpiry, logger);

  let buckets: BucketRecord[] = [];
  const discard = async () => {
    stopUploadExpiry();
    await store.close();
    if (dataDir === undefined) return;
    removePartialWrites(dataDir);
    if (temporary) removeTempDir(dataDir);
    else removePidFile(dataDir, started);
  };
  let replacedKeys: string[];
  const seeded: Emulator['seeded'] = [];
  try {
    replacedKeys = await provisionBuckets(store, definitions, region);
    for (const [bucket, dir] of Object.entries(options.seed ?? {})) seeded.push({ bucket, dir, ...(await seedBucket(store, bucket, dir)) });
    // Buckets change only here, at start: the emulator's own answers (buckets, credentials, env) read this list.
    buckets = await store.listBuckets();
  } catch (err) {
    await discard();
    throw err;
  }

  // Grants are per invocation (not persisted): a bucket gets SMLL's five, what `allow` adds for
  // every bucket, and what its own definition adds.
  const grantedToAll = new Set([...SMLL_GRANTED_ACTIONS, ...allowedToAll]);
  const grantedByBucket = new Map(
    definitions.filter((d) => d.allow.length).map((d) => [d.name, new Set([...grantedToAll, ...d.allow])] as const),
  );
  // CORS rules, like grants, come with this invocation's bucket definitions.
  const corsByBucket = new Map(
    definitions.filter((d) => d.cors !== undefined).map((d) => [d.name, parseCorsRules(d.cors, `Bucket "${d.name}" cors`)] as const),
  );
  const grantedTo = (bucket: string) => grantedByBucket.get(bucket) ?? grantedToAll;
  const app = createApp({
    store,
    region,
    vhostDomains: ['localhost', ...(options.vhostDomain ? [options.vhostDomain.toLowerCase()] : [])],
    grantedActions: grantedTo,
    corsRules: (bucket) => corsByBucket.get(bucket),
    log: logger,
    sigv2: options.sigv2 ?? 'accept',
    requestTimeout,
    console: consoleAccess && { ...consoleAccess, buckets: () => consoleBuckets() },
  });
  let tls: { cert: string; key: string } | undefined;
  let certificate: Emulator['certificate'];
  let server: Server;
  try {
    if (options.tls === true) {
      // Gateway mode, which has no data dir, refused `tls: true` before it started.
      const generated = await localCaTls(dataDir!, { host, vhostDomain: options.vhostDomain });
      tls = generated;
      certificate = { pem: generated.ca, file: generated.caFile, ...(generated.replaced === undefined ? {} : { replaced: generated.replaced }) };
    } else if (options.tls) {
      tls = options.tls;
      certificate = { pem: options.tls.cert, file: undefined };
    }
    server = createS3Server(app.callback(), { requestTimeout, tls, log: logger });
  } catch (err) {
    await discard();
    throw err;
  }
  try {
    await new Promise<void>((resolveListen, rejectListen) => {
      server.once('error', rejectListen);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', rejectListen);
        resolveListen();
      });
    });
  } catch (err) {
    await discard();
    throw err;
  }

  const port = (server.address() as AddressInfo).port;
  const endpointHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const endpoint = `${tls ? 'https' : 'http'}://${endpointHost}:${port}`;

  const bucketRecord = (bucket: string) => {
    const record = buckets.find((b) => b.name === bucket);
    if (!record) throw new Error(`No bucket "${bucket}" in this emulator.`);
    return record;
  };
  const credentialsOf = (bucket: string): BucketCredentials => {
    const record = bucketRecord(bucket);
    return { ACCESS_KEY: record.accessKey, SECRET_KEY: record.secretKey, ENDPOINT: endpoint, REGION: region };
  };
  // Called by the console's API only, once listening: the credentials name the endpoint.
  const consoleBuckets = () =>
    bucketsInOrder(definitions, buckets.map((b) => b.name)).map((bucket) => consoleBucket(bucket, credentialsOf(bucket), grantedTo(bucket)));
  const consoleUrl = consoleAccess && `${endpoint}/_smll/${consoleAccess.tokenRequired ? `?token=${consoleAccess.token}` : ''}`;
  let stopped: Promise<void> | undefined;

  return {
    endpoint,
    region,
    port,
    host,
    dataDir,
    ...(backend === undefined ? {} : { backend: { type: backend.type, endpoint: backend.endpoint } }),
    certificate,
    replacedKeys,
    seeded,
    consoleUrl,
    get buckets() {
      return buckets.map((b) => b.name);
    },
    credentials: credentialsOf,
    env: (bucket) => envOfCredentials(credentialsOf(bucket)),
    async reset() {
      // Started together, so that a store answering synchronously has emptied them all on return.
      await Promise.all(buckets.map((bucket) => store.emptyBucket(bucket.name)));
    },
    stop() {
      stopped ??= new Promise<void>((resolveClose) => {
        server.close(() => resolveClose());
        server.closeAllConnections();
      }).then(discard);
      return stopped;
    },
  };
}
