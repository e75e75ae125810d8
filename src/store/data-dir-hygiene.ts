import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where bodies are written before they are committed (`blobs/`); see BlobFiles. */
export function tempDirOf(dataDir: string): string {
  return join(dataDir, 'tmp');
}

/**
 * Creates the data dir (mode 700) if it is missing and keeps it out of git: a `.gitignore` of `*`
 * inside it, written when the directory is new or already holds a store (`metadata.sqlite`) and has
 * no `.gitignore` yet. A directory the user made for something else is left as it is, so
 * `--data-dir .` cannot hide a project from git.
 */
export function prepareDataDir(dataDir: string): void {
  const isNew = !existsSync(dataDir);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const gitignore = join(dataDir, '.gitignore');
  if ((isNew || existsSync(join(dataDir, 'metadata.sqlite'))) && !existsSync(gitignore)) {
    writeFileSync(gitignore, '# smll-storage data (credentials and objects): not for version control\n*\n', { mode: 0o600 });
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
