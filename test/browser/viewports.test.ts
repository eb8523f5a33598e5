/**
 * The wallboard on a TV (1920×1080), a laptop (1280×720) and a phone (390×844), on the real
 * stack (simulator → collector → Redis → API) in Debian's Chromium: every figure readable, no
 * horizontal scrolling, no text cut off, one language; and when the figures go stale, a banner
 * that shows the time of the last good update in full, in the page's language, with the
 * running clocks stopped. Screenshots go to screenshots/ (not in git) for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DICTIONARY, type Key } from '../../web/src/i18n.ts';
import { repoRoot } from '../support/captures.ts';
import { startLivePath, type LivePath } from '../support/stack.ts';
import { CHROMIUM, launchChromium, screenshot } from '../support/browser.ts';

const runnable = Boolean(CHROMIUM) || Boolean(process.env.CI);
const SHOTS = path.join(repoRoot, 'screenshots');

/** Smallest text allowed: a TV is read from across the room, a phone from arm's length. */
const VIEWPORTS = [
  { name: 'tv', width: 1920, height: 1080, minFontPx: 18 },
  { name: 'laptop', width: 1280, height: 720, minFontPx: 12 },
  { name: 'phone', width: 390, height: 844, minFontPx: 12 },
] as const;

let browser: Browser | undefined;
let stack: LivePath | undefined;
const pages = new Map<string, Page>();

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

interface Problems {
  overflowX: number;
  outside: string[];
  clipped: string[];
  small: string[];
}

/** Everything a person would call broken on this page, measured in the page. */
function inspect(page: Page, minFontPx: number): Promise<Problems> {
  return page.evaluate((minPx) => {
    const describe = (el: Element) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')} "${(el as HTMLElement).innerText?.slice(0, 40)}"`;
    const width = document.documentElement.clientWidth;
    const out = { overflowX: document.documentElement.scrollWidth - width, outside: [] as string[], clipped: [] as string[], small: [] as string[] };
    for (const el of document.querySelectorAll<HTMLElement>('body *')) {
      if (el.closest('.uplot, [hidden]') || el.tagName === 'SCRIPT') continue;
      const style = getComputedStyle(el);
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
      const ownText = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent!.trim() !== '');
      if (!ownText) continue;
      if (r.right > width + 0.5 || r.left < -0.5) out.outside.push(describe(el));
      // Text that does not fit its box where the box hides the rest (ellipsis, hidden, clamped).
      const hides = style.overflowX !== 'visible' || style.textOverflow === 'ellipsis';
      if (hides && (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 2)) out.clipped.push(describe(el));
      if (parseFloat(style.fontSize) < minPx - 0.05) out.small.push(`${describe(el)} ${style.fontSize}`);
    }
    return out;
  }, minFontPx);
}

/** English phrases (longer than a word) that must not show on a Dutch page. */
function englishOnly(): string[] {
  const phrases = new Set<string>();
  for (const key of Object.keys(DICTIONARY.en) as Key[]) {
    const en = DICTIONARY.en[key];
    if (en === DICTIONARY.nl[key] || key === 'switchLanguage') continue;
    for (const part of en.split(/\{\w+\}/)) if (part.trim().split(/\s+/).length >= 2) phrases.add(part.trim());
  }
  return [...phrases];
}

describe.skipIf(!runnable)('the wallboard on a TV, a laptop and a phone', () => {
  beforeAll(async () => {
    if (!CHROMIUM) throw new Error('no Chromium: run test/browser/install-chromium.sh');
    // The default demo (busy hour) at 20× speed: callers waiting, answered, abandoned within seconds.
    stack = await startLivePath({ name: 'viewports', speed: 20 });
    browser = await launchChromium();
    mkdirSync(SHOTS, { recursive: true });
  }, 60_000);

  for (const vp of VIEWPORTS) {
    it(`${vp.width}×${vp.height}: every figure readable, nothing clipped or off-screen, Dutch only`, async () => {
      const context = await browser!.newContext({ viewport: { width: vp.width, height: vp.height }, locale: 'nl-NL', deviceScaleFactor: 1 });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(String(e)));
      pages.set(vp.name, page);
      await page.goto(`${stack!.api.url}/`);
      const offered = page.locator('#totals [data-fig="offered"] .value');
      await expect.poll(async () => Number((await offered.textContent())?.replace(/\D/g, '') || 0), { timeout: 20_000 }).toBeGreaterThan(2);
      await expect.poll(() => page.locator('#agents .agent').count(), { timeout: 10_000 }).toBeGreaterThan(0);
      await page.waitForTimeout(300); // one more frame and tick
      await screenshot(page, path.join(SHOTS, `wallboard-${vp.name}.png`), { fullPage: true });

      expect(await page.title()).toMatch(/^Belofte — /);
      const problems = await inspect(page, vp.minFontPx);
      expect(problems.overflowX, 'horizontal scrolling').toBeLessThanOrEqual(0);
      expect(problems.outside, 'text outside the screen').toEqual([]);
      expect(problems.clipped, 'text cut off').toEqual([]);
      expect(problems.small, `text smaller than ${vp.minFontPx}px`).toEqual([]);
      // Every queue's name shows in full, and every figure of the table is on screen.
      for (const q of Object.keys(stack!.latest()!.queues)) {
        await expect.poll(() => page.locator(`#queues tr[data-queue="${q}"] .qname`).innerText()).toBe(q);
      }
      const text = await page.locator('body').innerText();
      for (const phrase of englishOnly()) expect(text, `English on the Dutch page: "${phrase}"`).not.toContain(phrase);
      expect(errors).toEqual([]);
    }, 60_000);
  }

  it('when the switch connection is lost: a readable Dutch banner with the last good update, clocks stopped', async () => {
    await stack!.collector.stop();
    for (const vp of VIEWPORTS) {
      const page = pages.get(vp.name)!;
      const banner = page.locator('[data-testid="stale-banner"]');
      await banner.waitFor({ state: 'visible', timeout: 15_000 });
      const shown = await banner.innerText();
      expect(shown).toMatch(/laatste goede update \d\d:\d\d:\d\d/);
      expect(shown).toMatch(/telefooncentrale/);
      expect(shown).toMatch(/klokken staan stil/);
      for (const phrase of englishOnly()) expect(shown).not.toContain(phrase);
      expect(shown).not.toMatch(/collector|Redis|stopped/i);
      const problems = await inspect(page, vp.minFontPx);
      expect(problems.clipped, 'banner text cut off').toEqual([]);
      expect(problems.outside).toEqual([]);
      expect(problems.overflowX).toBeLessThanOrEqual(0);
      await screenshot(page, path.join(SHOTS, `wallboard-${vp.name}-stale.png`), { fullPage: true });
      // The running clocks stand still while the figures are not live.
      const clocks = () => page.locator('.a-time').allInnerTexts();
      const before = await clocks();
      await page.waitForTimeout(1_300);
      expect(await clocks()).toEqual(before);
    }
  }, 60_000);
});
