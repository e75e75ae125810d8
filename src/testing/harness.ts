import { resolve } from 'node:path';
import { bucketEnvironment, bucketsInOrder } from '../bucket-environment.js';
import { findConfigFile, loadConfigFile, mergeWithConfig } from '../config-file.js';
import type { BucketEnv } from '../bucket-credentials.cjs';
import type { Emulator, EmulatorOptions } from '../emulator.js';
import { ConfigError, resolvePaths, validateOptions } from '../options.js';
import { trustVariables } from '../tls.js';

/**
 * What a test run's global setup accepts (from the vitest or jest config): startEmulator's
 * options (checked as a config file's are: an unknown key is refused), with the config file's
 * conveniences (`cors` for every bucket, durations as `"24h"`, `tls` files relative to the root).
 */
export interface HarnessOptions extends EmulatorOptions {
  /** Config file path (relative to the project root); default: `smll-storage.config.*` in the root if any; `false`: none. */
  config?: string | false;
  /** CORS rules for every bucket that has none of its own. */
  cors?: unknown;
}

const configSetting = (value: unknown, where: string): unknown => {
  if (value !== false && (typeof value !== 'string' || value === '')) {
    throw new ConfigError(`${where}: expected a config file path or false, got ${JSON.stringify(value)}`);
  }
  return value;
};

/** What every test can read: the emulator's endpoint and each bucket's S3_* variables. */
export interface HarnessContext {
  endpoint: string;
  region: string;
  buckets: Record<string, BucketEnv>;
}

export interface RunningHarness {
  emulator: Emulator;
  context: HarnessContext;
  /** The S3_* variables (first bucket plain, every bucket as S3_<BUCKET>_…) and, with `tls: true`, the CA's trust variables, now in process.env. */
  variables: Record<string, string>;
  /** Stops the emulator and puts process.env back as it was. */
  stop(): Promise<void>;
}

/**
 * Starts the run's emulator: the config file's buckets, region, seed …, then `settings` (checked
 * first: an unknown key or a bad value throws a ConfigError prefixed with `source`); a free
 * port and a throw-away data dir unless `settings` says otherwise; one bucket `test-bucket` when
 * none is named anywhere. Sets the S3_* variables in process.env, where test workers inherit them.
 */
export async function startHarness(root: string, settings: HarnessOptions = {}, source = 'smll-storage setup options'): Promise<RunningHarness> {
  const { config: configPath, ...checked } = validateOptions(settings, source, 'setup', { config: configSetting }) as HarnessOptions;
  const explicit = resolvePaths(checked, root, source);
  const configFile = configPath === false ? undefined : configPath ? resolve(root, configPath) : findConfigFile(root);
  const config = configFile === undefined ? undefined : await loadConfigFile(configFile);
  const options = mergeWithConfig(config, explicit, false);
  if (!options.buckets?.length) options.buckets = ['test-bucket'];

  const { startEmulator } = await import('../emulator.js');
  const emulator = await startEmulator(options);
  const buckets = bucketsInOrder(options.buckets, emulator.buckets);
  let variables: Record<string, string>;
  try {
    variables = bucketEnvironment(buckets, (bucket) => emulator.env(bucket));
    // With `tls: true`: the local CA, in the variable each kind of client reads (see TRUST_VARIABLES).
    const caFile = emulator.certificate?.file;
    if (caFile) Object.assign(variables, trustVariables(caFile));
  } catch (err) {
    await emulator.stop();
    throw err;
  }
  const previous = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  Object.assign(process.env, variables);
  return {
    emulator,
    variables,
    context: {
      endpoint: emulator.endpoint,
      region: emulator.region,
      buckets: Object.fromEntries(buckets.map((bucket) => [bucket, emulator.env(bucket)])),
    },
    async stop() {
      for (const [name, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await emulator.stop();
    },
  };
}
