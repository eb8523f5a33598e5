/**
 * The managers' report and an agent's own page in a real browser (Debian's Chromium via
 * playwright-core), against the real API and Redis with a simulated week of call records:
 * figures on the page equal the API's, the follow-up is recorded from the page, CSV downloads,
 * access refusals are explained, and the agent page updates live. Screenshots in screenshots/.
 *
 * Skips (with a message) only when no Chromium is found outside CI; in CI it fails instead.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { DEFAULT_THRESHOLDS } from '@belofte/shared/figures';
import { Keys } from '@belofte/shared/keys';
import { buildCall, simulateWeek } from '../stats/simulatedWeek.ts';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, dayTimeZone, testConfig, until, type RunningApi } from '../support/stack.ts';
import { CHROMIUM, launchChromium, screenshot } from '../support/browser.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOTS = join(ROOT, 'screenshots');
if (!CHROMIUM && !process.env.CI) console.warn('[reports browser test] SKIPPED: no Chromium found (set CHROMIUM_PATH or apt-get install -y chromium).');

// Calls "earlier today" must fall on today whenever the suite runs.
const TZ = dayTimeZone();
const MANAGER = 'manager-token-browser-01';
const WALLBOARD = 'wallboard-token-browser-1';
const ANNA = 'Anna de Vries';
const ANNA_TOKEN = 'agent-token-anna-browser';
const BRAM_TOKEN = 'agent-token-bram-browser';

const prefix = testPrefix('pages');
const redis = connect();
const keys = new Keys(prefix, 'main');
// The writer books rollups by the same local day as the API.
const writer = new RedisWriter(redis, { keys, retentionDays: 3650, maxBuffered: 100_000, rollups: { thresholds: DEFAULT_THRESHOLDS, timeZone: TZ } });
let api: RunningApi;
let browser: Browser;
let context: BrowserContext | null = null;

async function apiGet<T>(path: string, token = MANAGER): Promise<T> {
  const res = await fetch(api.url + path, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

/** Anna's calls today: answered, one after two transfers, one she passed on. */
function annaToday(now: number, n: number) {
  const at = now - 40 * 60_000 + n * 60_000;
  return buildCall({ id: `anna-${n}-${now}`, at, queues: ['Afval'], waits: [12], last: 'answered', agents: [ANNA], talks: [180], caller: '0612340000' });
}

describe.runIf(CHROMIUM || process.env.CI)('reports and agent pages in Chromium', () => {
  beforeAll(async () => {
    if (!CHROMIUM) throw new Error('No Chromium found (CI is set, so this fails instead of skipping): install it with `apt-get install -y chromium` or set CHROMIUM_PATH.');
    mkdirSync(SCREENSHOTS, { recursive: true });
    const now = Date.now();
    for (const [w, seed] of [[{ year: 2026, week: 46 }, 5], [{ year: 2026, week: 47 }, 6]] as const) {
      for (const call of simulateWeek(w, TZ, seed)) writer.enqueue([{ kind: 'callFinished', call }]);
    }
    for (let i = 0; i < 3; i++) writer.enqueue([{ kind: 'callFinished', call: annaToday(now, i) }]);
    writer.enqueue([
      {
        kind: 'callFinished',
        call: buildCall({ id: `anna-late-${now}`, at: now - 30 * 60_000, queues: ['Parkeren', 'Afval', 'Burgerzaken'], waits: [5, 10, 20], last: 'answered', agents: ['Bram Jansen', 'Chantal Bakker', ANNA], talks: [40, 30, 240] }),
      },
      { kind: 'callFinished', call: buildCall({ id: `anna-passes-${now}`, at: now - 20 * 60_000, queues: ['Afval', 'Parkeren'], waits: [8, 30], last: 'answered', agents: [ANNA, 'Bram Jansen'], talks: [60, 200] }) },
    ]);
    await writer.flush();
    await redis.hset(keys.agents, ANNA, JSON.stringify({ name: ANNA, interface: 'PJSIP/1001', queues: ['Afval', 'Parkeren'], state: 'oncall', pausedReason: null, since: now - 95_000 }));
    api = await apiFor(
      testConfig(prefix, { BELOFTE_TIMEZONE: TZ, MANAGER_TOKENS: `Marieke=${MANAGER}`, WALLBOARD_TOKENS: WALLBOARD, AGENT_TOKENS: `${ANNA}=${ANNA_TOKEN},Bram Jansen=${BRAM_TOKEN}` }),
      300,
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

  async function open(path: string, opts: { locale?: string; width?: number; height?: number; ready?: 'true' | 'problem' } = {}): Promise<{ page: Page; errors: string[] }> {
    context = await browser.newContext({ locale: opts.locale ?? 'nl-NL', viewport: { width: opts.width ?? 1400, height: opts.height ?? 900 }, deviceScaleFactor: 1, acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(api.url + path);
    await page.waitForSelector(`body[data-ready="${opts.ready ?? 'true'}"]`, { timeout: 15_000 });
    return { page, errors };
  }

  const cellTexts = (page: Page, selector: string) => page.locator(selector).allInnerTexts();

  it('shows the week against the previous one, with the API\'s figures (screenshot, print)', async () => {
    const { page, errors } = await open(`/reports?token=${MANAGER}&week=2026-W47`);
    const stats = await apiGet<any>('/api/stats/weekly?week=2026-W47');
    const prev = await apiGet<any>('/api/stats/weekly?week=2026-W46');
    const breaches = await apiGet<any>('/api/breaches?week=2026-W47');
    const abandoned = await apiGet<any>('/api/stats/abandoned?week=2026-W47');
    expect(await page.locator('[data-testid="heading"]').innerText()).toMatch(/^Week 47 · ma 16 nov – zo 22 nov 2026 · Alle wachtrijen$/);
    const pct = (v: number) => `${(Math.floor(v * 1000 + 0.5 + 1e-6) / 10).toFixed(1).replace('.', ',')}%`;
    expect(await page.locator('#kpis [data-fig="sl"] .value').innerText()).toBe(pct(stats.total.week.serviceLevel));
    expect(await page.locator('#kpis [data-fig="sl"]').getAttribute('data-status')).toBe(stats.total.week.serviceLevel >= 0.8 ? 'ok' : 'bad');
    expect(await page.locator('#compare tr[data-fig="sl"] td').allInnerTexts()).toEqual([pct(stats.total.week.serviceLevel), pct(prev.total.week.serviceLevel), expect.stringMatching(/pp$/)]);
    expect(await page.locator('#compare tr[data-fig="offered"] td').first().innerText()).toBe(stats.total.week.offered.toLocaleString('nl-NL'));
    // Seven days, the bad Tuesday in red; a row per queue; a row per agent.
    const days = page.locator('#days tbody tr');
    expect(await days.count()).toBe(7);
    expect(await days.nth(1).locator('td.sl, td[data-status]').first().getAttribute('data-status')).toBe('bad');
    // Every row adds up: offered = the sum of the ways an entry ends, each a column of its own.
    const rows = page.locator('#days tbody tr, #days tfoot tr, #queue-table tbody tr');
    expect(await rows.count()).toBeGreaterThan(7);
    let withMoreThanTwoOutcomes = 0;
    for (let i = 0; i < (await rows.count()); i++) {
      const row = rows.nth(i);
      const num = (t: string) => Number(t.replace(/\D/g, '') || 0);
      const offered = num(await row.locator('[data-fig="offered"]').innerText());
      const outcomes = (await row.locator('[data-outcome]').allInnerTexts()).map(num);
      expect(outcomes).toHaveLength(6);
      expect(outcomes.reduce((a, b) => a + b, 0), `row ${i}`).toBe(offered);
      if (outcomes.filter((n) => n > 0).length > 2) withMoreThanTwoOutcomes++;
    }
    // Not only answered and abandoned: the week has callers who left unanswered.
    expect(withMoreThanTwoOutcomes).toBeGreaterThan(0);
    // The page says what Breaches and Offered are.
    const foot = await page.locator('#footnote').innerText();
    expect(foot).toContain('Inbreuken = gesprekken waarbij de garantie (5 min) is gebroken of die vaker dan 2× zijn doorverbonden');
    expect(foot).toContain('Aangeboden telt wachtrijbezoeken');
    expect(await cellTexts(page, '#queue-table tbody th')).toEqual(Object.keys(stats.queues));
    expect(await cellTexts(page, '#agents tbody th')).toEqual(stats.agents.map((a: any) => a.agent));
    expect(await page.locator('#breaches tbody tr[data-breach]').count()).toBe(breaches.count);
    expect(await page.locator('#abandoned tbody tr').count()).toBe(abandoned.entries.length);
    expect(await page.locator('#breaches').innerText()).toMatch(/\*\*\*\*\d{4}/);
    // Both charts drew.
    expect(await page.locator('#chart-sl canvas').count()).toBe(1);
    expect(await page.locator('#chart-hours canvas').count()).toBe(1);
    expect(errors).toEqual([]);
    await screenshot(page, join(SCREENSHOTS, 'reports.png'), { fullPage: true });
    await screenshot(page, join(SCREENSHOTS, 'reports-top.png'));
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 794, height: 1123 });
    await page.waitForTimeout(200);
    expect(await page.locator('.controls').isVisible()).toBe(false);
    await screenshot(page, join(SCREENSHOTS, 'reports-print.png'));
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.length).toBeGreaterThan(10_000);
  });

  it('says an empty week has no calls, instead of a longest wait of 0:00', async () => {
    const { page, errors } = await open(`/reports?token=${MANAGER}&week=2019-W10`);
    expect(await page.locator('#kpis').innerText()).toBe('Geen gesprekken deze week.');
    expect(await page.locator('#compare tr[data-fig="longestWait"] td').first().innerText()).toBe('—');
    expect(errors).toEqual([]);
  });

  it('records a follow-up from the page, with who did it', async () => {
    const { page } = await open(`/reports?token=${MANAGER}&week=2026-W47`);
    const first = page.locator('#breaches tbody tr[data-breach]').first();
    const id = (await first.getAttribute('data-breach'))!;
    await first.locator('[data-edit-open]').click();
    const form = page.locator(`form.follow-up[data-id="${id}"]`);
    await form.locator('input[name="complaintReceived"]').check();
    await form.locator('input[name="compensation"][value="coffee"]').check();
    await form.locator('input[name="compensation"][value="parking"]').check();
    await form.locator('[data-testid="amount-parking"]').fill('4,50');
    await form.locator('textarea[name="note"]').fill('Beller teruggebeld; excuses en parkeergeld vergoed.');
    await form.locator('[data-testid="save-follow-up"]').click();
    await page.waitForFunction((bid) => !document.querySelector(`form.follow-up[data-id="${bid}"]`) && document.body.dataset.ready === 'true', id);
    const saved = await apiGet<any>(`/api/breaches/${id}`);
    expect(saved.followUp).toMatchObject({ complaintReceived: true, compensation: [{ kind: 'coffee', amount: null }, { kind: 'parking', amount: 4.5 }], compensationAmount: 4.5, note: 'Beller teruggebeld; excuses en parkeergeld vergoed.', updatedBy: 'Marieke', version: 1 });
    const row = page.locator(`#breaches tr[data-breach="${id}"]`);
    await until(async () => ((await row.innerText()).includes('Klacht ontvangen') ? true : undefined), 5_000, 'follow-up on the page');
    expect(await row.innerText()).toMatch(/Kop koffie[\s\S]*Parkeergeld vergoed €\s4,50[\s\S]*Marieke/);
    expect(await page.locator('[data-fig="breaches"] .note').innerText()).toMatch(/afgehandeld/);
    await row.scrollIntoViewIfNeeded();
    await page.locator('#breaches').screenshot({ path: join(SCREENSHOTS, 'reports-breaches.png') });
    // A stale edit (someone else saved meanwhile) is refused and explained.
    await row.locator('[data-edit-open]').click();
    await fetch(`${api.url}/api/breaches/${id}`, { method: 'PATCH', headers: { authorization: `Bearer ${MANAGER}`, 'content-type': 'application/json' }, body: JSON.stringify({ closed: true }) });
    await page.locator(`form.follow-up[data-id="${id}"] textarea`).fill('mijn versie');
    await page.locator(`form.follow-up[data-id="${id}"] [data-testid="save-follow-up"]`).click();
    await page.waitForSelector('form.follow-up .notice');
    expect(await page.locator('form.follow-up .notice').innerText()).toMatch(/Iemand anders heeft dit intussen gewijzigd/);
    expect((await apiGet<any>(`/api/breaches/${id}`)).followUp.note).toBe('Beller teruggebeld; excuses en parkeergeld vergoed.');
  });

  it('moves between weeks and queues, keeps them in the address, and downloads the CSV', async () => {
    const { page } = await open(`/reports?token=${MANAGER}&week=2026-W47`, { locale: 'en-GB' });
    expect(await page.locator('[data-testid="heading"]').innerText()).toMatch(/^Week 47 · Mon 16 Nov – Sun,? 22 Nov 2026 · All queues$/);
    await page.locator('[data-testid="prev-week"]').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="heading"]')?.textContent?.startsWith('Week 46'));
    expect(new URL(page.url()).searchParams.get('week')).toBe('2026-W46');
    await page.locator('[data-testid="queue"]').selectOption('Parkeren');
    await page.waitForFunction(() => document.querySelector('[data-testid="heading"]')?.textContent?.endsWith('Parkeren') && document.body.dataset.ready === 'true');
    expect(new URL(page.url()).searchParams.get('queue')).toBe('Parkeren');
    expect(await cellTexts(page, '#queue-table tbody th')).toEqual(['Parkeren']);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="csv-figures"]').click()]);
    expect(download.suggestedFilename()).toBe('belofte-2026-W46-Parkeren-figures.csv');
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8', 3, 60)).toMatch(/^week;scope;queue;period;date;hour;offered/);
    expect(page.url()).not.toMatch(/format=csv/);
    await screenshot(page, join(SCREENSHOTS, 'reports-en.png'));
  });

  it('explains a refusal: no token, and a token of another role', async () => {
    const { page } = await open('/reports?week=2026-W47', { ready: 'problem' });
    expect(await page.locator('[data-testid="problem"]').innerText()).toMatch(/\(401\)[\s\S]*Authorization: Bearer/);
    const again = async (path: string) => {
      await page.goto(api.url + path);
      await page.waitForSelector('body[data-ready="problem"]', { timeout: 15_000 });
    };
    await again(`/reports?token=${WALLBOARD}`);
    expect(await page.locator('[data-testid="problem"]').innerText()).toMatch(/\(403\)[\s\S]*wallboard token/);
    await again(`/agent/${encodeURIComponent(ANNA)}?token=${BRAM_TOKEN}`);
    expect(await page.locator('[data-testid="problem"]').innerText()).toMatch(/\(403\)[\s\S]*agent "Bram Jansen"/);
    await screenshot(page, join(SCREENSHOTS, 'agent-refused.png'));
  });

  it("shows an agent's own day and week, and counts a new call live (screenshot)", async () => {
    const path = `/agent/${encodeURIComponent(ANNA)}`;
    const { page, errors } = await open(`${path}?token=${ANNA_TOKEN}`, { width: 1100, height: 760 });
    await page.waitForSelector('.live-status.on');
    const view = await apiGet<any>(`/api/agents/${encodeURIComponent(ANNA)}`, ANNA_TOKEN);
    expect(await page.locator('[data-testid="agent-name"]').innerText()).toBe(ANNA);
    expect(await page.locator('#now').innerText()).toMatch(/In gesprek/);
    const value = (fig: string) => page.locator(`[data-fig="${fig}"] .value`).innerText();
    expect(await value('today-answered')).toBe(String(view.today.answered));
    expect(await value('week-answered')).toBe(String(view.thisWeek.answered));
    expect(await value('today-transfers')).toBe(String(view.today.transfersMade));
    expect(await value('today-atLimit')).toBe(String(view.today.answeredAtTransferLimit));
    expect(view.today.answered).toBeGreaterThanOrEqual(5);
    expect(view.today.transfersMade).toBeGreaterThanOrEqual(1);
    expect(view.today.answeredAtTransferLimit).toBeGreaterThanOrEqual(1);
    await screenshot(page, join(SCREENSHOTS, 'agent.png'));
    // A call Anna answers now: the collector writes it, the socket brings it.
    const before = Number(await value('today-answered'));
    writer.enqueue([{ kind: 'callChanged', call: { ...buildCall({ id: `anna-now-${Date.now()}`, at: Date.now() - 15_000, queues: ['Parkeren'], waits: [9], last: 'answered', agents: [ANNA], talks: [1] }), endedAt: null } }]);
    await writer.flush();
    await page.waitForFunction((n) => document.querySelector('[data-fig="today-answered"] .value')?.textContent === String(n), before + 1, { timeout: 10_000 });
    expect(errors).toEqual([]);
  });
});
