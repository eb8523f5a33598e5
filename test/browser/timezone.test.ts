/**
 * A contact centre in another zone than Amsterdam, in a real browser (Debian's Chromium via
 * playwright-core) against the real API and Redis: with BELOFTE_TIMEZONE=America/Curacao
 * (UTC−4 all year) the board's clock, its "last update", the alert strip's "since", the
 * callback list's day and times and the weekly report's week are Curaçao's — on a browser
 * that is itself set to Tokyo, so neither the TV's zone nor Amsterdam can pass for it.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { DEFAULT_THRESHOLDS } from '@belofte/shared/figures';
import { Keys } from '@belofte/shared/keys';
import { formatIsoWeek, isoWeekOfInstant, localDate } from '@belofte/shared/time';
import { buildCall } from '../stats/simulatedWeek.ts';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, testConfig, type RunningApi } from '../support/stack.ts';
import { CHROMIUM, launchChromium } from '../support/browser.ts';

if (!CHROMIUM && !process.env.CI) console.warn('[time zone browser test] SKIPPED: no Chromium found (set CHROMIUM_PATH or apt-get install -y chromium).');

const TZ = 'America/Curacao';
/** The browser's own zone: far from both Curaçao and Amsterdam. */
const BROWSER_TZ = 'Asia/Tokyo';
const WALLBOARD = 'wallboard-token-timezone1';
const SUPERVISOR = 'supervisor-token-timezon1';
const MANAGER = 'manager-token-timezone-01';
const prefix = testPrefix('timezone');
const redis = connect();
const keys = new Keys(prefix, 'main');
let api: RunningApi;
let browser: Browser;
let context: BrowserContext | null = null;
const now = Date.now();
const callId = `tz-1-${now}`;
// A caller who gave up a minute and a half ago, after waiting 30 s.
const joinedAt = now - 120_000;

/** Seconds since midnight of an HH:MM:SS text. */
const secondsOf = (hms: string) => {
  const m = /^(\d\d):(\d\d):(\d\d)$/.exec(hms);
  if (!m) throw new Error(`not a clock: ${JSON.stringify(hms)}`);
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]);
};
const clockIn = (ms: number, timeZone: string) => new Intl.DateTimeFormat('nl-NL', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
const hhmmIn = (ms: number, timeZone: string) => clockIn(ms, timeZone).slice(0, 5);
/** How far apart two clock readings are, in seconds, across midnight too. */
const apart = (a: string, b: string) => {
  const d = Math.abs(secondsOf(a) - secondsOf(b));
  return Math.min(d, 86_400 - d);
};

describe.runIf(CHROMIUM || process.env.CI)('pages of a contact centre in America/Curacao, in Chromium set to Tokyo', () => {
  beforeAll(async () => {
    if (!CHROMIUM) throw new Error('No Chromium found (CI is set, so this fails instead of skipping): install it with `apt-get install -y chromium` or set CHROMIUM_PATH.');
    const writer = new RedisWriter(redis, { keys, retentionDays: 3650, maxBuffered: 100, rollups: { thresholds: DEFAULT_THRESHOLDS, timeZone: TZ } });
    writer.enqueue([{ kind: 'callFinished', call: buildCall({ id: callId, at: joinedAt, queues: ['Afval'], waits: [30], last: 'abandoned', agents: [], talks: [], caller: '0612345678' }) }]);
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
    browser = await launchChromium();
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
    context ??= await browser.newContext({ locale: 'nl-NL', timezoneId: BROWSER_TZ, viewport: { width: 1920, height: 1080 }, deviceScaleFactor: 1 });
    const p = await context.newPage();
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(String(e)));
    await p.goto(api.url + path);
    return { page: p, errors };
  }

  const get = async <T>(path: string, token: string): Promise<T> => (await (await fetch(`${api.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as T;

  it('tells the zone in the live document', async () => {
    const live = await get<{ timeZone: string }>('/api/live', WALLBOARD);
    expect(live.timeZone).toBe(TZ);
  });

  it("shows the board's clock, last update and alert time on Curaçao's clock", async () => {
    const { page: p, errors } = await page(`/?token=${WALLBOARD}`);
    // The browser really is in Tokyo: a page that used its own zone would show Tokyo's time.
    expect(await p.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe(BROWSER_TZ);
    await expect.poll(() => p.evaluate(() => document.querySelector('#board')?.classList.contains('is-stale')), { timeout: 15_000 }).toBe(false);
    const clock = p.locator('[data-testid="clock"]');
    await expect.poll(async () => /^\d\d:\d\d:\d\d$/.test(await clock.innerText()), { timeout: 5_000 }).toBe(true);
    // The clock ticks four times a second: within 2 s of Curaçao's time, hours from Tokyo's and Amsterdam's.
    const shown = await clock.innerText();
    const at = Date.now();
    expect(apart(shown, clockIn(at, TZ))).toBeLessThanOrEqual(2);
    expect(apart(shown, clockIn(at, BROWSER_TZ))).toBeGreaterThan(3600);
    expect(apart(shown, clockIn(at, 'Europe/Amsterdam'))).toBeGreaterThan(3600);
    // "Last update" is the browser's receipt of the last frame, on the same clock.
    const status = await p.locator('[data-testid="status"]').innerText();
    const updated = /laatste update (\d\d:\d\d:\d\d)/.exec(status)?.[1];
    expect(updated, status).toBeDefined();
    expect(apart(updated!, clockIn(Date.now(), TZ))).toBeLessThanOrEqual(5);

    // A caller waiting 4:05 fires the long-wait alert: since when, on Curaçao's clock.
    await redis.multi().sadd(keys.queues, 'Afval').hset(keys.waiting('Afval'), 'v1', String(Date.now() - 245_000)).exec();
    const strip = p.locator('[data-testid="alert-strip"]');
    await strip.waitFor({ state: 'visible', timeout: 15_000 });
    const live = await get<{ alerts: Array<{ firedAt: string }> }>('/api/live', WALLBOARD);
    expect(live.alerts).toHaveLength(1);
    const firedAt = Date.parse(live.alerts[0]!.firedAt);
    expect(await p.locator('[data-testid="alert"] .alert-since').innerText()).toBe(`sinds ${hhmmIn(firedAt, TZ)}`);
    await redis.hdel(keys.waiting('Afval'), 'v1');
    await strip.waitFor({ state: 'hidden', timeout: 15_000 });
    expect(errors).toEqual([]);
  });

  it("opens the callback list on Curaçao's today, with its times", async () => {
    const { page: p, errors } = await page(`/callbacks?token=${SUPERVISOR}`);
    await p.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    const list = await get<{ date: string; timeZone: string; entries: Array<{ id: string; leftAt: string }> }>('/api/callbacks', SUPERVISOR);
    expect(list.timeZone).toBe(TZ);
    // The page's day is the API's today, which is Curaçao's date (the run may cross its midnight: either side of it).
    const shownDate = await p.locator('#date').inputValue();
    expect(shownDate).toBe(list.date);
    expect([localDate(now, TZ), localDate(Date.now(), TZ)]).toContain(shownDate);
    // The caller is on the list of the day they left (Curaçao's), with the time they left on Curaçao's clock.
    const entry = list.entries.find((e) => e.id === callId);
    const rows = p.locator(`[data-testid="callback"][data-id="${callId}"]`);
    if (entry === undefined) {
      expect(localDate(joinedAt + 30_000, TZ)).not.toBe(shownDate);
      expect(await rows.count()).toBe(0);
    } else {
      expect(await rows.count()).toBe(1);
      expect(await rows.locator('td').first().innerText()).toBe(hhmmIn(Date.parse(entry.leftAt), TZ));
    }
    expect(errors).toEqual([]);
  });

  it("opens the weekly report on Curaçao's current week", async () => {
    const { page: p, errors } = await page(`/reports?token=${MANAGER}`);
    await p.waitForSelector('body[data-ready="true"]', { timeout: 15_000 });
    const stats = await get<{ week: string; timeZone: string }>('/api/stats/weekly', MANAGER);
    expect(stats.timeZone).toBe(TZ);
    expect(await p.locator('#week').inputValue()).toBe(stats.week);
    expect([formatIsoWeek(isoWeekOfInstant(now, TZ)), formatIsoWeek(isoWeekOfInstant(Date.now(), TZ))]).toContain(stats.week);
    expect(await p.locator('#footnote').innerText()).toContain(TZ);
    // The address still asks for no week: a reload next week shows next week.
    expect(new URL(p.url()).searchParams.get('week')).toBeNull();
    expect(errors).toEqual([]);
  });
});
