import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bucketNameProblem } from './buckets.js';
import type { BucketDefinition, EmulatorOptions } from './emulator.js';
import { parseCorsRules } from './http/cors.js';
import { LOG_FORMATS, type LogFormat } from './http/request-log.js';

/** Looked for in this order in the working directory (or the test project's root). */
export const CONFIG_FILE_NAMES = ['smll-storage.config.json', 'smll-storage.config.mjs', 'smll-storage.config.js'] as const;

/** What `smll-storage.config.json` may hold; every key is optional. */
export interface SmllStorageConfig {
  buckets?: Array<string | BucketDefinition>;
  region?: string;
  port?: number;
  host?: string;
  /** Relative to the config file's directory. */
  dataDir?: string;
  durable?: boolean;
  vhostDomain?: string;
  /** IAM actions every bucket's credential may do beyond SMLL's five. */
  allow?: string[];
  /** CORS rules for every bucket that has none of its own. */
  cors?: unknown;
  /** Bucket name → directory (relative to the config file) uploaded into it at start. */
  seed?: Record<string, string>;
  /** Milliseconds; as startEmulator's `requestTimeout` (0 disables). */
  requestTimeout?: number;
  /** The request log's format: `text` (default) or `json`. */
  logFormat?: LogFormat;
}

/** A config value that is not what the file format allows; the message names the file and key. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Check = (value: unknown, where: string) => void;

const string: Check = (value, where) => {
  if (typeof value !== 'string' || value === '') throw new ConfigError(`${where}: expected a non-empty string, got ${describe(value)}`);
};
const boolean: Check = (value, where) => {
  if (typeof value !== 'boolean') throw new ConfigError(`${where}: expected true or false, got ${describe(value)}`);
};
const port: Check = (value, where) => {
  if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 65535) {
    throw new ConfigError(`${where}: expected a port number 0..65535, got ${describe(value)}`);
  }
};
const milliseconds: Check = (value, where) => {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new ConfigError(`${where}: expected a whole number of milliseconds ≥ 0 (0 disables it), got ${describe(value)}`);
  }
};
const logFormat: Check = (value, where) => {
  if (!LOG_FORMATS.includes(value as LogFormat)) throw new ConfigError(`${where}: expected one of ${LOG_FORMATS.join(', ')}, got ${describe(value)}`);
};
const stringList: Check = (value, where) => {
  if (!Array.isArray(value)) throw new ConfigError(`${where}: expected an array of strings, got ${describe(value)}`);
  value.forEach((item, i) => string(item, `${where}[${i}]`));
};
const corsRules: Check = (value, where) => {
  // The emulator's own check, so the file gets the same messages as every other way in.
  try {
    parseCorsRules(value, where);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
};
const seedMap: Check = (value, where) => {
  if (!isPlainObject(value)) throw new ConfigError(`${where}: expected an object of bucket name → directory, got ${describe(value)}`);
  for (const [bucket, dir] of Object.entries(value)) string(dir, `${where}.${bucket}`);
};

const bucketName: Check = (value, where) => {
  string(value, where);
  const problem = bucketNameProblem(value as string);
  if (problem) throw new ConfigError(`${where}: invalid bucket name "${value as string}": a bucket name ${problem}`);
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
};

const topLevelKeys: Record<keyof SmllStorageConfig, Check> = {
  buckets: bucketList,
  region: string,
  port,
  host: string,
  dataDir: string,
  durable: boolean,
  vhostDomain: string,
  allow: stringList,
  cors: corsRules,
  seed: seedMap,
  requestTimeout: milliseconds,
  logFormat,
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}…` : json;
}

function checkKeys(object: Record<string, unknown>, checks: Record<string, Check>, where: string): void {
  for (const [key, value] of Object.entries(object)) {
    const check = checks[key];
    if (!check) throw new ConfigError(`${where === '' ? '' : `${where}: `}unknown key "${key}" (known keys: ${Object.keys(checks).join(', ')})`);
    check(value, where === '' ? key : `${where}.${key}`);
  }
}

/** Checks a parsed config (from JSON or a module's default export); `source` names it in messages. */
export function validateConfig(value: unknown, source: string): SmllStorageConfig {
  if (!isPlainObject(value)) throw new ConfigError(`${source}: expected an object at the top level, got ${describe(value)}`);
  const { $schema: _schema, ...rest } = value;
  try {
    checkKeys(rest, topLevelKeys, '');
  } catch (err) {
    if (err instanceof ConfigError) throw new ConfigError(`${source}: ${err.message}`);
    throw err;
  }
  return rest as SmllStorageConfig;
}

/** The config file in `dir`, if there is one; two candidates are an error rather than a silent pick. */
export function findConfigFile(dir: string): string | undefined {
  const found = CONFIG_FILE_NAMES.map((name) => join(dir, name)).filter((path) => existsSync(path));
  if (found.length > 1) throw new ConfigError(`found ${found.join(' and ')}: keep one config file`);
  return found[0];
}

/**
 * Reads, checks and returns a config file, with `dataDir` and `seed` directories made absolute
 * (relative to the file's own directory, so the file works from any working directory).
 */
export async function loadConfigFile(path: string): Promise<SmllStorageConfig> {
  const absolute = resolve(path);
  let raw: unknown;
  if (extname(absolute) === '.json') {
    let text: string;
    try {
      text = readFileSync(absolute, 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${absolute}: ${(err as Error).message}`);
    }
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new ConfigError(`${absolute}: not valid JSON: ${(err as Error).message}`);
    }
  } else if (['.js', '.mjs', '.cjs'].includes(extname(absolute))) {
    if (!existsSync(absolute)) throw new ConfigError(`cannot read config file ${absolute}: no such file`);
    let module: { default?: unknown };
    try {
      module = (await import(pathToFileURL(absolute).href)) as { default?: unknown };
    } catch (err) {
      throw new ConfigError(`${absolute}: cannot load it: ${(err as Error).message}`);
    }
    raw = module.default;
  } else {
    throw new ConfigError(`${absolute}: a config file is .json, .mjs, .js or .cjs`);
  }
  const config = validateConfig(raw, absolute);
  const base = dirname(absolute);
  return {
    ...config,
    ...(config.dataDir === undefined ? {} : { dataDir: resolve(base, config.dataDir) }),
    ...(config.seed === undefined ? {} : { seed: Object.fromEntries(Object.entries(config.seed).map(([bucket, dir]) => [bucket, resolve(base, dir)])) }),
  };
}

/**
 * Where the options a program passes on (`explicit`: its own flags or settings) meet the config
 * file: explicit values win key by key (a list or map given explicitly replaces the file's).
 * `persistent` (serve) also takes `port`, `dataDir` and `durable` from the file; the test
 * harness and `exec` do not, so they never collide with a dev server started from the same file.
 */
export function mergeWithConfig(config: SmllStorageConfig | undefined, explicit: EmulatorOptions, persistent: boolean): EmulatorOptions {
  const fromFile: EmulatorOptions = {};
  if (config) {
    const { cors: _cors, port: filePort, dataDir, durable, ...shared } = config;
    Object.assign(fromFile, shared, persistent ? { port: filePort, dataDir, durable } : {});
  }
  const merged: EmulatorOptions = { ...withoutUndefined(fromFile), ...withoutUndefined(explicit) };
  const fileCors = config?.cors;
  if (fileCors !== undefined && merged.buckets !== undefined) {
    // The file's top-level rules go to every bucket named without rules of its own.
    merged.buckets = merged.buckets.map((b) => (typeof b === 'string' ? { name: b, cors: fileCors } : { ...b, cors: b.cors ?? fileCors }));
  }
  return merged;
}

function withoutUndefined<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
}
