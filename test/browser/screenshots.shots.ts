/**
 * Writes a PNG of each console view to docs/screenshots/ (`npm run screenshots`), from an
 * emulator seeded like a small real application's bucket: a few prefixes, a JSON document, a
 * text file, an image, a second page of keys, and a request SMLL refuses in the log.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startEmulator, type Emulator } from '../../src/index.js';
import { clientFor, s3ErrorOf } from '../helpers.js';
import { launchChromium } from './chromium.js';
import { png } from './png.js';

const OUT = resolve(dirname(fileURLToPath(import.meta.url)), '../../docs/screenshots');
const BUCKET = 'my-bucket';
const WAIT = 10_000;
/** The README shows these as they are: small enough to keep in the repository. */
const MAX_BYTES = 200 * 1024;

let browser: Browser;
let emulator: Emulator;
let s3: S3Client;
let page: Page;
let files: string;

async function shot(name: string): Promise<void> {
  // Let the status line's and the uploads' last paint settle.
  await page.waitForTimeout(150);
  const file = join(OUT, `${name}.png`);
  await page.screenshot({ path: file });
  expect(statSync(file).size).toBeLessThan(MAX_BYTES);
}

/** Waits until the listing of `prefix` is drawn (a hash change keeps the old view for a moment). */
async function listed(prefix = ''): Promise<void> {
  await expect
    .poll(async () => (await page.locator('table.listing').getAttribute('aria-busy')) === 'false' && (await page.locator('table.listing caption').innerText()).startsWith(prefix ? `Under ${prefix}:` : ''), { timeout: WAIT })
    .toBe(true);
}

beforeAll(async () => {
  [browser, emulator] = await Promise.all([launchChromium(), startEmulator({ buckets: [BUCKET, 'invoices', 'thumbnails'], host: '127.0.0.1' })]);
  s3 = clientFor(emulator.env(BUCKET));
  files = mkdtempSync(join(tmpdir(), 'smll-screenshots-'));
  mkdirSync(OUT, { recursive: true });
  const put = (Key: string, Body: string | Buffer, ContentType?: string): Promise<unknown> => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body, ContentType }));
  const logo = png(240, 160, (x, y) => {
    const inside = (x - 120) ** 2 + (y - 80) ** 2 < 55 ** 2;
    return inside ? [27, 127, 59] : [235 - Math.round(y / 4), 242 - Math.round(x / 8), 250];
  });
  await Promise.all([
    put('README.txt', 'Uploads of the photo app.\nKeys: uploads/<user>/<name>, thumbnails in the thumbnails bucket.\n', 'text/plain'),
    put('config.json', JSON.stringify({ app: 'photos', version: 3, limits: { maxUploadMiB: 25, types: ['image/jpeg', 'image/png'] }, retentionDays: 30 }), 'application/json'),
    put('images/logo.png', logo, 'image/png'),
    put('images/banner.png', png(64, 16, (x) => [x * 4, 90, 200]), 'image/png'),
    put('reports/2026-11.csv', 'day,uploads,bytes\n2026-11-01,412,98122311\n2026-11-02,388,90211022\n', 'text/csv'),
    put('backups/db-2026-11-29.sql.gz', Buffer.alloc(48_213, 7), 'application/gzip'),
  ]);
  for (let batch = 0; batch < 130; batch += 26) {
    await Promise.all(Array.from({ length: 26 }, (_, i) => put(`uploads/user-${String(batch + i).padStart(3, '0')}.jpg`, Buffer.alloc(1_000 + (batch + i) * 37, 1), 'image/jpeg')));
  }
  // What the log's badge is for: a call the application makes that SMLL refuses.
  await s3ErrorOf(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'uploads/public-avatar.jpg', Body: 'x', ACL: 'public-read' })));
  page = await browser.newPage({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
});

afterAll(async () => {
  await Promise.all([browser?.close(), emulator?.stop()]);
  if (files) rmSync(files, { recursive: true, force: true });
});

it('draws each view into docs/screenshots/', async () => {
  const console = `${emulator.endpoint}/_smll/`;
  await page.goto(console);
  await page.getByRole('link', { name: `Credentials of ${BUCKET}` }).waitFor({ timeout: WAIT });
  await shot('buckets');

  await page.goto(`${console}#/b/${BUCKET}`);
  await page.getByLabel('ACCESS_KEY', { exact: true }).waitFor({ timeout: WAIT });
  await shot('credentials');

  await page.goto(`${console}#/b/${BUCKET}/objects/`);
  await listed();
  await shot('objects');

  await page.goto(`${console}#/b/${BUCKET}/objects/uploads/`);
  await listed('uploads/');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect.poll(() => page.locator('table.listing caption').innerText(), { timeout: WAIT }).toContain('(page 2)');
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot('objects-page-2');

  await page.goto(`${console}#/b/${BUCKET}/objects/`);
  await listed();
  await page.getByRole('button', { name: 'config.json', exact: true }).click();
  await page.getByLabel('Preview of config.json').waitFor({ timeout: WAIT });
  await shot('preview-json');

  await page.goto(`${console}#/b/${BUCKET}/objects/images/`);
  await listed('images/');
  await page.getByRole('button', { name: 'logo.png', exact: true }).click();
  const image = page.getByRole('img', { name: 'Preview of images/logo.png' });
  await image.waitFor({ timeout: WAIT });
  await expect.poll(() => image.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth), { timeout: WAIT }).toBe(240);
  await shot('preview-image');

  const notes = join(files, 'notes.txt');
  const photo = join(files, 'holiday.jpg');
  writeFileSync(notes, 'Meeting notes\n');
  writeFileSync(photo, Buffer.alloc(2_345_678, 3));
  await page.getByLabel('Upload files').setInputFiles([notes, photo]);
  await page.getByRole('list', { name: 'Uploads' }).getByText('Uploaded', { exact: true }).nth(1).waitFor({ timeout: WAIT });
  await page.getByRole('button', { name: 'holiday.jpg', exact: true }).waitFor({ timeout: WAIT });
  await shot('upload');

  await page.getByRole('button', { name: 'banner.png', exact: true }).click();
  await page.getByRole('complementary', { name: 'banner.png' }).getByRole('button', { name: 'Delete…' }).click();
  await page.getByRole('dialog', { name: 'Delete object?' }).waitFor({ timeout: WAIT });
  await shot('delete');
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

  // The application's latest calls, at the top of the log: one SMLL refuses, one missing key.
  await s3ErrorOf(s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'uploads/missing.jpg' })));
  await s3ErrorOf(s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'reports/shared.csv', Body: 'x', ACL: 'public-read' })));
  await page.goto(`${console}#/log`);
  await page.locator('tbody tr[data-refused=true]').first().waitFor({ timeout: WAIT });
  await shot('request-log');
  await page.getByLabel('Refused only').check();
  await shot('request-log-refused');
});
