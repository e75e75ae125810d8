/**
 * The console (issue 13) driven in Debian's Chromium: a real emulator on 127.0.0.1 (temp data
 * dir), the page as a user meets it, and every effect checked from outside the page too (the
 * clipboard, the SDK, the downloaded file). Tests run in order and share the emulator.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { startEmulator, type Emulator } from '../../src/index.js';
import { clientFor, s3ErrorOf } from '../helpers.js';
import { launchChromium } from './chromium.js';
import { png } from './png.js';

/** Retrying assertions wait at most this long (the page answers a local emulator in milliseconds). */
const WAIT = 10_000;
const BUCKET = 'my-bucket';
const OTHER = 'other-bucket';

interface ApiBucket {
  name: string;
  credentials: { ACCESS_KEY: string; SECRET_KEY: string; ENDPOINT: string; REGION: string };
  snippets: Record<'shell' | 'dotenv' | 'kubernetes' | 'node' | 'python' | 'go', string>;
}

/** Retries `check` until it passes or WAIT runs out (then throws its last failure). */
async function eventually(check: () => Promise<void> | void): Promise<void> {
  const until = Date.now() + WAIT;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

/** An entry of /_smll/api/events, the fields these tests read. */
interface EventEntry {
  requestId: string;
  operation: string;
  bucket?: string;
  key?: string;
  status: number;
  console?: boolean;
}

/** Follows /_smll/api/events from Node (outside the page): every entry, in the order logged, until `stop`. */
async function watchEvents(origin: string): Promise<{ entries: EventEntry[]; stop: () => void }> {
  const controller = new AbortController();
  const response = await fetch(`${origin}/_smll/api/events`, { signal: controller.signal });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const entries: EventEntry[] = [];
  void (async () => {
    let buffer = '';
    try {
      // Ends when `stop` aborts the request.
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += value;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const data = buffer.slice(0, end).split('\n').find((line) => line.startsWith('data: '));
          buffer = buffer.slice(end + 2);
          if (data) entries.push(JSON.parse(data.slice('data: '.length)) as EventEntry);
        }
      }
    } catch {
      // Aborted by stop().
    }
  })();
  return { entries, stop: () => controller.abort() };
}

async function bodyOf(s3: S3Client, bucket: string, key: string): Promise<Buffer> {
  const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

describe('the console in Chromium', () => {
  let browser: Browser;
  let emulator: Emulator;
  let s3: S3Client;
  let other: S3Client;
  let context: BrowserContext;
  let page: Page;
  let origin: string;
  let files: string;
  /** `pageerror` and console errors of the normal flows: none expected. */
  const pageErrors: string[] = [];
  const image = png(48, 32, (x, y) => [x * 5, y * 8, 160]);
  const json = { name: 'smll', sizes: [1, 2, 3], nested: { ok: true } };

  const objects = (): Locator => page.getByRole('table');
  const details = (name: string): Locator => page.getByRole('complementary', { name, exact: true });
  const status = (): Locator => page.getByRole('status');

  async function openObjects(prefix = ''): Promise<void> {
    await page.goto(`${origin}/_smll/#/b/${BUCKET}/objects/${prefix}`);
    await expect.poll(() => objects().getAttribute('aria-busy'), { timeout: WAIT }).toBe('false');
  }

  beforeAll(async () => {
    [browser, emulator] = await Promise.all([
      launchChromium(['--host-resolver-rules=MAP evil.test 127.0.0.1']),
      startEmulator({ buckets: [BUCKET, OTHER], host: '127.0.0.1' }),
    ]);
    origin = emulator.endpoint;
    s3 = clientFor(emulator.env(BUCKET));
    other = clientFor(emulator.env(OTHER));
    files = mkdtempSync(join(tmpdir(), 'smll-console-browser-'));
    await Promise.all([
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'docs/readme.txt', Body: 'Hello from the console test.\nSecond line.\n', ContentType: 'text/plain' })),
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'docs/guide/intro.md', Body: '# Intro\n', ContentType: 'text/markdown' })),
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'data/config.json', Body: JSON.stringify(json), ContentType: 'application/json' })),
      s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'images/logo.png', Body: image, ContentType: 'image/png' })),
    ]);
    // 130 keys under one prefix: two pages of 100.
    for (let batch = 0; batch < 130; batch += 26) {
      await Promise.all(
        Array.from({ length: 26 }, (_, i) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `many/key-${String(batch + i).padStart(3, '0')}.txt`, Body: `key ${batch + i}` }))),
      );
    }
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console: ${message.text()}`);
    });
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), emulator?.stop()]);
    if (files) rmSync(files, { recursive: true, force: true });
  });

  it('lists the buckets and shows each bucket’s Credentials tab with SMLL’s four values; every copy button copies the real text', async () => {
    const api = (await (await fetch(`${origin}/_smll/api/buckets`)).json()) as { buckets: ApiBucket[] };
    const mine = api.buckets.find((bucket) => bucket.name === BUCKET)!;
    const values = emulator.credentials(BUCKET);
    expect(mine.credentials).toEqual(values);
    expect(values.ENDPOINT).toBe(emulator.endpoint);

    await page.goto(`${origin}/_smll/`);
    await page.getByRole('heading', { name: 'Buckets', level: 1 }).waitFor({ timeout: WAIT });
    for (const name of [BUCKET, OTHER]) await page.getByRole('link', { name: `Credentials of ${name}` }).waitFor({ timeout: WAIT });
    await page.getByRole('link', { name: `Credentials of ${BUCKET}` }).click();
    await page.getByRole('heading', { name: BUCKET, level: 1 }).waitFor({ timeout: WAIT });
    expect(await page.getByRole('tab', { name: 'Credentials' }).getAttribute('aria-selected')).toBe('true');

    for (const [name, value] of Object.entries(values)) {
      expect(await page.getByLabel(name, { exact: true }).inputValue()).toBe(value);
    }
    const secret = page.getByLabel('SECRET_KEY', { exact: true });
    const reveal = page.getByRole('button', { name: 'Reveal SECRET_KEY' });
    const shell = page.getByRole('region', { name: 'Shell exports' }).locator('pre');
    expect(await secret.getAttribute('type')).toBe('password');
    expect(await shell.innerText()).not.toContain(values.SECRET_KEY);
    await reveal.click();
    expect(await secret.getAttribute('type')).toBe('text');
    expect(await reveal.getAttribute('aria-pressed')).toBe('true');
    expect(await shell.innerText()).toContain(values.SECRET_KEY);
    await reveal.click();
    expect(await secret.getAttribute('type')).toBe('password');

    const clipboard = (): Promise<string> => page.evaluate(() => navigator.clipboard.readText());
    for (const [name, value] of Object.entries(values)) {
      await page.evaluate(() => navigator.clipboard.writeText(''));
      await page.getByRole('button', { name: `Copy ${name}`, exact: true }).click();
      await eventually(async () => expect(await clipboard()).toBe(value));
      await eventually(async () => expect(await status().innerText()).toBe(`Copied ${name}`));
    }
    const snippets: Array<[keyof ApiBucket['snippets'], string]> = [
      ['shell', 'Shell exports'],
      ['dotenv', '.env'],
      ['kubernetes', 'Kubernetes Secret'],
      ['node', 'Node.js snippet'],
      ['python', 'Python snippet'],
      ['go', 'Go snippet'],
    ];
    for (const [field, title] of snippets) {
      await page.evaluate(() => navigator.clipboard.writeText(''));
      // The secret is masked on screen, never in what is copied.
      await page.getByRole('region', { name: title, exact: true }).getByRole('button', { name: `Copy ${title}` }).click();
      await eventually(async () => expect(await clipboard()).toBe(mine.snippets[field]));
      await eventually(async () => expect(await status().innerText()).toBe(`Copied ${title}`));
    }
    // The Node and Python snippets keep SMLL's placeholders, and the page says so above them.
    expect(mine.snippets.node).toContain('fileBuffer');
    expect(mine.snippets.python).toContain('photo.jpg');
    const placeholders = page.getByText('fileBuffer and photo.jpg are SMLL’s placeholders: put your data there.');
    expect(await placeholders.isVisible()).toBe(true);
    expect(await placeholders.evaluate((p, region) => Boolean(p.compareDocumentPosition(region as Node) & Node.DOCUMENT_POSITION_FOLLOWING), await page.getByRole('region', { name: 'Node.js snippet' }).elementHandle())).toBe(true);
    expect(mine.snippets.shell).toContain(`S3_SECRET_KEY=${values.SECRET_KEY}`);
    expect(mine.snippets.node).toContain(values.ACCESS_KEY);
    expect(mine.snippets.python).toContain(`"${BUCKET}"`);
    expect(mine.snippets.go).toContain(values.ENDPOINT);
  });

  it('browses into a prefix and back out through the breadcrumb', async () => {
    await page.goto(`${origin}/_smll/#/b/${BUCKET}`);
    await page.getByRole('tab', { name: 'Objects' }).click();
    await expect.poll(() => objects().locator('caption').innerText(), { timeout: WAIT }).toBe('4 folders, 0 objects');
    await page.getByRole('link', { name: 'docs/', exact: true }).click();
    await expect.poll(() => objects().locator('caption').innerText(), { timeout: WAIT }).toBe('Under docs/: 1 folder, 1 object');
    await page.getByRole('link', { name: 'guide/', exact: true }).click();
    await expect.poll(() => objects().locator('caption').innerText(), { timeout: WAIT }).toBe('Under docs/guide/: 0 folders, 1 object');
    await page.getByRole('button', { name: 'intro.md', exact: true }).waitFor({ timeout: WAIT });
    const crumbs = page.getByRole('navigation', { name: 'Prefix' });
    expect(await crumbs.locator('[aria-current=page]').innerText()).toBe('guide/');
    await crumbs.getByRole('link', { name: 'docs/', exact: true }).click();
    await expect.poll(() => objects().locator('caption').innerText(), { timeout: WAIT }).toBe('Under docs/: 1 folder, 1 object');
    await crumbs.getByRole('link', { name: BUCKET }).click();
    await expect.poll(() => objects().locator('caption').innerText(), { timeout: WAIT }).toBe('4 folders, 0 objects');
    expect(page.url()).toBe(`${origin}/_smll/#/b/${BUCKET}/objects/`);
  });

  it('pages through 130 keys under one prefix, 100 a page, with Next and Previous', async () => {
    await openObjects('many/');
    const names = (): Promise<string[]> => objects().locator('tbody button').allInnerTexts();
    const expected = (from: number, to: number): string[] => Array.from({ length: to - from }, (_, i) => `key-${String(from + i).padStart(3, '0')}.txt`);
    expect(await objects().locator('caption').innerText()).toBe('Under many/: 0 folders, 100 objects (page 1)');
    expect(await names()).toEqual(expected(0, 100));
    const previous = page.getByRole('button', { name: 'Previous' });
    const next = page.getByRole('button', { name: 'Next' });
    expect(await previous.isDisabled()).toBe(true);
    await next.click();
    await expect.poll(() => objects().locator('caption').innerText(), { timeout: WAIT }).toBe('Under many/: 0 folders, 30 objects (page 2)');
    expect(await names()).toEqual(expected(100, 130));
    expect(await page.getByText('Page 2', { exact: true }).isVisible()).toBe(true);
    expect(await next.isDisabled()).toBe(true);
    await previous.click();
    await expect.poll(() => objects().locator('caption').innerText(), { timeout: WAIT }).toBe('Under many/: 0 folders, 100 objects (page 1)');
    expect(await names()).toEqual(expected(0, 100));
  });

  it('shows objects another client puts or deletes under the prefix without Refresh, keeping the selection', async () => {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'live/first.txt', Body: 'first' }));
    await openObjects('live/');
    await page.getByRole('button', { name: 'first.txt', exact: true }).click();
    await details('first.txt').getByLabel('Preview of live/first.txt').waitFor({ timeout: WAIT });

    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'live/fresh.txt', Body: 'put by the SDK' }));
    await page.getByRole('button', { name: 'fresh.txt', exact: true }).waitFor({ timeout: WAIT });
    await expect.poll(() => objects().locator('caption').innerText(), { timeout: WAIT }).toBe('Under live/: 0 folders, 2 objects');
    expect(await page.getByRole('button', { name: 'first.txt', exact: true }).getAttribute('aria-current')).toBe('true');
    expect(await details('first.txt').isVisible()).toBe(true);

    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'live/fresh.txt' }));
    await page.getByRole('button', { name: 'fresh.txt', exact: true }).waitFor({ state: 'detached', timeout: WAIT });
    await expect.poll(() => objects().locator('caption').innerText(), { timeout: WAIT }).toBe('Under live/: 0 folders, 1 object');
  });

  it('lists once per view: one ListObjectsV2 for a page load at a prefix, one for a move to another', async () => {
    const events = await watchEvents(origin);
    try {
      const mark = async (key: string): Promise<number> => {
        expect((await s3ErrorOf(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key })))).status).toBe(404);
        await eventually(() => expect(events.entries.some((entry) => entry.key === key)).toBe(true));
        return events.entries.findIndex((entry) => entry.key === key);
      };
      const from = await mark('markers/before');
      await page.goto('about:blank');
      await openObjects('docs/');
      await page.getByRole('link', { name: 'guide/', exact: true }).click();
      await expect.poll(() => objects().locator('caption').innerText(), { timeout: WAIT }).toBe('Under docs/guide/: 0 folders, 1 object');
      // Longer than a live refresh's delay: a second listing would have been sent by now.
      await page.waitForTimeout(800);
      const to = await mark('markers/after');
      const listings = events.entries.slice(from, to).filter((entry) => entry.operation === 'ListObjectsV2' && entry.console && entry.bucket === BUCKET);
      expect(listings).toHaveLength(2);
    } finally {
      events.stop();
    }
  });

  it('at 390 px the listing scrolls sideways in its own focusable region and names do not break mid-word', async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    try {
      await openObjects('many/');
      const region = page.getByRole('region', { name: 'Objects listing' });
      expect(await region.getAttribute('tabindex')).toBe('0');
      await region.focus();
      expect(await region.evaluate((el) => el === document.activeElement)).toBe(true);
      expect(await region.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      const lines = await page
        .getByRole('button', { name: 'key-000.txt', exact: true })
        .evaluate((el) => {
          const range = document.createRange();
          range.selectNodeContents(el);
          return range.getClientRects().length;
        });
      expect(lines).toBe(1);
    } finally {
      await page.setViewportSize({ width: 1280, height: 800 });
    }
  });

  it('uploads a small file from the file input and another by drag and drop', async () => {
    await openObjects('uploads/');
    const picked = join(files, 'picked.txt');
    writeFileSync(picked, 'picked with the file input\n');
    await page.getByLabel('Upload files').setInputFiles(picked);
    const uploads = page.getByRole('list', { name: 'Uploads' });
    await uploads.getByRole('listitem').filter({ hasText: 'uploads/picked.txt' }).getByText('Uploaded', { exact: true }).waitFor({ timeout: WAIT });
    await eventually(async () => expect(await status().innerText()).toBe('Uploaded uploads/picked.txt'));
    expect((await bodyOf(s3, BUCKET, 'uploads/picked.txt')).toString()).toBe('picked with the file input\n');
    await page.getByRole('button', { name: 'picked.txt', exact: true }).waitFor({ timeout: WAIT });

    // A real drop event carrying a File made in the page, fired on the Upload region.
    const zone = page.getByRole('region', { name: 'Upload' });
    const transfer = await page.evaluateHandle(() => {
      const data = new DataTransfer();
      data.items.add(new File(['{"dropped":true}'], 'dropped.json', { type: 'application/json' }));
      return data;
    });
    await zone.dispatchEvent('dragenter', { dataTransfer: transfer });
    await zone.dispatchEvent('dragover', { dataTransfer: transfer });
    await zone.dispatchEvent('drop', { dataTransfer: transfer });
    await uploads.getByRole('listitem').filter({ hasText: 'uploads/dropped.json' }).getByText('Uploaded', { exact: true }).waitFor({ timeout: WAIT });
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'uploads/dropped.json' }));
    expect(head.ContentType).toBe('application/json');
    expect((await bodyOf(s3, BUCKET, 'uploads/dropped.json')).toString()).toBe('{"dropped":true}');
    await page.getByRole('button', { name: 'dropped.json', exact: true }).waitFor({ timeout: WAIT });
  });

  it('uploads a 17 MiB file in three 8 MiB parts (multipart), bytes and ETag checked through the SDK', async () => {
    await openObjects('uploads/');
    const bytes = randomBytes(17 * 1024 * 1024);
    const big = join(files, 'big.bin');
    writeFileSync(big, bytes);
    await page.getByLabel('Upload files').setInputFiles(big);
    const item = page.getByRole('list', { name: 'Uploads' }).getByRole('listitem').filter({ hasText: 'uploads/big.bin' });
    await item.getByText('Uploaded', { exact: true }).waitFor({ timeout: 30_000 });
    expect(await item.getByRole('progressbar', { name: 'Upload progress of uploads/big.bin' }).getAttribute('value')).toBe(String(bytes.length));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'uploads/big.bin' }));
    expect(head.ContentLength).toBe(bytes.length);
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
    expect((await bodyOf(s3, BUCKET, 'uploads/big.bin')).equals(bytes)).toBe(true);
  });

  it('previews text, pretty-printed JSON and an image', async () => {
    await openObjects('docs/');
    await page.getByRole('button', { name: 'readme.txt', exact: true }).click();
    const text = details('readme.txt').getByLabel('Preview of docs/readme.txt');
    await text.waitFor({ timeout: WAIT });
    expect(await text.innerText()).toBe('Hello from the console test.\nSecond line.\n');
    expect(await details('readme.txt').innerText()).toContain('text/plain');

    await openObjects('data/');
    await page.getByRole('button', { name: 'config.json', exact: true }).click();
    const pretty = details('config.json').getByLabel('Preview of data/config.json');
    await pretty.waitFor({ timeout: WAIT });
    expect(await pretty.innerText()).toBe(JSON.stringify(json, null, 2));

    await openObjects('images/');
    await page.getByRole('button', { name: 'logo.png', exact: true }).click();
    const img = details('logo.png').getByRole('img', { name: 'Preview of images/logo.png' });
    await img.waitFor({ timeout: WAIT });
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && [el.naturalWidth, el.naturalHeight].join('×')), { timeout: WAIT }).toBe('48×32');
  });

  it('downloads an object: the saved bytes are the stored ones', async () => {
    await openObjects('images/');
    await page.getByRole('button', { name: 'logo.png', exact: true }).click();
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: WAIT }), details('logo.png').getByRole('link', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toBe('logo.png');
    const saved = join(files, 'downloaded.png');
    await download.saveAs(saved);
    expect(readFileSync(saved).equals(image)).toBe(true);
  });

  it('deletes only after the confirmation: Cancel keeps the object, Delete removes it', async () => {
    await openObjects('uploads/');
    await page.getByRole('button', { name: 'picked.txt', exact: true }).click();
    const pane = details('picked.txt');
    await pane.getByRole('button', { name: 'Delete…' }).click();
    let dialog = page.getByRole('dialog', { name: 'Delete object?' });
    await dialog.waitFor({ timeout: WAIT });
    expect(await dialog.innerText()).toContain(`${BUCKET}/uploads/picked.txt`);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached', timeout: WAIT });
    expect((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'uploads/picked.txt' }))).ContentLength).toBeGreaterThan(0);

    await pane.getByRole('button', { name: 'Delete…' }).click();
    dialog = page.getByRole('dialog', { name: 'Delete object?' });
    await dialog.getByRole('button', { name: 'Delete' }).click();
    await eventually(async () => expect(await status().innerText()).toBe('Deleted uploads/picked.txt'));
    expect((await s3ErrorOf(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'uploads/picked.txt' })))).status).toBe(404);
    await page.getByRole('button', { name: 'picked.txt', exact: true }).waitFor({ state: 'detached', timeout: WAIT });
    await page.getByRole('button', { name: 'dropped.json', exact: true }).waitFor({ timeout: WAIT });
  });

  it('shows a request SMLL refuses, made outside the page, live with its badge; filters narrow the rows; the console’s own calls are marked', async () => {
    await page.goto(`${origin}/_smll/#/log`);
    await page.getByRole('heading', { name: 'Request log' }).waitFor({ timeout: WAIT });
    await page.getByText('Live', { exact: true }).waitFor({ timeout: WAIT });
    const rows = page.locator('table tbody tr');
    const refusedRows = page.locator('tbody tr[data-refused=true]');
    expect(await refusedRows.count()).toBe(0);

    const refused = await s3ErrorOf(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'public.txt', Body: 'x', ACL: 'public-read' })));
    expect(refused.code).toBe('AccessDenied');
    const missing = await s3ErrorOf(other.send(new GetObjectCommand({ Bucket: OTHER, Key: 'absent.txt' })));
    expect(missing.status).toBe(404);

    const row = refusedRows.filter({ hasText: `${BUCKET}/public.txt` });
    await row.waitFor({ timeout: WAIT });
    expect(await row.getByText('s3:PutObjectAcl ← x-amz-acl', { exact: true }).isVisible()).toBe(true);
    // The hint is on screen under the badge, not in a tooltip.
    const hint = row.locator('.hint');
    expect(await hint.isVisible()).toBe(true);
    expect(await hint.innerText()).toContain('x-amz-acl');
    expect(await page.getByText('names the IAM action a request was refused').isVisible()).toBe(true);
    expect(await page.getByText('SMLL does not grant').count()).toBe(0);
    expect(await row.innerText()).toMatch(/PutObject[\s\S]*403[\s\S]*AccessDenied/);
    expect(await row.locator('.badge.console').count()).toBe(0);
    await rows.filter({ hasText: `${OTHER}/absent.txt` }).waitFor({ timeout: WAIT });

    // The page's own calls (the listings and uploads above) carry the console badge.
    const consoleRows = rows.filter({ has: page.locator('.badge.console') });
    expect(await consoleRows.count()).toBeGreaterThan(5);
    expect(await consoleRows.filter({ hasText: 'ListObjectsV2' }).count()).toBeGreaterThan(0);

    const visible = async (): Promise<Array<{ bucket: string; status: string; refused: string }>> =>
      rows.evaluateAll((trs) =>
        trs.filter((tr) => (tr as HTMLElement).offsetParent !== null).map((tr) => ({ bucket: tr.getAttribute('data-bucket') ?? '', status: tr.getAttribute('data-status') ?? '', refused: tr.getAttribute('data-refused') ?? '' })),
      );
    const all = (await visible()).length;
    const filters = page.getByRole('form', { name: 'Filters' });

    await filters.getByLabel('Refused only').check();
    await eventually(async () => {
      const shown = await visible();
      expect(shown.length).toBe(1);
      expect(shown[0]).toEqual({ bucket: BUCKET, status: '4xx', refused: 'true' });
    });
    await filters.getByLabel('Refused only').uncheck();

    await filters.getByLabel('Bucket').selectOption(OTHER);
    await eventually(async () => {
      const shown = await visible();
      expect(shown.length).toBeGreaterThan(0);
      expect(shown.length).toBeLessThan(all);
      expect(shown.every((entry) => entry.bucket === OTHER)).toBe(true);
    });
    await filters.getByLabel('Bucket').selectOption('');

    await filters.getByLabel('Status').selectOption('4xx');
    await eventually(async () => {
      const shown = await visible();
      expect(shown.length).toBeGreaterThanOrEqual(2);
      expect(shown.length).toBeLessThan(all);
      expect(shown.every((entry) => entry.status === '4xx')).toBe(true);
    });
    expect(await page.getByText(/^Showing \d+ of \d+ requests$/).innerText()).toMatch(new RegExp(`^Showing ${(await visible()).length} of \\d+ requests$`));
    await filters.getByLabel('Status').selectOption('');
    await eventually(async () => expect((await visible()).length).toBe(all));
  });

  it('refuses the console to a page opened under another name for this address (DNS rebinding)', async () => {
    const port = new URL(origin).port;
    const rebound = await context.newPage();
    try {
      const response = await rebound.goto(`http://evil.test:${port}/_smll/`);
      expect(response?.status()).toBe(403);
      const body = JSON.parse(await rebound.innerText('body')) as { error: string; message: string };
      expect(body.error).toBe('ConsoleForbidden');
      expect(body.message).toContain('evil.test');
      const api = await rebound.goto(`http://evil.test:${port}/_smll/api/buckets`);
      expect(api?.status()).toBe(403);
      expect(await rebound.innerText('body')).not.toContain(emulator.credentials(BUCKET).SECRET_KEY);
    } finally {
      await rebound.close();
    }
  });

  it('logged no page error and no console error in the flows above', () => {
    expect(pageErrors).toEqual([]);
  });
});
