/**
 * Weekly statistics end to end: simulated weeks of call records written through the
 * collector's real Lua path into the real Redis, read back through GET /api/stats/weekly, and
 * compared field by field with a reference computed here, independently, from the raw records
 * with nothing but loops and Intl — for an ordinary week and for both daylight-saving weeks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerCall } from '@belofte/collector/domain/types';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { Keys } from '@belofte/shared/keys';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, testConfig, type RunningApi } from '../support/stack.ts';
import { simulateWeek } from './simulatedWeek.ts';

const TZ = 'Europe/Amsterdam';
const MANAGER = 'manager-token-weekly-0001';
const prefix = testPrefix('weekly');
const redis = connect();
const keys = new Keys(prefix, 'main');
let api: RunningApi;

const WEEKS = {
  ordinary: { year: 2026, week: 47 },
  before: { year: 2026, week: 46 },
  spring: { year: 2026, week: 13 },
  autumn: { year: 2026, week: 43 },
};
const all: CustomerCall[] = [];

beforeAll(async () => {
  const writer = new RedisWriter(redis, { keys, retentionDays: 3650, maxBuffered: 100_000 });
  Object.values(WEEKS).forEach((w, i) => all.push(...simulateWeek(w, TZ, 1000 + i)));
  for (const call of all) writer.enqueue([{ kind: 'callFinished', call }]);
  await writer.flush();
  api = await apiFor(testConfig(prefix, { MANAGER_TOKENS: MANAGER, BELOFTE_TIMEZONE: TZ }));
}, 60_000);

afterAll(async () => {
  await api?.stop();
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

async function weekly(query: string): Promise<Record<string, any>> {
  const res = await fetch(`${api.url}/api/stats/weekly?${query}`, { headers: { authorization: `Bearer ${MANAGER}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, any>;
}

// ------------------------------------------------------------------ the reference

const local = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });
function dateHour(ms: number): { date: string; hour: number } {
  const p = Object.fromEntries(local.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour) };
}

/** The seven local dates of an ISO week, found by walking hours from a UTC guess — no shared helper. */
function weekDates(year: number, week: number): string[] {
  const jan4 = Date.UTC(year, 0, 4);
  const mondayUtc = jan4 - (((new Date(jan4).getUTCDay() + 6) % 7) * 86_400_000) + (week - 1) * 7 * 86_400_000;
  return Array.from({ length: 7 }, (_, i) => new Date(mondayUtc + i * 86_400_000).toISOString().slice(0, 10));
}

interface Bucket {
  offered: number; answered: number; abandoned: number; shortAbandoned: number; timedOut: number; movedOut: number; unknown: number;
  within: number; withinGuarantee: number; waits: number[]; talks: number[];
  calls: number; breached: number; overLimit: number; breaches: number; transfers: number[];
}
const bucket = (): Bucket => ({ offered: 0, answered: 0, abandoned: 0, shortAbandoned: 0, timedOut: 0, movedOut: 0, unknown: 0, within: 0, withinGuarantee: 0, waits: [], talks: [], calls: 0, breached: 0, overLimit: 0, breaches: 0, transfers: [0, 0, 0, 0] });

function figures(b: Bucket) {
  const den = b.answered + b.abandoned + b.timedOut + b.movedOut;
  const avg = (xs: number[]) => (xs.length ? Math.round((xs.reduce((a, x) => a + x, 0) / xs.length) * 10) / 10 : null);
  return {
    offered: b.offered, answered: b.answered, abandoned: b.abandoned, shortAbandoned: b.shortAbandoned, timedOut: b.timedOut, movedOut: b.movedOut, unknown: b.unknown,
    answeredWithinTarget: b.within,
    serviceLevel: den ? Math.round((b.within / den) * 10_000) / 10_000 : null,
    answeredWithinGuarantee: b.withinGuarantee,
    averageWaitSeconds: avg(b.waits),
    longestWaitSeconds: b.waits.length ? Math.max(...b.waits) : 0,
    averageTalkSeconds: avg(b.talks),
    calls: b.calls, guaranteeBreaches: b.breached, overTransferLimit: b.overLimit, breaches: b.breaches,
    breachesOpen: b.breaches, breachesClosed: 0, breachesWithComplaint: 0, breachesCompensated: 0,
    callsTransferred0: b.transfers[0], callsTransferred1: b.transfers[1], callsTransferred2: b.transfers[2], callsTransferredMore: b.transfers[3],
  };
}

/** The expected document, from the raw records: per queue, each entry in the day and hour it joined. */
function reference(year: number, week: number, onlyQueue?: string) {
  const dates = weekDates(year, week);
  const scopes = new Map<string, { week: Bucket; days: Bucket[]; hours: Bucket[] }>();
  const scope = (q: string) => {
    if (!scopes.has(q)) scopes.set(q, { week: bucket(), days: dates.map(bucket), hours: Array.from({ length: 24 }, bucket) });
    return scopes.get(q)!;
  };
  const merged = new Set(all.flatMap((c) => c.aliases));
  const calls = all.filter((c) => !merged.has(c.linkedid));
  const agents = new Map<string, { week: number[]; days: number[][] }>();
  const agent = (name: string) => {
    if (!agents.has(name)) agents.set(name, { week: [0, 0, 0, 0, 0], days: dates.map(() => [0, 0, 0, 0, 0]) });
    return agents.get(name)!;
  };
  for (const c of calls) {
    for (const v of c.visits) {
      const at = dateHour(v.joinedAt);
      const day = dates.indexOf(at.date);
      if (day >= 0 && (!onlyQueue || v.queue === onlyQueue)) {
        const s = scope(v.queue);
        for (const b of [s.week, s.days[day]!, s.hours[at.hour]!]) {
          b.offered++;
          let wait: number | null = null;
          if (v.answeredAt !== null) {
            b.answered++;
            wait = v.holdSeconds!;
            if (wait <= 20) b.within++;
            if (wait <= 300) b.withinGuarantee++;
            if (v.talkSeconds !== null) b.talks.push(v.talkSeconds);
          } else if (v.status === 'unknown') b.unknown++;
          else {
            b[v.status as 'abandoned' | 'shortAbandoned' | 'timedOut' | 'movedOut']++;
            wait = Math.round((v.endedAt! - v.joinedAt) / 1000);
          }
          if (wait !== null) b.waits.push(wait);
        }
      }
      if (v.answeredAt !== null && v.agent && (!onlyQueue || v.queue === onlyQueue)) {
        const day = dates.indexOf(dateHour(v.answeredAt).date);
        if (day >= 0) {
          const a = agent(v.agent);
          const earlier = c.transfers.filter((t) => t.at < v.answeredAt!).length;
          for (const row of [a.week, a.days[day]!]) {
            row[0]!++;
            row[1]! += v.talkSeconds ?? 0;
            row[2]! += v.talkSeconds !== null ? 1 : 0;
            if (earlier >= 2) row[4]!++;
          }
        }
      }
    }
    for (const t of c.transfers) {
      if (!t.agent) continue;
      const day = dates.indexOf(dateHour(t.at).date);
      if (day < 0) continue;
      if (onlyQueue) {
        const handling = c.visits.filter((v) => v.agent === t.agent && v.answeredAt !== null && v.answeredAt <= t.at).at(-1);
        if ((handling?.queue ?? c.visits[0]!.queue) !== onlyQueue) continue;
      }
      agent(t.agent).week[3]!++;
      agent(t.agent).days[day]![3]!++;
    }
    const first = dateHour(c.firstJoinedAt);
    const day = dates.indexOf(first.date);
    if (day < 0 || (onlyQueue && c.visits[0]!.queue !== onlyQueue)) continue;
    const s = scope(c.visits[0]!.queue);
    for (const b of [s.week, s.days[day]!, s.hours[first.hour]!]) {
      b.calls++;
      if (c.breached) b.breached++;
      if (c.overTransferLimit) b.overLimit++;
      if (c.breached || c.overTransferLimit) b.breaches++;
      b.transfers[Math.min(3, c.transfers.length)]!++;
    }
  }
  // The total: every queue's entries and calls together.
  const total = { week: bucket(), days: dates.map(bucket), hours: Array.from({ length: 24 }, bucket) };
  const addInto = (into: Bucket, b: Bucket) => {
    for (const k of Object.keys(into) as Array<keyof Bucket>) {
      if (Array.isArray(into[k])) {
        if (k === 'transfers') b.transfers.forEach((n, i) => (into.transfers[i]! += n));
        else (into[k] as number[]).push(...(b[k] as number[]));
      } else (into as unknown as Record<string, number>)[k]! += b[k] as number;
    }
  };
  for (const s of scopes.values()) {
    addInto(total.week, s.week);
    s.days.forEach((d, i) => addInto(total.days[i]!, d));
    s.hours.forEach((h, i) => addInto(total.hours[i]!, h));
  }
  const shape = (s: typeof total) => ({
    week: figures(s.week),
    days: s.days.map((d, i) => ({ ...figures(d), date: dates[i], weekday: i + 1 })),
    hours: s.hours.map((h, i) => ({ ...figures(h), hour: i })),
  });
  const agentFigures = (r: number[]) => ({ answered: r[0], talkSeconds: r[1], averageTalkSeconds: r[2] ? Math.round((r[1]! / r[2]) * 10) / 10 : null, transfersMade: r[3], answeredAtTransferLimit: r[4] });
  return {
    dates,
    total: shape(total),
    queues: Object.fromEntries([...scopes.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([q, s]) => [q, shape(s)])),
    agents: [...agents.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, a]) => ({ agent: name, week: agentFigures(a.week), days: a.days.map((d, i) => ({ ...agentFigures(d), date: dates[i] })) })),
  };
}

// ------------------------------------------------------------------ the tests

describe('GET /api/stats/weekly against a reference computed from the raw records', () => {
  for (const [name, w] of Object.entries(WEEKS)) {
    it(`${name} week ${w.year}-W${w.week}: every figure of every queue, day and hour, and every agent`, async () => {
      const got = await weekly(`week=${w.year}-W${w.week}`);
      const want = reference(w.year, w.week);
      expect(got.dates).toEqual(want.dates);
      expect(Object.keys(got.queues)).toEqual(Object.keys(want.queues));
      expect(got.total).toEqual(want.total);
      expect(got.queues).toEqual(want.queues);
      expect(got.agents).toEqual(want.agents);
      // The simulated week is not trivial: every kind of call is in it.
      const t = got.total.week;
      for (const f of ['answered', 'abandoned', 'timedOut', 'movedOut', 'unknown', 'shortAbandoned', 'guaranteeBreaches', 'overTransferLimit', 'callsTransferred1', 'callsTransferred2', 'callsTransferredMore']) expect(t[f], f).toBeGreaterThan(0);
    });
  }

  it('a queue filter gives that queue alone, with the same figures as in the full document', async () => {
    const fullDoc = await weekly('week=2026-W47');
    const only = await weekly('week=2026-W47&queue=Parkeren');
    expect(Object.keys(only.queues)).toEqual(['Parkeren']);
    expect(only.queues.Parkeren).toEqual(fullDoc.queues.Parkeren);
    expect(only.total).toEqual(fullDoc.queues.Parkeren);
    expect(only.agents).toEqual(reference(2026, 47, 'Parkeren').agents);
  });

  it('the autumn week has 169 hours, and its Sunday hour 2 holds both of the real 02:00 hours', async () => {
    const got = await weekly('week=2026-W43');
    expect((Date.parse(got.to) - Date.parse(got.from)) / 3_600_000).toBe(169);
    const sunday = Date.parse('2026-10-25T00:00:00Z'); // 02:00 CEST, the first 02:00
    const twice = all.filter((c) => c.visits.some((v) => v.queue === 'Spoed' && v.joinedAt >= sunday && v.joinedAt < sunday + 2 * 3_600_000));
    const firstHour = twice.filter((c) => c.firstJoinedAt < sunday + 3_600_000).length;
    expect(firstHour).toBeGreaterThan(0);
    expect(twice.length).toBeGreaterThan(firstHour);
    // Sunday's hour 2 of Spoed equals the calls of those two real hours (plus none from other days: the office is closed at night).
    const spoedSunday2 = all.filter((c) => c.visits[0]!.queue === 'Spoed' && c.firstJoinedAt >= sunday && c.firstJoinedAt < sunday + 2 * 3_600_000).length;
    expect(got.queues.Spoed.days[6].calls).toBeGreaterThan(0);
    expect(got.queues.Spoed.hours[2].calls).toBeGreaterThanOrEqual(spoedSunday2);
  });

  it('the spring week has 167 hours and no calls in the Sunday hour that does not exist', async () => {
    const got = await weekly('week=2026-W13');
    expect((Date.parse(got.to) - Date.parse(got.from)) / 3_600_000).toBe(167);
    const sundayHour2 = all.filter((c) => dateHour(c.firstJoinedAt).date === '2026-03-29' && dateHour(c.firstJoinedAt).hour === 2);
    expect(sundayHour2).toEqual([]);
  });

  it('keeps a wait across Sunday midnight with Sunday, and an entry transferred in after Monday 00:00 with Monday', async () => {
    const got = await weekly('week=2026-W47');
    const before = await weekly('week=2026-W46');
    // W47's boundary call began on W46's Sunday: its call figures are W46's, its later entries W47's.
    const boundary = all.find((c) => c.linkedid === '2026w47.boundary')!;
    expect(dateHour(boundary.firstJoinedAt).date).toBe('2026-11-15');
    expect(dateHour(boundary.visits[2]!.joinedAt).date).toBe('2026-11-16');
    expect(got.queues.Parkeren.days[0].offered).toBeGreaterThan(0);
    expect(before.queues.Spoed.days[6].calls).toBeGreaterThan(0);
  });

  it('refuses a week that does not exist, naming the parameter', async () => {
    const res = await fetch(`${api.url}/api/stats/weekly?week=2025-W53`, { headers: { authorization: `Bearer ${MANAGER}` } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'bad_request', parameter: 'week', message: expect.stringMatching(/^week: .*2026-W47/) });
  });
});
