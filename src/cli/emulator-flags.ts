import { InvalidArgumentError, type Command } from 'commander';
import { findConfigFile, loadConfigFile, type SmllStorageConfig } from '../config-file.js';
import { DataDirInUseError, describeHolder } from '../data-dir-lock.js';

/** `--seed BUCKET=DIR` (repeatable) into a bucket → directory map. */
export function parseSeedFlag(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0 || eq === value.length - 1) throw new InvalidArgumentError(`expected BUCKET=DIR, got "${value}"`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** The `--config` file, else the one in the working directory, else none. */
export async function configFromFlag(path: string | undefined): Promise<SmllStorageConfig | undefined> {
  const file = path ?? findConfigFile(process.cwd());
  return file === undefined ? undefined : loadConfigFile(file);
}

/**
 * Only the options the user typed (not commander's defaults), so that they override the config
 * file and defaults do not. `optionNames` maps a key to its commander attribute where they differ.
 */
export function givenOnly<T extends Record<string, unknown>>(command: Command, values: T, optionNames: Partial<Record<keyof T, string>> = {}): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([key]) => command.getOptionValueSource(optionNames[key as keyof T] ?? key) === 'cli'),
  ) as Partial<T>;
}

/**
 * A start-up failure as the CLI says it: a busy port names the port and the ways to another,
 * a data dir in use names the process that holds it and the ways out; anything else as it is.
 */
export function startupProblem(err: unknown, { port, host }: { port: number; host: string }): unknown {
  if ((err as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE') {
    return new Error(`port ${port} on ${host} is already in use (another smll-storage, or another server): pick another with --port N, or --port 0 for a free one.`, { cause: err });
  }
  if (err instanceof DataDirInUseError) {
    return new Error(
      `the data dir ${err.dataDir} is in use by ${describeHolder(err.holder)}: stop that one, or start this one with --temp (a throw-away data dir) or --data-dir ANOTHER_DIR.`,
      { cause: err },
    );
  }
  return err;
}
