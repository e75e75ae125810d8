// Builds the console's page (src/console/web/) into dist/console/web/: tsc compiles its browser
// modules with their own tsconfig (lib dom, no Node types), then index.html, styles.css and
// favicon.svg are copied beside them. The directory is emptied first so that a module removed
// from the sources is not served or packed. Run by `npm run build` and scripts/prepare.mjs.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';

const SOURCE = 'src/console/web';
const OUT = 'dist/console/web';
const ASSETS = ['index.html', 'styles.css', 'favicon.svg'];

rmSync(OUT, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', `${SOURCE}/tsconfig.json`], { stdio: 'inherit' });
mkdirSync(OUT, { recursive: true });
for (const name of ASSETS) copyFileSync(`${SOURCE}/${name}`, `${OUT}/${name}`);
