/**
 * W5: the web console (issue 13) in Chromium, against the emulator's CLI on 127.0.0.1. Times,
 * from the start of a navigation (the page's own clock, `performance.now()`, whose origin is
 * the navigation start) to the frame that first shows:
 * - the first view: the Buckets heading with the bucket list drawn (index.html already carries
 *   the heading with "Loading…": the list is what the user waits for);
 * - the first page of objects of a 10-key bucket and of a large one (the table's rows drawn).
 * Each repetition is a fresh browser context (nothing cached), the small and large buckets
 * alternating. The large bucket is seeded through the store itself (SqliteStore.putObject, the
 * declared store interface), about 30,000 keys a second, before the emulator starts on its data dir.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { SNAPSHOT_DIR, freePort } from './targets.mjs';
import { METRICS } from './workloads.mjs';

export const SMALL_KEYS = 10;
/** Keys a page of the console's object list (src/console/web/objects.ts). */
const PAGE_SIZE = 100;
const REGION = 'us-east-1';
const BUCKETS = {
  small: { accessKey: 'W5SMALLACCESSKEY', secretKey: 'w5-small-secret-key' },
  large: { accessKey: 'W5LARGEACCESSKEY', secretKey: 'w5-large-secret-key' },
};
/** Every navigation gets this long to draw; a slower one fails the workload. */
const DRAW_TIMEOUT_MS = 30_000;

export function defineConsoleMetrics(largeKeys) {
  const n = largeKeys.toLocaleString('en-US');
  METRICS['w5.firstView'] = { workload: 'W5', label: 'console: navigation → Buckets view drawn', unit: 'ms', better: 'lower' };
  METRICS['w5.objects.small'] = { workload: 'W5', label: `console: navigation → first page of objects drawn, ${SMALL_KEYS} keys`, unit: 'ms', better: 'lower' };
  METRICS[`w5.objects.${largeKeys}`] = { workload: 'W5', label: `console: navigation → first page of objects drawn, ${n} keys`, unit: 'ms', better: 'lower' };
}

/** The Chromium W5 drives (`SMLL_CHROMIUM`, else `chromium` on PATH), or undefined when there is none. */
export function findChromium() {
  if (process.env.SMLL_CHROMIUM) return fs.existsSync(process.env.SMLL_CHROMIUM) ? process.env.SMLL_CHROMIUM : undefined;
  try {
    return execFileSync('sh', ['-c', 'command -v chromium'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const keyOf = (i) => `object-${String(i).padStart(7, '0')}.txt`;

/** Empty objects `keyOf(0..count-1)` in `bucket`, written through the snapshot's store. */
async function seed(store, InMemoryBody, bucket, count) {
  const empty = Buffer.alloc(0);
  const describe = () => ({ etag: '"d41d8cd98f00b204e9800998ecf8427e"', contentType: 'text/plain', userMetadata: {} });
  for (let i = 0; i < count; i++) await store.putObject(bucket, keyOf(i), { body: new InMemoryBody(empty), describe, mayInline: true });
}

/**
 * Installed in every page before its scripts: records, in `window.__w5`, the time of the first
 * animation frame after each awaited thing appears in the DOM.
 */
function recordDrawn() {
  const marks = {};
  window.__w5 = marks;
  const checks = {
    buckets: () => document.querySelector('h1')?.textContent === 'Buckets' && document.querySelector('a[href="#/b/large/credentials"]'),
    objects: () => {
      const table = document.querySelector('table.listing');
      return table?.getAttribute('aria-busy') === 'false' && table.querySelector('tbody tr button');
    },
  };
  const check = () => {
    for (const [name, done] of Object.entries(checks)) {
      if (marks[name] === undefined && marks[`${name}Seen`] === undefined && done()) {
        marks[`${name}Seen`] = performance.now();
        requestAnimationFrame(() => (marks[name] = performance.now()));
      }
    }
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
}

async function timeNavigation(browser, url, mark, expectRows) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(recordDrawn);
    await page.goto(url);
    await page.waitForFunction((name) => window.__w5?.[name] !== undefined, mark, { timeout: DRAW_TIMEOUT_MS });
    if (expectRows !== undefined) {
      const rows = await page.locator('table.listing tbody tr').count();
      if (rows !== expectRows) throw new Error(`${url}: ${rows} rows drawn, expected ${expectRows}`);
    }
    return await page.evaluate((name) => window.__w5[name], mark);
  } finally {
    await context.close();
  }
}

/**
 * Runs W5: `repetitions` timings of each navigation, on a `largeKeys` bucket and a 10-key one.
 * Returns `{ samples: { metricId: number[] }, seconds }`, or `{ skipped: why }` without Chromium.
 */
export async function runConsole({ largeKeys, repetitions }, log) {
  const executablePath = findChromium();
  if (!executablePath) {
    const where = process.env.SMLL_CHROMIUM ? `SMLL_CHROMIUM=${process.env.SMLL_CHROMIUM} does not exist` : 'no chromium on PATH';
    return { skipped: `${where} (scripts/install-chromium.sh installs it; or set SMLL_CHROMIUM)` };
  }
  const { chromium } = await import('playwright-core');
  const { SqliteStore, InMemoryBody } = await import(join(SNAPSHOT_DIR, 'dist/store/index.js'));

  const dataDir = fs.mkdtempSync(join(tmpdir(), 'smll-bench-console-'));
  let child;
  let browser;
  try {
    const seeding = performance.now();
    const store = SqliteStore.open({ dataDir });
    try {
      for (const [name, keys] of Object.entries(BUCKETS)) await store.upsertBucket({ name, ...keys, region: REGION });
      await seed(store, InMemoryBody, 'small', SMALL_KEYS);
      await seed(store, InMemoryBody, 'large', largeKeys);
    } finally {
      await store.close();
    }
    const seconds = (performance.now() - seeding) / 1000;
    log(`W5 seeded ${largeKeys.toLocaleString('en-US')} + ${SMALL_KEYS} keys through the store in ${seconds.toFixed(1)} s`);

    const port = await freePort();
    const bucketFlags = Object.entries(BUCKETS).flatMap(([name, keys]) => ['--bucket', `${name}=${keys.accessKey}:${keys.secretKey}`]);
    child = spawn(process.execPath, [join(SNAPSHOT_DIR, 'bin/smll-storage.js'), 'serve', '--data-dir', dataDir, '--quiet', '--port', String(port), ...bucketFlags], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const origin = `http://127.0.0.1:${port}`;
    const until = performance.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the emulator exited (${child.exitCode}) before answering`);
      if (performance.now() > until) throw new Error('the emulator did not answer /_smll/health within 30 s');
      try {
        const response = await request(`${origin}/_smll/health`);
        await response.body.dump();
        if (response.statusCode === 200) break;
      } catch {
        // Not listening yet.
      }
      await new Promise((ok) => setTimeout(ok, 20));
    }

    browser = await chromium.launch({ executablePath, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
    // One untimed round first: the emulator's and the browser's first-use costs are not the console's.
    await timeNavigation(browser, `${origin}/_smll/`, 'buckets');
    await timeNavigation(browser, `${origin}/_smll/#/b/large/objects/`, 'objects');
    const samples = { 'w5.firstView': [], 'w5.objects.small': [], [`w5.objects.${largeKeys}`]: [] };
    for (let rep = 0; rep < repetitions; rep++) {
      samples['w5.firstView'].push(await timeNavigation(browser, `${origin}/_smll/`, 'buckets'));
      const order = rep % 2 ? ['large', 'small'] : ['small', 'large'];
      for (const bucket of order) {
        const id = bucket === 'small' ? 'w5.objects.small' : `w5.objects.${largeKeys}`;
        samples[id].push(await timeNavigation(browser, `${origin}/_smll/#/b/${bucket}/objects/`, 'objects', bucket === 'small' ? SMALL_KEYS : Math.min(PAGE_SIZE, largeKeys)));
      }
    }
    return { samples, seconds };
  } finally {
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
