import { execFileSync } from 'node:child_process';
import { chromium, type Browser } from 'playwright-core';

/**
 * The Chromium binary the console's browser tests drive: `SMLL_CHROMIUM`, else `chromium` on
 * PATH (Debian's package, which scripts/install-chromium.sh installs). Throws with the way to
 * install it when there is none.
 */
export function chromiumPath(): string {
  if (process.env.SMLL_CHROMIUM) return process.env.SMLL_CHROMIUM;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('no chromium on PATH: run scripts/install-chromium.sh (as root) or set SMLL_CHROMIUM');
  }
}

/**
 * A headless Chromium; as root (CI) without its sandbox, which needs an unprivileged user.
 * `args` are more command-line switches (e.g. `--host-resolver-rules=...`).
 */
export function launchChromium(args: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), ...args],
  });
}
