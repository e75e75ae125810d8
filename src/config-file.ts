import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EmulatorOptions } from './emulator.js';
import { ConfigError, OPTIONS, resolvePaths, validateOptions, type ServeOptions, type SmllStorageConfig } from './options.js';

export { ConfigError, type SmllStorageConfig } from './options.js';

/** Looked for in this order in the working directory (or the test project's root). */
export const CONFIG_FILE_NAMES = ['smll-storage.config.json', 'smll-storage.config.mjs', 'smll-storage.config.js'] as const;

/** Checks a parsed config (from JSON or a module's default export) against OPTIONS; `source` names it in messages. */
export function validateConfig(value: unknown, source: string): SmllStorageConfig {
  if (typeof value === 'object' && value !== null && '$schema' in value) {
    const { $schema: _schema, ...rest } = value;
    return validateOptions(rest, source, 'config file');
  }
  return validateOptions(value, source, 'config file');
}

/** The config file in `dir`, if there is one; two candidates are an error rather than a silent pick. */
export function findConfigFile(dir: string): string | undefined {
  const found = CONFIG_FILE_NAMES.map((name) => join(dir, name)).filter((path) => existsSync(path));
  if (found.length > 1) throw new ConfigError(`found ${found.join(' and ')}: keep one config file`);
  return found[0];
}

/**
 * Reads, checks and returns a config file, with its paths made absolute (relative to the file's
 * own directory, so the file works from any working directory) and `tls` files read.
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
  return resolvePaths(validateConfig(raw, absolute), dirname(absolute), absolute);
}

/** What a program starts with once its own options met the config file: startEmulator's options, and serve's own. */
export type MergedOptions = EmulatorOptions & ServeOptions;

/**
 * Where the options a program passes on (`explicit`: its own flags or settings) meet the config
 * file: explicit values win key by key (a list or map given explicitly replaces the file's).
 * Only `persistent` (serve) takes the file's `persistent` and `serve` options (OPTIONS' scopes:
 * `port`, `dataDir`, `durable`, `temp`, `quiet`, `dotenv`); the test harness and `exec` do not, so
 * they never collide with a dev server started from the same file. Top-level `cors` (the file's,
 * or an explicit one, which wins) goes to every bucket named without rules of its own.
 */
export function mergeWithConfig(config: SmllStorageConfig | undefined, explicit: MergedOptions & { cors?: unknown }, persistent: boolean): MergedOptions {
  const fromFile = Object.fromEntries(
    Object.entries(config ?? {}).filter(([key]) => {
      const scope = OPTIONS[key as keyof typeof OPTIONS]?.scope;
      return key !== 'cors' && (persistent || (scope !== 'persistent' && scope !== 'serve'));
    }),
  );
  const { cors: explicitCors, ...explicitOptions } = explicit;
  const merged: MergedOptions = { ...withoutUndefined(fromFile), ...withoutUndefined(explicitOptions) };
  const cors = explicitCors ?? config?.cors;
  if (cors !== undefined && merged.buckets !== undefined) {
    merged.buckets = merged.buckets.map((b) => (typeof b === 'string' ? { name: b, cors } : { ...b, cors: b.cors ?? cors }));
  }
  return merged;
}

function withoutUndefined<T extends object>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
}
