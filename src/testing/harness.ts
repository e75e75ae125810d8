import { resolve } from 'node:path';
import { bucketEnvironment, bucketsInOrder } from '../bucket-environment.js';
import { findConfigFile, loadConfigFile, mergeWithConfig } from '../config-file.js';
import type { BucketEnv } from '../bucket-credentials.cjs';
import type { Emulator, EmulatorOptions } from '../emulator.js';
import { trustVariables } from '../tls.js';

/** What a test run's global setup accepts (from the vitest or jest config). */
export interface HarnessOptions extends EmulatorOptions {
  /** Config file path (relative to the project root); default: `smll-storage.config.*` in the root if any; `false`: none. */
  config?: string | false;
}

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
 * Starts the run's emulator: the config file's buckets, region, seed …, then `settings`; a free
 * port and a throw-away data dir unless `settings` says otherwise; one bucket `test-bucket` when
 * none is named anywhere. Sets the S3_* variables in process.env, where test workers inherit them.
 */
export async function startHarness(root: string, settings: HarnessOptions = {}): Promise<RunningHarness> {
  const { config: configSetting, ...explicit } = settings;
  const configFile = configSetting === false ? undefined : configSetting ? resolve(root, configSetting) : findConfigFile(root);
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
