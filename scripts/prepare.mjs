// npm's `prepare` (run by `npm install` in a clone, by `npm pack`, and by a git-URL install, which
// runs both: its install in the clone, then a pack): builds dist/ unless it is newer than every
// input, so the second of those runs costs a directory walk instead of a tsc build. dist/ is as old
// as the older of its two builds: the package (dist/index.js) and the console's page
// (dist/console/web/index.html, scripts/build-console.mjs).
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const newest = (path) =>
  statSync(path).isDirectory() ? Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name)))) : statSync(path).mtimeMs;
const builtAt = (path) => (existsSync(path) ? statSync(path).mtimeMs : 0);
const built = Math.min(builtAt('dist/index.js'), builtAt('dist/console/web/index.html'));
const inputs = Math.max(
  newest('src'),
  newest('tsconfig.json'),
  newest('tsconfig.build.json'),
  newest('package.json'),
  newest('scripts/build-console.mjs'),
);
if (built > inputs) {
  console.log('prepare: dist/ is newer than src/, not rebuilt');
} else {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  execFileSync(process.execPath, ['scripts/build-console.mjs'], { stdio: 'inherit' });
}
