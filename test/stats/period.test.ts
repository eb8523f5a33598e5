/**
 * The charter's month, quarter and year report. Period figures are the sum of the weeks'
 * figures: on simulated weeks around both daylight-saving changes of 2026 every day of a month
 * counts exactly what the weekly statistics count for that day (pure), and through the real
 * Redis and API a month equals the sum of the weekly report's days in it, a quarter the sum of
 * its months, with the same months a year earlier beside it. Bad and too long periods are
 * refused with a 400 that names the parameter; the CSV follows the weekly CSV's conventions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisWriter } from '@belofte/collector/redis/writer';
import type { CustomerCall } from '@belofte/collector/domain/types';
import { Keys } from '@belofte/shared/keys';
import { isoWeekOf, isoWeekSpan, type IsoWeek } from '@belofte/shared/time';
import { dayRange, sumDays, tallyRange } from '@belofte/api/stats/range';
import { monthDates } from '@belofte/api/stats/periods';
import { weeklyStats } from '@belofte/api/stats/weekly';
import { createContext } from '@belofte/api/context';
import { computePeriod } from '@belofte/api/routes/stats';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, quietLog, testConfig, type RunningApi } from '../support/stack.ts';
import { simulateWeek } from './simulatedWeek.ts';

const TZ = 'Europe/Amsterdam';
const TH = { targetSeconds: 20, serviceLevelTarget: 0.8, guaranteeSeconds: 300, maxTransfers: 2, shortAbandonSeconds: 0 };

/** The ISO weeks that hold any day of the month. */
function weeksOfMonth(year: number, month: number): IsoWeek[] {
  const { first, last } = monthDates({ year, month });
  const out: IsoWeek[] = [];
  for (const date of dayRange(first, last, TZ).dates) {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    const w = isoWeekOf(y, m, d);
    if (!out.some((o) => o.year === w.year && o.week === w.week)) out.push(w);
  }
  return out;
}

describe('a month is the sum of its days as the weeks count them (pure, both daylight-saving changes)', () => {
  it.each([
    [2026, 3],
    [2026, 10],
  ])('%i-%i', (year, month) => {
    const weeks = weeksOfMonth(year, month);
    const records: CustomerCall[] = weeks.flatMap((w, i) => simulateWeek(w, TZ, 300 + i));
    const { first, last } = monthDates({ year, month });
    const range = dayRange(first, last, TZ);
    // One day is 23 or 25 hours: the month holds its daylight-saving change.
    const lengths = range.dates.map((_, i) => (range.starts[i + 1]! - range.starts[i]!) / 3_600_000);
    expect(lengths.filter((h) => h !== 24)).toEqual([month === 3 ? 23 : 25]);
    const days = tallyRange({ range, thresholds: TH, records, followUps: new Map() });
    let checkedDays = 0;
    for (const w of weeks) {
      const weekly = weeklyStats({ week: w, timeZone: TZ, thresholds: TH, records, followUps: new Map() });
      for (const [queue, scope] of Object.entries(weekly.queues)) {
        scope.days.forEach((day, i) => {
          const at = range.dates.indexOf(day.date);
          if (at < 0) return;
          const { date: _d, weekday: _w, ...expected } = day;
          const ours = days.get(queue)?.[at]?.figures.figures();
          if (expected.offered === 0 && expected.calls === 0 && !ours) return;
          expect(ours, `${queue} ${day.date}`).toEqual(expected);
          checkedDays++;
          void i;
        });
      }
      // A whole week inside the month: the week's own figures are the sum of its days.
      const span = isoWeekSpan(w, TZ);
      if (range.dates.includes(span.dates[0]!) && range.dates.includes(span.dates[6]!)) {
        const from = range.dates.indexOf(span.dates[0]!);
        const allQueues = [...days.values()].map((d) => sumDays(d, from, from + 7));
        expect(sumDays(allQueues).figures.figures()).toEqual(weekly.total.week);
      }
    }
    expect(checkedDays).toBeGreaterThan(range.dates.length * 3);
  });
});

const MANAGER = 'manager-token-period-0001';
const prefix = testPrefix('period');
const redis = connect();
const keys = new Keys(prefix, 'main');
let api: RunningApi;
// March 2026 (the spring change on Sunday 29 March) and a week of March 2025 for the year before.
const WEEKS: IsoWeek[] = [
  { year: 2026, week: 13 },
  { year: 2026, week: 14 },
  { year: 2025, week: 12 },
];

beforeAll(async () => {
  const writer = new RedisWriter(redis, { keys, retentionDays: 3650, maxBuffered: 100_000 });
  WEEKS.forEach((w, i) => {
    for (const call of simulateWeek(w, TZ, 700 + i)) writer.enqueue([{ kind: 'callFinished', call }]);
  });
  await writer.flush();
  api = await apiFor(testConfig(prefix, { MANAGER_TOKENS: MANAGER, BELOFTE_TIMEZONE: TZ }));
}, 60_000);

afterAll(async () => {
  await api?.stop();
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

async function get(path: string): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const res = await fetch(api.url + path, { headers: { authorization: `Bearer ${MANAGER}` } });
  // Keep a byte-order mark: the CSV must start with one.
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(new Uint8Array(await res.arrayBuffer()));
  return { status: res.status, text, headers: res.headers, body: res.headers.get('content-type')?.includes('json') ? JSON.parse(text) : null };
}

const COUNTS = ['offered', 'answered', 'abandoned', 'shortAbandoned', 'timedOut', 'movedOut', 'unknown', 'answeredWithinTarget', 'answeredWithinGuarantee', 'calls', 'guaranteeBreaches', 'overTransferLimit', 'breaches', 'breachesOpen', 'callsTransferred0', 'callsTransferred1', 'callsTransferred2', 'callsTransferredMore'] as const;

/** The counts of the weekly report's days that fall in the month, summed, per scope. */
async function weeklySum(year: number, month: number, pick: (s: any) => any): Promise<Record<string, number>> {
  const sum: Record<string, number> = Object.fromEntries(COUNTS.map((k) => [k, 0]));
  let longest = 0;
  const prefixText = `${year}-${String(month).padStart(2, '0')}-`;
  for (const w of weeksOfMonth(year, month)) {
    const weekly = (await get(`/api/stats/weekly?week=${w.year}-W${String(w.week).padStart(2, '0')}`)).body;
    const scope = pick(weekly);
    if (!scope) continue;
    for (const d of scope.days) {
      if (!d.date.startsWith(prefixText)) continue;
      for (const k of COUNTS) sum[k]! += d[k];
      longest = Math.max(longest, d.longestWaitSeconds);
    }
  }
  return { ...sum, longestWaitSeconds: longest };
}

const countsOf = (f: any) => ({ ...Object.fromEntries(COUNTS.map((k) => [k, f[k]])), longestWaitSeconds: f.longestWaitSeconds });

describe('GET /api/stats/period', () => {
  it('gives March (with its daylight-saving change) as the sum of the weeks\' days, per queue and in total, and March a year earlier', async () => {
    const r = await get('/api/stats/period?from=2026-03');
    expect(r.status).toBe(200);
    const p = r.body;
    expect(p).toMatchObject({ kind: 'month', from: '2026-03', to: '2026-03', months: ['2026-03'], timeZone: TZ, queue: null });
    expect(p.start).toBe('2026-02-28T23:00:00.000Z');
    expect(p.end).toBe('2026-03-31T22:00:00.000Z');
    const total = await weeklySum(2026, 3, (s) => s.total);
    expect(total.offered).toBeGreaterThan(1000);
    expect(countsOf(p.total.months[0])).toEqual(total);
    expect(countsOf(p.total.period)).toEqual(total);
    for (const q of ['Afval', 'Spoed']) expect(countsOf(p.queues[q].months[0])).toEqual(await weeklySum(2026, 3, (s) => s.queues[q]));
    const f = p.total.period;
    expect(f.serviceLevel).toBe(Math.round((f.answeredWithinTarget / (f.answered + f.abandoned + f.timedOut + f.movedOut)) * 10_000) / 10_000);
    expect(f.guaranteeKeptShare).toBe(Math.round((f.answeredWithinGuarantee / (f.answered + f.abandoned + f.timedOut + f.movedOut)) * 10_000) / 10_000);
    expect(f.withinTransferLimitShare).toBe(Math.round(((f.calls - f.overTransferLimit) / f.calls) * 10_000) / 10_000);
    // The year before, counted the same way.
    expect(p.yearEarlier).toMatchObject({ from: '2025-03', to: '2025-03', months: ['2025-03'] });
    const before = await weeklySum(2025, 3, (s) => s.total);
    expect(before.offered).toBeGreaterThan(500);
    expect(countsOf(p.yearEarlier.total.period)).toEqual(before);
  });

  it('reads the rollups and counts exactly what every call record counts (the reference)', async () => {
    const ctx = createContext(testConfig(prefix, { MANAGER_TOKENS: MANAGER, BELOFTE_TIMEZONE: TZ }), redis, quietLog);
    const now = Date.now();
    for (const queue of [null, 'Afval', 'Spoed', 'Nergens']) {
      const fromRollups = await computePeriod(ctx, '2026-Q1', undefined, queue, now, 'rollups');
      expect(fromRollups.total.period.offered, `${queue}`).toBe(queue === 'Nergens' ? 0 : fromRollups.total.period.offered || -1);
      expect(fromRollups, `${queue}`).toEqual(await computePeriod(ctx, '2026-Q1', undefined, queue, now, 'records'));
    }
  });

  it('gives a quarter and a year as the sum of their months', async () => {
    const q = (await get('/api/stats/period?from=2026-Q1&to=2026-Q2')).body;
    expect(q.months).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06']);
    const march = (await get('/api/stats/period?from=2026-03')).body;
    const april = (await get('/api/stats/period?from=2026-04')).body;
    expect(countsOf(q.total.months[2])).toEqual(countsOf(march.total.period));
    expect(countsOf(q.total.months[3])).toEqual(countsOf(april.total.period));
    for (const k of COUNTS) expect(q.total.period[k], k).toBe(march.total.period[k] + april.total.period[k]);
    const year = (await get('/api/stats/period?from=2026')).body;
    expect(year.months).toHaveLength(12);
    expect(year.total.period.offered).toBe(march.total.period.offered + april.total.period.offered);
    expect(year.total.months[0].offered).toBe(0);
    expect(year.total.months[0].serviceLevel).toBeNull();
    const afval = (await get('/api/stats/period?from=2026-03&queue=Afval')).body;
    expect(Object.keys(afval.queues)).toEqual(['Afval']);
    expect(countsOf(afval.total.period)).toEqual(countsOf(march.queues.Afval.period));
  });

  it.each([
    ['', 'from', /from: is required/],
    ['?from=2026-13', 'from', /a month \(2026-01\), a quarter \(2026-Q1\) or a year \(2026\)/],
    ['?from=2026-Q5', 'from', /quarter/],
    ['?from=26-01', 'from', /month/],
    ['?from=2026-01&to=2026-Q2', 'to', /same form as from/],
    ['?from=2026-06&to=2026-01', 'to', /before from/],
    ['?from=2025-01&to=2026-03', 'to', /at most 12 months/],
    ['?from=2025&to=2026', 'to', /at most 12 months/],
    ['?from=2026-01&format=xls', 'format', /csv/],
    ['?from=2026-01&week=2026-W01', 'week', /unknown parameter "week"/],
  ])('refuses %s naming %s', async (query, parameter, message) => {
    const r = await get(`/api/stats/period${query}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: 'bad_request', parameter });
    expect(r.body.message).toMatch(message);
  });

  it('gives CSV for Excel with the weekly CSV\'s conventions', async () => {
    const json = (await get('/api/stats/period?from=2026-03')).body;
    const r = await get('/api/stats/period?from=2026-03&format=csv');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(r.headers.get('content-disposition')).toBe('attachment; filename="belofte-2026-03.csv"');
    expect(r.text.startsWith('\uFEFF')).toBe(true);
    const lines = r.text.slice(1).split('\r\n');
    expect(lines.at(-1)).toBe('');
    const header = lines[0]!.split(';');
    expect(header.slice(0, 5)).toEqual(['reeks', 'niveau', 'wachtrij', 'periode', 'maand']);
    expect(header).toContain('servicelevel');
    expect(header).toContain('compensatie totaal (EUR)');
    const total = lines.find((l) => l.startsWith('periode;totaal;;maand;2026-03;'))!.split(';');
    expect(total[header.indexOf('aangeboden')]).toBe(String(json.total.months[0].offered));
    expect(total[header.indexOf('servicelevel')]).toBe(String(json.total.months[0].serviceLevel).replace('.', ','));
    expect(lines.some((l) => l.startsWith('jaar eerder;totaal;;maand;2025-03;'))).toBe(true);
    const en = await get('/api/stats/period?from=2026-03&format=csv&lang=en&decimal=point');
    expect(en.text.slice(1).split('\r\n')[0]!.split(',').slice(0, 5)).toEqual(['series', 'scope', 'queue', 'period', 'month']);
  });
});
