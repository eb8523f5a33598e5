/**
 * The charter's pages in a real browser (Debian's Chromium via playwright-core), against the
 * real API and Redis: the month and year report (figures equal the API's, the year before
 * beside them, charts per month against the norm, CSV, print) and complaints in the breach
 * register (overdue and due-soon deadlines shown, a complaint and a refund recorded from the
 * form). Screenshots in screenshots/.
 *
 * Skips (with a message) only when no Chromium is found outside CI; in CI it fails instead.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { addWorkingDays, nextWorkingDay } from '@belofte/api/complaints/workingDays';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { Keys } from '@belofte/shared/keys';
import { formatIsoWeek, isoWeekOfInstant, localDate, startOfLocalDay } from '@belofte/shared/time';
import { buildCall, simulateWeek } from '../stats/simulatedWeek.ts';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, testConfig, type RunningApi } from '../support/stack.ts';
import { CHROMIUM, launchChromium, screenshot } from '../support/browser.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCREENSHOTS = join(ROOT, 'screenshots');
if (!CHROMIUM && !process.env.CI) console.warn('[charter browser test] SKIPPED: no Chromium found (set CHROMIUM_PATH or apt-get install -y chromium).');

const TZ = 'Europe/Amsterdam';
const MANAGER = 'manager-token-charter-01';
const DAY = 86_400_000;
const prefix = testPrefix('charter-pages');
const redis = connect();
const keys = new Keys(prefix, 'main');
let api: RunningApi;
let browser: Browser;
let context: BrowserContext | null = null;

// Two breaches 12 days ago, with complaints: one overdue, one due on the next working day.
const BREACH_AT = startOfLocalDay(Date.now() - 12 * DAY, TZ) + 10 * 3_600_000;
const OVERDUE = 'complaint-overdue.1';
const DUE_SOON = 'complaint-due-soon.1';
const FRESH = 'complaint-fresh.1';
const today = () => localDate(Date.now(), TZ);

/** A received date whose 5th working day is today or the next working day, not before the breach. */
function receivedForDueSoon(): string {
  const soon = new Set([today(), nextWorkingDay(today())]);
  for (let k = 0; k < 12; k++) {
    const d = localDate(Date.now() - k * DAY, TZ);
    if (soon.has(addWorkingDays(d, 5)) && d >= localDate(BREACH_AT, TZ)) return d;
  }
  throw new Error('no received date found for a due-soon deadline');
}

async function patch(id: string, body: unknown): Promise<any> {
  const res = await fetch(`${api.url}/api/breaches/${id}`, { method: 'PATCH', headers: { authorization: `Bearer ${MANAGER}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json();
}

async function apiGet<T>(path: string): Promise<T> {
  const res = await fetch(api.url + path, { headers: { authorization: `Bearer ${MANAGER}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

describe.runIf(CHROMIUM || process.env.CI)('the charter pages in Chromium', () => {
  beforeAll(async () => {
    if (!CHROMIUM) throw new Error('No Chromium found (CI is set, so this fails instead of skipping): install it with `apt-get install -y chromium` or set CHROMIUM_PATH.');
    mkdirSync(SCREENSHOTS, { recursive: true });
    const writer = new RedisWriter(redis, { keys, retentionDays: 3650, maxBuffered: 100_000 });
    // March 2026 (two weeks) and a week of March 2025 for the year before.
    for (const [w, seed] of [[{ year: 2026, week: 11 }, 11], [{ year: 2026, week: 12 }, 12], [{ year: 2025, week: 11 }, 13]] as const) {
      for (const call of simulateWeek(w, TZ, seed)) writer.enqueue([{ kind: 'callFinished', call }]);
    }
    for (const [i, id] of [OVERDUE, DUE_SOON, FRESH].entries()) {
      writer.enqueue([{ kind: 'callFinished', call: buildCall({ id, at: BREACH_AT + i * 60_000, queues: ['Afval'], waits: [420], last: 'answered', agents: ['Anna de Vries'], talks: [90], caller: '0612345678' }) }]);
    }
    await writer.flush();
    api = await apiFor(testConfig(prefix, { BELOFTE_TIMEZONE: TZ, MANAGER_TOKENS: `Marieke=${MANAGER}` }), 300);
    await patch(OVERDUE, { complaint: { receivedOn: localDate(BREACH_AT, TZ), phoneKnown: true } });
    await patch(DUE_SOON, { complaint: { receivedOn: receivedForDueSoon(), phoneKnown: true } });
    // Some compensation in March 2026, to see it in the report.
    const march = await apiGet<any>('/api/breaches?from=2026-03-09&to=2026-03-22');
    expect(march.count).toBeGreaterThan(2);
    await patch(march.breaches[0].id, { compensation: ['apology', { kind: 'parking', amount: 3.2 }] });
    await patch(march.breaches[1].id, { compensation: [{ kind: 'travel', amount: '17,80' }], closed: true });
    browser = await launchChromium();
  }, 90_000);

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

  async function open(path: string, opts: { locale?: string; width?: number } = {}): Promise<{ page: Page; errors: string[] }> {
    context = await browser.newContext({ locale: opts.locale ?? 'nl-NL', viewport: { width: opts.width ?? 1400, height: 900 }, deviceScaleFactor: 1, acceptDownloads: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(api.url + path);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
    return { page, errors };
  }

  const pct = (v: number) => `${(Math.floor(v * 1000 + 0.5 + 1e-6) / 10).toFixed(1).replace('.', ',')}%`;

  it('shows a quarter per month against the norm, with the year before beside it (screenshot, print, CSV)', async () => {
    const { page, errors } = await open(`/reports/period?token=${MANAGER}&from=2026-Q1&to=2026-Q1`);
    const report = await apiGet<any>('/api/stats/period?from=2026-Q1&to=2026-Q1');
    expect(await page.locator('[data-testid="heading"]').innerText()).toBe('K1 2026 · Alle wachtrijen');
    const f = report.total.period;
    expect(f.offered).toBeGreaterThan(1000);
    expect(await page.locator('#kpis [data-fig="sl"] .value').innerText()).toBe(pct(f.serviceLevel));
    expect(await page.locator('#kpis [data-fig="guarantee"] .value').innerText()).toBe(pct(f.guaranteeKeptShare));
    expect(await page.locator('#kpis [data-fig="transfers"] .value').innerText()).toBe(pct(f.withinTransferLimitShare));
    expect(await page.locator('#kpis [data-fig="compensation"] .value').innerText()).toMatch(/^€\s21,00$/);
    expect(await page.locator('#compare tr[data-fig="sl"] td').allInnerTexts()).toEqual([pct(f.serviceLevel), pct(report.yearEarlier.total.period.serviceLevel)]);
    expect(await page.locator('#compare tr[data-fig="offered"] td').allInnerTexts()).toEqual([f.offered.toLocaleString('nl-NL'), report.yearEarlier.total.period.offered.toLocaleString('nl-NL')]);
    // A row per month, March filled, January empty; the service level coloured against 80%.
    const rows = page.locator('#months tbody tr');
    expect(await rows.count()).toBe(3);
    const marchRow = page.locator('#months tr[data-month="2026-03"]');
    expect(await marchRow.locator('td').first().innerText()).toBe(report.total.months[2].offered.toLocaleString('nl-NL'));
    expect(await marchRow.locator('td').nth(2).getAttribute('data-status')).toBe(report.total.months[2].serviceLevel >= 0.8 ? 'ok' : 'bad');
    expect(await page.locator('#months tr[data-month="2026-01"] td').first().innerText()).toBe('0');
    expect(await page.locator('#queue-table tbody tr').count()).toBe(Object.keys(report.queues).length);
    expect(await page.locator('#books tr[data-fig="comp-travel"] td').first().innerText()).toMatch(/^1 · €\s17,80$/);
    expect(await page.locator('#books tr[data-fig="breachesClosed"] td').first().innerText()).toBe(String(f.breachesClosed));
    expect(await page.locator('#chart-sl canvas').count()).toBe(1);
    expect(await page.locator('#chart-guarantee canvas').count()).toBe(1);
    expect(errors).toEqual([]);
    await screenshot(page, join(SCREENSHOTS, 'period.png'), { fullPage: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('[data-testid="csv"]').click()]);
    expect(download.suggestedFilename()).toBe('belofte-2026-Q1.csv');
    const bytes = readFileSync((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.toString('utf8', 3, 40)).toMatch(/^reeks;niveau;wachtrij;periode;maand;/);
    await page.emulateMedia({ media: 'print' });
    await page.setViewportSize({ width: 794, height: 1123 });
    expect(await page.locator('.controls').isVisible()).toBe(false);
    await screenshot(page, join(SCREENSHOTS, 'period-print.png'));
    // On paper the per-month and per-queue tables fit the page width: no column is cut off.
    const overflow = await page.evaluate(() => ['months', 'queue-table', 'books'].map((id) => Math.round(document.getElementById(id)!.getBoundingClientRect().right - document.documentElement.clientWidth)));
    expect(overflow.every((px) => px <= 0), `tables stick out by ${overflow.join(', ')} px`).toBe(true);
    const pdf = await page.pdf({ format: 'A4' });
    expect(pdf.length).toBeGreaterThan(10_000);
    writeFileSync(join(SCREENSHOTS, 'period.pdf'), pdf);
  });

  it('changes the period from the picker and keeps it in the address', async () => {
    const { page } = await open(`/reports/period?token=${MANAGER}&from=2026-01&to=2026-12`, { locale: 'en-GB' });
    expect(await page.locator('#months tbody tr').count()).toBe(12);
    await page.locator('[data-testid="kind"]').selectOption('year');
    await page.waitForFunction(() => document.querySelector('[data-testid="heading"]')?.textContent === '2026 · All queues' && document.body.dataset.ready === 'true');
    expect(new URL(page.url()).searchParams.get('from')).toBe('2026');
    await page.locator('[data-testid="kind"]').selectOption('month');
    await page.locator('[data-testid="from"]').selectOption('2026-03');
    await page.locator('[data-testid="to"]').selectOption('2026-03');
    await page.waitForFunction(() => document.querySelector('[data-testid="heading"]')?.textContent === 'March 2026 · All queues' && document.body.dataset.ready === 'true');
    const march = await apiGet<any>('/api/stats/period?from=2026-03');
    expect(await page.locator('#months tbody tr td').first().innerText()).toBe(march.total.period.offered.toLocaleString('en-GB'));
    // Back to the week report with the same token.
    expect(await page.locator('[data-testid="to-week"]').getAttribute('href')).toBe(`/reports?token=${MANAGER}`);
  });

  it('shows overdue and due-soon complaint deadlines in the register, and records a complaint from the form', async () => {
    const week = formatIsoWeek(isoWeekOfInstant(BREACH_AT, TZ));
    const { page, errors } = await open(`/reports?token=${MANAGER}&week=${week}`);
    const overdue = page.locator(`#breaches tr[data-breach="${OVERDUE}"]`);
    expect(await overdue.locator('.badge.deadline[data-step="callback"]').getAttribute('data-state')).toBe('overdue');
    expect(await overdue.locator('.badge.deadline[data-step="callback"]').innerText()).toMatch(/^Terugbellen: uiterlijk .+ · te laat$/);
    expect(await overdue.locator('.badge.deadline[data-step="settled"]').getAttribute('data-state')).toBe('pending');
    const soon = page.locator(`#breaches tr[data-breach="${DUE_SOON}"]`);
    expect(await soon.locator('.badge.deadline[data-step="callback"]').getAttribute('data-state')).toBe('dueSoon');
    expect(await page.locator('[data-testid="deadline-summary"]').innerText()).toMatch(/2 klachttermijn\(en\) verstreken[\s\S]*2 bijna verlopen/);
    // Above the week's register: the complaints of every week not yet settled, overdue first.
    expect(await page.locator('#open-complaints tr[data-complaint]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-complaint')))).toEqual([OVERDUE, DUE_SOON]);
    expect(await page.locator(`#open-complaints tr[data-complaint="${OVERDUE}"] .badge.deadline[data-step="callback"]`).getAttribute('data-state')).toBe('overdue');
    expect(await page.locator('#open-complaints h4').innerText()).toMatch(/^Klachten nog niet afgehandeld, alle weken: 2 1 met een verstreken termijn$/);
    await page.locator('[data-testid="breaches"]').locator('..').screenshot({ path: join(SCREENSHOTS, 'register-complaints.png') });
    // Recording a complaint, its callback and a travel refund on the third breach.
    const received = localDate(BREACH_AT + DAY, TZ);
    await page.locator(`[data-testid="edit-${FRESH}"]`).click();
    const form = page.locator(`form.follow-up[data-id="${FRESH}"]`);
    await form.locator('input[name="complaintReceived"]').check();
    await form.locator('[data-testid="receivedOn"]').fill(received);
    await form.locator('input[name="phoneKnown"]').check();
    await form.locator('[data-testid="calledBackOn"]').fill(addWorkingDays(received, 2));
    await form.locator('input[name="compensation"][value="travel"]').check();
    await form.locator('[data-testid="amount-travel"]').fill('12,35');
    await form.locator('[data-testid="save-follow-up"]').click();
    await page.waitForFunction((id) => !document.querySelector(`form.follow-up[data-id="${id}"]`) && document.body.dataset.ready === 'true', FRESH);
    const saved = await apiGet<any>(`/api/breaches/${FRESH}`);
    expect(saved.followUp).toMatchObject({ complaintReceived: true, compensation: [{ kind: 'travel', amount: 12.35 }], updatedBy: 'Marieke' });
    expect(saved.followUp.complaint).toMatchObject({ receivedOn: received, phoneKnown: true, calledBackOn: addWorkingDays(received, 2), deadlines: { callback: { state: 'met' } } });
    const row = page.locator(`#breaches tr[data-breach="${FRESH}"]`);
    expect(await row.locator('.badge.deadline[data-step="callback"]').getAttribute('data-state')).toBe('met');
    expect(await row.innerText()).toMatch(/Reiskosten vergoed €\s12,35/);
    // A refund without an amount is refused with the API's reason, shown on the form.
    await row.locator('[data-edit-open]').click();
    await page.locator(`form.follow-up[data-id="${FRESH}"] [data-testid="amount-travel"]`).fill('');
    await page.locator(`form.follow-up[data-id="${FRESH}"] [data-testid="save-follow-up"]`).click();
    await page.waitForSelector('form.follow-up .notice');
    expect(await page.locator('form.follow-up .notice').innerText()).toMatch(/required for travel/);
    expect(errors).toEqual([]);
  });
});
