/**
 * The API restarted: a wallboard left open on the TV shows it is stale while the API is
 * gone and comes back by itself, with live figures, when a new API process listens again.
 */

import net from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, testConfig, type RunningApi } from '../support/stack.ts';
import { CHROMIUM, launchChromium } from '../support/browser.ts';

const prefix = testPrefix('apirestart');
const redis = connect();
let browser: Browser | undefined;
let api: RunningApi | undefined;
afterAll(async () => {
  await browser?.close();
  await api?.stop();
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });

describe.skipIf(!CHROMIUM && !process.env.CI)('API restart', () => {
  it('the wallboard goes stale and reconnects by itself', async () => {
    if (!CHROMIUM) throw new Error('no Chromium: run test/browser/install-chromium.sh');
    const config = testConfig(prefix, { PORT: String(await freePort()) });
    api = await apiFor(config, 300);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const banner = '[data-testid="stale-banner"]';
    await page.goto(`${api.url}/`);
    // The collector is not running here: the figures say so ("not connected to the phone switch").
    await expect.poll(() => page.locator(banner).textContent(), { timeout: 10_000 }).toMatch(/phone switch|telefooncentrale|centrale/i);
    // Mark the page so a reload would be noticed.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 7));
    await redis.hset(`${prefix}:{main}:health`, { amiConnected: '1', amiError: '' });
    await page.waitForSelector(banner, { state: 'hidden', timeout: 10_000 });
    await api.stop();
    api = undefined;
    await page.waitForSelector(banner, { state: 'visible', timeout: 15_000 });
    api = await apiFor(config, 300);
    await page.waitForSelector(banner, { state: 'hidden', timeout: 20_000 });
    expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(7);
  }, 60_000);

  it('explains a missing or wrong wallboard token instead of "reconnecting"', async () => {
    if (!CHROMIUM || !browser) throw new Error('no Chromium: run test/browser/install-chromium.sh');
    const guarded = await apiFor(testConfig(prefix, { WALLBOARD_TOKENS: 'wallboard-token-for-the-tv-1' }), 300);
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, locale: 'en-GB' });
      await page.goto(`${guarded.url}/`);
      await expect.poll(() => page.locator('[data-testid="stale-banner"]').textContent(), { timeout: 10_000 }).toMatch(/token/i);
      // With the right token the refusal is gone and the figures are live (the health the first
      // test left says the collector is connected).
      await page.goto(`${guarded.url}/?token=wallboard-token-for-the-tv-1`);
      await page.waitForSelector('[data-testid="stale-banner"]', { state: 'hidden', timeout: 10_000 });
    } finally {
      await guarded.stop();
    }
  }, 60_000);
});
