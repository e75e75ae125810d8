import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startEmulator, type Emulator } from '../../src/index.js';
import { launchChromium } from './chromium.js';

describe('the browser the console tests drive', () => {
  let browser: Browser;
  let emulator: Emulator;
  beforeAll(async () => {
    [browser, emulator] = await Promise.all([launchChromium(), startEmulator({ buckets: ['my-bucket'] })]);
  });
  afterAll(async () => {
    await Promise.all([browser?.close(), emulator?.stop()]);
  });

  it('is a real Chromium that reaches the emulator over HTTP', async () => {
    expect(browser.version()).toMatch(/^\d+\./);
    const page = await browser.newPage();
    const response = await page.goto(`${emulator.endpoint}/_smll/health`);
    expect(response?.status()).toBe(200);
    expect(JSON.parse(await page.innerText('body'))).toEqual({ status: 'ok' });
  });
});
