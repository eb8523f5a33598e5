/**
 * The wallboard on the real stack: simulator → collector → Redis → API, opened in Debian's
 * headless Chromium. It must show the live figures and change them without a reload.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/captures.ts';
import { startLivePath, until, type LivePath } from '../support/stack.ts';
import { SCENARIO } from '../e2e/scenario.ts';
import { CHROMIUM, launchChromium, screenshot } from '../support/browser.ts';

const runnable = Boolean(CHROMIUM) || Boolean(process.env.CI);

let browser: Browser | undefined;
let stack: LivePath | undefined;
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe.skipIf(!runnable)('wallboard on the live stack', () => {
  it('shows the simulator’s calls as they happen and saves a screenshot', async () => {
    if (!CHROMIUM) throw new Error('no Chromium: run test/browser/install-chromium.sh');
    stack = await startLivePath({ name: 'browser', scenario: SCENARIO, speed: 3 });
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 }, locale: 'nl-NL' });
    await page.goto(`${stack.api.url}/`);
    const offered = page.locator('#totals [data-fig="offered"] .value');
    await expect.poll(async () => Number((await offered.textContent())?.replace(/\D/g, '') || 0), { timeout: 15_000 }).toBeGreaterThan(0);
    const first = Number((await offered.textContent())!.replace(/\D/g, ''));
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    // More calls arrive: the figure rises on the same page (no reload: the marker survives).
    await expect.poll(async () => Number((await offered.textContent())?.replace(/\D/g, '') || 0), { timeout: 15_000 }).toBeGreaterThan(first);
    expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);
    // And it agrees with the API.
    await until(async () => {
      const live = (await (await fetch(`${stack!.api.url}/api/live`)).json()) as { total: { offered: number } };
      const shown = Number((await offered.textContent())!.replace(/\D/g, ''));
      return shown === live.total.offered ? true : undefined;
    }, 10_000, 'the page to agree with /api/live');
    await expect.poll(() => page.locator('#agents').textContent(), { timeout: 10_000 }).toContain('agent1');
    mkdirSync(path.join(repoRoot, 'screenshots'), { recursive: true });
    await screenshot(page, path.join(repoRoot, 'screenshots', 'wallboard-live.png'));
  }, 60_000);
});
