// npm's `prepare` (run by `npm install` in a clone, by `npm pack`, and by a git-URL install, which
// runs both: its install in the clone, then a pack): builds dist/ unless it is newer than every
// input, so the second of those runs costs a directory walk instead of a tsc build.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const newest = (path) =>
  statSync(path).isDirectory() ? Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name)))) : statSync(path).mtimeMs;
const built = existsSync('dist/index.js') ? statSync('dist/index.js').mtimeMs : 0;
const inputs = Math.max(newest('src'), newest('tsconfig.json'), newest('tsconfig.build.json'), newest('package.json'));
if (built > inputs) {
  console.log('prepare: dist/ is newer than src/, not rebuilt');
} else {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
