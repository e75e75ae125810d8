import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { assertBackendOptions } from './backend.js';
import { bucketNameProblem } from './buckets.js';
import { durationMs } from './duration.js';
import type { BucketDefinition, EmulatorOptions } from './emulator.js';
import { parseCorsRules } from './http/cors.js';
import { LOG_FORMATS, type LogFormat } from './http/request-log.js';
import { closest } from './suggest.js';

/**
 * The options of smll-storage, declared once: `OPTIONS` says for each one how a value from a
 * config file or a test setup is checked, where it applies, and which `serve` flag sets it.
 * The config file, the vitest and jest setups and (through a test) the CLI all read this table,
 * so an option added to `EmulatorOptions` or `ServeOptions` without a row here does not compile.
 */

/** `serve`'s options beyond startEmulator's; a config file may hold them too (exec and the test setups ignore them there). */
export interface ServeOptions {
  /** A throw-away data dir, removed on exit (serve `--temp`). */
  temp?: boolean;
  /** No request log (serve `--quiet`). */
  quiet?: boolean;
  /** Also write the S3_* variables to this .env file, mode 600 (serve `--dotenv`); relative to the config file. */
  dotenv?: string;
}

/**
 * What `smll-storage.config.json` (or the default export of a `.mjs`/`.js` one) and the test
 * setups' options may hold; every key is optional. Durations (`uploadExpiry`, `requestTimeout`)
 * are milliseconds or a string with a unit (`"24h"`, `"20s"`); paths (`dataDir`, `seed`'s
 * directories, `dotenv`, `tls`'s `cert` and `key` when not PEM text) are relative to the config
 * file (to the project root in the setups).
 */
export interface SmllStorageConfig extends Omit<EmulatorOptions, 'log'>, ServeOptions {
  /** CORS rules for every bucket that has none of its own. */
  cors?: unknown;
}

/** A config or setup value that is not what its option allows; the message names the source and the key. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Checks a value; returns it as startEmulator takes it (a duration string becomes milliseconds). Throws ConfigError naming `where`. */
type Check = (value: unknown, where: string) => unknown;

/**
 * Where an option applies. `shared`: everywhere. `persistent`: an API and setup option, but from
 * a config file only `serve` takes it (exec and the test setups keep their free port and
 * throw-away data dir, so they never collide with a dev server started from the same file).
 * `serve`: `serve` and the config file only. `api`: startEmulator and the setups, not a file.
 */
export type OptionScope = 'shared' | 'persistent' | 'serve' | 'api';

export interface OptionSpec {
  check: Check;
  scope: OptionScope;
  /** The `serve` flag that sets it (a unit test holds the CLI to this); absent: no flag of its own. */
  flag?: string;
  /** For an object option: the `serve` flag that sets each of its fields (`backend.endpoint`: `--backend-endpoint`). */
  fieldFlags?: Readonly<Record<string, string>>;
}

const string: Check = (value, where) => {
  if (typeof value !== 'string' || value === '') throw new ConfigError(`${where}: expected a non-empty string, got ${describe(value)}`);
  return value;
};
const boolean: Check = (value, where) => {
  if (typeof value !== 'boolean') throw new ConfigError(`${where}: expected true or false, got ${describe(value)}`);
  return value;
};
const port: Check = (value, where) => {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 65535) {
    throw new ConfigError(`${where}: expected a port number 0..65535, got ${describe(value)}`);
  }
  return value;
};
/** A positive age: milliseconds, or a string with a unit as the CLI's flags take it. */
const age: Check = (value, where) => {
  const ms = typeof value === 'string' ? durationMs(value) : value;
  if (!Number.isSafeInteger(ms) || (ms as number) <= 0) {
    throw new ConfigError(`${where}: expected a positive number of milliseconds or an age with a unit (ms, s, m, h, d), e.g. "24h", got ${describe(value)}`);
  }
  return ms;
};
/** A timeout: milliseconds (0 disables it), or a string with a unit. */
const timeout: Check = (value, where) => {
  const ms = typeof value === 'string' ? (value.trim() === '0' ? 0 : durationMs(value)) : value;
  if (!Number.isSafeInteger(ms) || (ms as number) < 0) {
    throw new ConfigError(`${where}: expected a whole number of milliseconds ≥ 0 (0 disables it) or a duration with a unit, e.g. "20s", got ${describe(value)}`);
  }
  return ms;
};
const stringList: Check = (value, where) => {
  if (!Array.isArray(value)) throw new ConfigError(`${where}: expected an array of strings, got ${describe(value)}`);
  value.forEach((item, i) => string(item, `${where}[${i}]`));
  return value;
};
const corsRules: Check = (value, where) => {
  // The emulator's own check, so a file or setup gets the same messages as every other way in.
  try {
    parseCorsRules(value, where);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return value;
};
const seedMap: Check = (value, where) => {
  if (!isPlainObject(value)) throw new ConfigError(`${where}: expected an object of bucket name → directory, got ${describe(value)}`);
  for (const [bucket, dir] of Object.entries(value)) string(dir, `${where}.${bucket}`);
  return value;
};
const sigv2: Check = (value, where) => {
  if (value !== 'accept' && value !== 'reject') throw new ConfigError(`${where}: expected "accept" or "reject", got ${describe(value)}`);
  return value;
};
const tls: Check = (value, where) => {
  if (typeof value === 'boolean') return value;
  if (!isPlainObject(value)) throw new ConfigError(`${where}: expected true, false or { cert, key } (PEM text or file paths), got ${describe(value)}`);
  checkKeys(value, { cert: string, key: string }, where);
  for (const key of ['cert', 'key']) if (!(key in value)) throw new ConfigError(`${where}: "${key}" is missing: give both cert and key`);
  return value;
};
const backend: Check = (value, where) => {
  // The emulator's own check, so a file or setup gets the same messages as startEmulator.
  try {
    assertBackendOptions(value, where);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return value;
};
const logFormat: Check = (value, where) => {
  if (!LOG_FORMATS.includes(value as LogFormat)) throw new ConfigError(`${where}: expected one of ${LOG_FORMATS.join(', ')}, got ${describe(value)}`);
  return value;
};
const logFunction: Check = (value, where) => {
  if (typeof value !== 'function') throw new ConfigError(`${where}: expected a function (line) => void, got ${describe(value)}`);
  return value;
};

const bucketName: Check = (value, where) => {
  string(value, where);
  const problem = bucketNameProblem(value as string);
  if (problem) throw new ConfigError(`${where}: invalid bucket name "${value as string}": a bucket name ${problem}`);
  return value;
};

const bucketKeys: Record<keyof BucketDefinition, Check> = {
  name: bucketName,
  accessKey: string,
  secretKey: string,
  allow: stringList,
  cors: corsRules,
};

const bucketList: Check = (value, where) => {
  if (!Array.isArray(value)) throw new ConfigError(`${where}: expected an array of bucket names or { name, … } objects, got ${describe(value)}`);
  value.forEach((bucket, i) => {
    if (typeof bucket === 'string') return bucketName(bucket, `${where}[${i}]`);
    if (!isPlainObject(bucket)) throw new ConfigError(`${where}[${i}]: expected a bucket name or a { name, … } object, got ${describe(bucket)}`);
    if (!('name' in bucket)) throw new ConfigError(`${where}[${i}]: "name" is missing`);
    checkKeys(bucket, bucketKeys, `${where}[${i}]`);
  });
  return value;
};

/** Every option, in the order messages list them. */
export const OPTIONS: { readonly [K in keyof SmllStorageConfig | 'log']-?: OptionSpec } = {
  buckets: { check: bucketList, scope: 'shared', flag: '--bucket' },
  region: { check: string, scope: 'shared', flag: '--region' },
  port: { check: port, scope: 'persistent', flag: '--port' },
  host: { check: string, scope: 'shared', flag: '--host' },
  dataDir: { check: string, scope: 'persistent', flag: '--data-dir' },
  durable: { check: boolean, scope: 'persistent', flag: '--durable' },
  // Like dataDir: exec and the test setups never share a dev server's storage (their reset() would empty it).
  backend: {
    check: backend,
    scope: 'persistent',
    flag: '--backend',
    fieldFlags: {
      endpoint: '--backend-endpoint',
      region: '--backend-region',
      bucketPrefix: '--backend-bucket-prefix',
      conditionalWrites: '--backend-conditional-writes',
    },
  },
  bucketsDir: { check: string, scope: 'shared', flag: '--buckets-dir' },
  vhostDomain: { check: string, scope: 'shared', flag: '--vhost-domain' },
  allow: { check: stringList, scope: 'shared', flag: '--allow' },
  cors: { check: corsRules, scope: 'shared', flag: '--cors' },
  seed: { check: seedMap, scope: 'shared', flag: '--seed' },
  sigv2: { check: sigv2, scope: 'shared', flag: '--sigv2' },
  tls: { check: tls, scope: 'shared', flag: '--tls' },
  uploadExpiry: { check: age, scope: 'shared', flag: '--upload-expiry' },
  requestTimeout: { check: timeout, scope: 'shared', flag: '--request-timeout' },
  logFormat: { check: logFormat, scope: 'shared', flag: '--log-format' },
  console: { check: boolean, scope: 'shared', flag: '--console' },
  consoleToken: { check: string, scope: 'shared', flag: '--console-token' },
  temp: { check: boolean, scope: 'serve', flag: '--temp' },
  quiet: { check: boolean, scope: 'serve', flag: '--quiet' },
  dotenv: { check: string, scope: 'serve', flag: '--dotenv' },
  log: { check: logFunction, scope: 'api' },
};

/** Where the options come from: which keys it may hold, and how a refused key is explained. */
export type OptionSource = 'config file' | 'setup';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'function') return 'a function';
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}…` : json;
}

function unknownKey(key: string, known: string[], where: string): ConfigError {
  const suggestion = closest(key, known);
  return new ConfigError(
    `${where === '' ? '' : `${where}: `}unknown key "${key}" (${suggestion ? `did you mean "${suggestion}"? ` : ''}known keys: ${known.join(', ')})`,
  );
}

function checkKeys(object: Record<string, unknown>, checks: Record<string, Check>, where: string): void {
  for (const [key, value] of Object.entries(object)) {
    const check = checks[key];
    if (!check) throw unknownKey(key, Object.keys(checks), where);
    check(value, where === '' ? key : `${where}.${key}`);
  }
}

/**
 * Checks options from a config file (`'config file'`: every option but `log`) or a test setup
 * (`'setup'`: every option but serve's own, plus `extra`, e.g. the setups' `config`); `source`
 * prefixes every message. Returns them with durations in milliseconds.
 */
export function validateOptions(value: unknown, source: string, from: OptionSource, extra: Record<string, Check> = {}): SmllStorageConfig {
  if (!isPlainObject(value)) throw new ConfigError(`${source}: expected an object at the top level, got ${describe(value)}`);
  const allowed = Object.entries(OPTIONS).filter(([, spec]) => (from === 'config file' ? spec.scope !== 'api' : spec.scope !== 'serve'));
  const checks: Record<string, Check> = { ...Object.fromEntries(allowed.map(([key, spec]) => [key, spec.check])), ...extra };
  const checked: Record<string, unknown> = {};
  try {
    for (const [key, item] of Object.entries(value)) {
      const spec = (OPTIONS as Record<string, OptionSpec | undefined>)[key];
      if (!(key in checks) && spec) {
        throw new ConfigError(
          spec.scope === 'serve'
            ? `"${key}" is an option of serve (${spec.flag}); the test setups have no use for it`
            : `"${key}" is a function: give it to startEmulator, a config file holds data`,
        );
      }
      if (!(key in checks)) throw unknownKey(key, Object.keys(checks), '');
      checked[key] = item === undefined ? undefined : checks[key](item, key);
    }
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`${source}: ${err.message}`);
    throw err;
  }
  return checked as SmllStorageConfig;
}

/**
 * The options with their paths made absolute from `base` (a config file's directory, a test
 * project's root) and `tls`'s `cert` and `key` read when they name files rather than hold PEM text.
 */
export function resolvePaths(options: SmllStorageConfig, base: string, source: string): SmllStorageConfig {
  const { dataDir, bucketsDir, seed, dotenv, tls: tlsOption } = options;
  const pem = (what: 'cert' | 'key', value: string): string => {
    if (value.trimStart().startsWith('-----BEGIN')) return value;
    const file = resolve(base, value);
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(`${source}: tls.${what}: cannot read ${file}: ${(err as Error).message}`);
    }
  };
  return {
    ...options,
    ...(dataDir === undefined ? {} : { dataDir: resolve(base, dataDir) }),
    ...(bucketsDir === undefined ? {} : { bucketsDir: resolve(base, bucketsDir) }),
    ...(dotenv === undefined ? {} : { dotenv: resolve(base, dotenv) }),
    ...(seed === undefined ? {} : { seed: Object.fromEntries(Object.entries(seed).map(([bucket, dir]) => [bucket, resolve(base, dir)])) }),
    ...(typeof tlsOption === 'object' ? { tls: { cert: pem('cert', tlsOption.cert), key: pem('key', tlsOption.key) } } : {}),
  };
}
