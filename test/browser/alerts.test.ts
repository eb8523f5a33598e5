/**
 * The alert strip on the wallboard and the callback list page, in a real browser (Debian's
 * Chromium via playwright-core) against the real API, evaluator and Redis: a caller waiting
 * 4:00 puts the alert on the board (flashing, sounding once), the switches turn flash and
 * sound off and are remembered, and it goes when the caller is answered; the callback list
 * shows full numbers to a supervisor who marks a caller called back, masked ones to the
 * wallboard, which cannot mark. Screenshots in screenshots/.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { Keys } from '@belofte/shared/keys';
import { formatIsoWeek, isoWeekOfInstant, localDate } from '@belofte/shared/time';
import { buildCall } from '../stats/simulatedWeek.ts';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, dayTimeZone, testConfig, until, type RunningApi } from '../support/stack.ts';
import { CHROMIUM, launchChromium } from '../support/browser.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOTS = join(ROOT, 'screenshots');
if (!CHROMIUM && !process.env.CI) console.warn('[alerts browser test] SKIPPED: no Chromium found (set CHROMIUM_PATH or apt-get install -y chromium).');

// Calls "two hours ago, today" must fall on today whenever the suite runs.
const TZ = dayTimeZone();
const WALLBOARD = 'wallboard-token-alerts-01';
const SUPERVISOR = 'supervisor-token-alerts-1';
const MANAGER = 'manager-token-alerts-0001';
const prefix = testPrefix('alert-pages');
const redis = connect();
const keys = new Keys(prefix, 'main');
let api: RunningApi;
let browser: Browser;
let context: BrowserContext | null = null;
const now = Date.now();
// Two hours ago, so the calls are of today's list unless the test runs just after midnight: the page is asked for their own day.
const day = localDate(now - 2 * 3_600_000, TZ);

describe.runIf(CHROMIUM || process.env.CI)('alert strip and callback list in Chromium', () => {
  beforeAll(async () => {
    if (!CHROMIUM) throw new Error('No Chromium found (CI is set, so this fails instead of skipping): install it with `apt-get install -y chromium` or set CHROMIUM_PATH.');
    mkdirSync(SCREENSHOTS, { recursive: true });
    const writer = new RedisWriter(redis, { keys, retentionDays: 3650, maxBuffered: 100 });
    writer.enqueue([{ kind: 'callFinished', call: buildCall({ id: `cb-1-${now}`, at: now - 2 * 3_600_000, queues: ['Afval'], waits: [95], last: 'abandoned', agents: [], talks: [], caller: '0612345678' }) }]);
    writer.enqueue([{ kind: 'callFinished', call: buildCall({ id: `cb-2-${now}`, at: now - 2 * 3_600_000 + 60_000, queues: ['Parkeren'], waits: [330], last: 'abandoned', agents: [], talks: [], caller: '0201234567' }) }]);
    await writer.flush();
    // Someone is logged in to Afval, so only the long wait fires.
    await redis.hset(keys.agents, 'Anna de Vries', JSON.stringify({ name: 'Anna de Vries', interface: 'PJSIP/1001', queues: ['Afval'], state: 'oncall', pausedReason: null, since: now - 60_000 }));
    await redis.hset(keys.health, 'amiConnected', '1');
    api = await apiFor(
      testConfig(prefix, { BELOFTE_TIMEZONE: TZ, WALLBOARD_TOKENS: WALLBOARD, SUPERVISOR_TOKENS: `Sanne=${SUPERVISOR}`, MANAGER_TOKENS: `Marieke=${MANAGER}`, ALERT_RULES: 'longWait at=4m clearFor=0s' }),
      300,
      undefined,
      { evaluateMs: 50, leaseMs: 2_000 },
    );
    browser = await launchChromium(['--autoplay-policy=no-user-gesture-required']);
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await api?.stop();
    await cleanPrefix(redis, prefix);
    redis.disconnect();
  });

  afterEach(async () => {
    await context?.close();
    context = null;
  });

  async function page(path: string): Promise<{ page: Page; errors: string[] }> {
    context ??= await browser.newContext({ locale: 'nl-NL', viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1 });
    const p = await context.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(String(e)));
    await p.goto(api.url + path);
    return { page: p, errors };
  }

  const strip = (p: Page) => p.locator('[data-testid="alert-strip"]');

  it('shows a caller waiting 4:00 on the board, flashing and sounding once, and clears when they are answered (screenshot)', async () => {
    const { page: p, errors } = await page(`/?token=${WALLBOARD}`);
    // The first frame is in (the board is live) before the caller has waited long: the alert is new to this page.
    await expect.poll(() => p.evaluate(() => document.querySelector('#board')?.classList.contains('is-stale')), { timeout: 15_000 }).toBe(false);
    expect(await strip(p).isHidden()).toBe(true);
    await redis.multi().sadd(keys.queues, 'Afval').hset(keys.waiting('Afval'), 'v1', String(Date.now() - 245_000)).exec();
    await strip(p).waitFor({ state: 'visible', timeout: 15_000 });
    const item = p.locator('[data-testid="alert"]');
    await expect.poll(() => item.count()).toBe(1);
    expect(await item.getAttribute('data-rule')).toBe('longWait');
    expect(await item.innerText()).toMatch(/Garantie in gevaar[\s\S]*wachtrij Afval[\s\S]*langste wachttijd 4:0\d \(drempel 4:00\)[\s\S]*sinds \d\d:\d\d/);
    // Since when, on the contact centre's clock (not the TV's own zone).
    const live = await (await fetch(`${api.url}/api/live`, { headers: { authorization: `Bearer ${WALLBOARD}` } })).json();
    // The board's clocks read BELOFTE_TIMEZONE's time (the live frame's timeZone).
    const firedAt = new Intl.DateTimeFormat('nl-NL', { timeZone: TZ, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(live.alerts[0].firedAt));
    expect(await item.locator('.alert-since').innerText()).toBe(`sinds ${firedAt}`);
    expect(await strip(p).getAttribute('class')).toMatch(/is-flashing/);
    expect(await strip(p).getAttribute('data-beeps')).toBe('1');
    // Laid over the board: it does not move the board's own layout.
    const box = await strip(p).boundingBox();
    expect(box!.y + box!.height).toBeLessThanOrEqual(1080);
    expect(box!.width).toBeGreaterThan(1900);
    await p.screenshot({ path: join(SCREENSHOTS, 'wallboard-alert-strip.png') });
    // The wait shown is the wait now, not the one at firing: it keeps running.
    const shownWait = async () => Number(/langste wachttijd 4:(\d\d)/.exec(await item.innerText())?.[1]);
    const atFiring = live.alerts[0].value - 240;
    await expect.poll(shownWait, { timeout: 10_000 }).toBeGreaterThan(atFiring);
    // The next frames carry the same alert: no second sound.
    const sent = api.fanout.stats.framesSent;
    await expect.poll(() => api.fanout.stats.framesSent, { timeout: 10_000 }).toBeGreaterThan(sent + 4);
    expect(await strip(p).getAttribute('data-beeps')).toBe('1');

    // Flash off: remembered after a reload.
    await p.click('[data-testid="alert-flash"]');
    expect(await strip(p).getAttribute('class')).not.toMatch(/is-flashing/);
    await p.reload();
    await strip(p).waitFor({ state: 'visible', timeout: 15_000 });
    expect(await strip(p).getAttribute('data-flash')).toBe('off');
    expect(await strip(p).getAttribute('class')).not.toMatch(/is-flashing/);
    expect(await p.locator('[data-testid="alert-flash"]').innerText()).toBe('Knipperen: uit');
    // An alert already active when the page opens is shown, not sounded.
    expect(await strip(p).getAttribute('data-beeps')).toBeNull();

    await redis.hdel(keys.waiting('Afval'), 'v1');
    await strip(p).waitFor({ state: 'hidden', timeout: 15_000 });
    expect(errors).toEqual([]);
  });

  it('keeps quiet with ?sound=off, and speaks English after the language switch', async () => {
    const { page: p, errors } = await page(`/?token=${WALLBOARD}&sound=off`);
    await p.waitForSelector('[data-testid="lang-toggle"]');
    await p.click('[data-testid="lang-toggle"]');
    // Let the first frame arrive before the alert, so a new alert would sound.
    await expect.poll(() => p.evaluate(() => document.querySelector('#board')?.classList.contains('is-stale')), { timeout: 15_000 }).toBe(false);
    await redis.hset(keys.waiting('Afval'), 'v2', String(Date.now() - 250_000));
    await strip(p).waitFor({ state: 'visible', timeout: 15_000 });
    expect(await p.locator('[data-testid="alert"]').innerText()).toMatch(/Guarantee at risk[\s\S]*queue Afval[\s\S]*longest wait 4:\d\d/);
    expect(await strip(p).getAttribute('data-sound')).toBe('off');
    expect(await strip(p).getAttribute('data-beeps')).toBeNull();
    await redis.hdel(keys.waiting('Afval'), 'v2');
    await strip(p).waitFor({ state: 'hidden', timeout: 15_000 });
    expect(errors).toEqual([]);
  });

  it('lets a supervisor mark a caller called back, with full numbers; the wallboard sees masked ones and cannot mark (screenshot)', async () => {
    const { page: p, errors } = await page(`/callbacks?token=${SUPERVISOR}&date=${day}`);
    await p.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    const rows = p.locator('[data-testid="callback"]');
    expect(await rows.count()).toBe(2);
    expect(await p.locator('[data-testid="number"]').allInnerTexts()).toEqual(['0612345678', '0201234567']);
    expect(await rows.nth(1).locator('[data-testid="breach"]').innerText()).toBe('garantie verbroken');
    expect(await p.locator('[data-testid="summary"]').innerText()).toMatch(/^2 bellers · 0 teruggebeld \(0% binnen de dag\) · 0 zelf opnieuw gebeld · 2 open/);
    await rows.first().locator('[data-testid="mark-reached"]').click();
    await expect.poll(() => rows.first().getAttribute('data-state'), { timeout: 10_000 }).toBe('calledBack');
    expect(await rows.first().innerText()).toMatch(/teruggebeld, bereikt door Sanne \d\d:\d\d, na \d+ min/);
    expect(await p.locator('[data-testid="summary"]').innerText()).toMatch(/^2 bellers · 1 teruggebeld \(50% binnen de dag\)/);
    await p.screenshot({ path: join(SCREENSHOTS, 'callback-list.png'), fullPage: true });
    const stored = await (await fetch(`${api.url}/api/callbacks/cb-1-${now}`, { headers: { authorization: `Bearer ${SUPERVISOR}` } })).json();
    expect(stored.callback).toMatchObject({ calledBack: true, reached: true, calledBackBy: 'Sanne', version: 1 });

    const wall = await page(`/callbacks?token=${WALLBOARD}&date=${day}`);
    await wall.page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    expect(await wall.page.locator('[data-testid="number"]').allInnerTexts()).toEqual(['****5678', '****4567']);
    expect(await wall.page.locator('[data-testid="mark-reached"]').count()).toBe(0);
    expect(errors).toEqual([]);
    expect(wall.errors).toEqual([]);
  });

  it("shows in the managers' breach register that the breach's caller was called back", async () => {
    const id = `cb-2-${now}`;
    const r = await fetch(`${api.url}/api/callbacks/${id}`, { method: 'PATCH', headers: { authorization: `Bearer ${SUPERVISOR}`, 'content-type': 'application/json' }, body: JSON.stringify({ calledBack: true, reached: false }) });
    expect(r.status).toBe(200);
    const week = formatIsoWeek(isoWeekOfInstant(now - 2 * 3_600_000, TZ));
    const { page: p, errors } = await page(`/reports?token=${MANAGER}&week=${week}`);
    await p.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    const badge = p.locator('[data-testid="called-back"]');
    expect(await badge.count()).toBe(1);
    expect(await badge.innerText()).toMatch(/^teruggebeld \d+ \w+\.?,? \d\d:\d\d door Sanne, niet bereikt$/);
    expect(errors).toEqual([]);
  });
});
