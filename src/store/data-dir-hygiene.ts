import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Where bodies are written before they are committed (`blobs/`); see BlobFiles. */
export function tempDirOf(dataDir: string): string {
  return join(dataDir, 'tmp');
}

/** The CLI's default data dir's name: a directory by this name is the emulator's own. */
const DEFAULT_DATA_DIR_NAME = '.smll-storage';

/**
 * Creates the data dir (mode 700) if it is missing and keeps it out of git with a `.gitignore` of
 * `*` inside it: written when the directory is new, or is the default `.smll-storage` (made by a
 * version before this one), and has none. A directory the user made (`--data-dir .` …) is left as
 * it is. Best effort: a data dir on a full or read-only disk still opens.
 */
export function prepareDataDir(dataDir: string): void {
  const isNew = !existsSync(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const gitignore = join(dataDir, '.gitignore');
  if (!(isNew || basename(dataDir) === DEFAULT_DATA_DIR_NAME) || existsSync(gitignore)) return;
  try {
    writeFileSync(gitignore, '# smll-storage data (credentials and objects): not for version control\n*\n', { mode: 0o600 });
  } catch {
    // Only a convenience: the store's own writes report a full or read-only disk.
  }
}

/**
 * Deletes the bodies still being written (interrupted uploads) at shutdown, so a Ctrl-C leaves
 * none behind; opening the store again would collect them too, but only at the next start.
 * Only for a store this process has closed: it owns every file in tmp/.
 */
export function removePartialWrites(dataDir: string): void {
  const tempDir = tempDirOf(dataDir);
  if (!existsSync(tempDir)) return;
  for (const name of readdirSync(tempDir)) rmSync(join(tempDir, name), { recursive: true, force: true });
}
