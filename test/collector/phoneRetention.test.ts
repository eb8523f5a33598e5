/**
 * PHONE_RETENTION_DAYS: past it, the collector's trim removes callers' numbers from the call
 * records — and so from the breach register, the abandoned list and the callback list, which
 * read them there — while every figure stays as it was and the records keep their expiry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Keys, recordHour } from '@belofte/shared/keys';
import { formatIsoWeek, isoWeekOfInstant, localDate, startOfLocalDay } from '@belofte/shared/time';
import { Collector } from '@belofte/collector/collector';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { forgetCallerNumbers } from '@belofte/collector/retention';
import { decodeRecord } from '@belofte/shared/storedRecord';
import { buildCall } from '../stats/simulatedWeek.ts';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { apiFor, quietLog, testConfig, type RunningApi } from '../support/stack.ts';

const TZ = 'Europe/Amsterdam';
const MANAGER = 'manager-token-retention-1';
const SUPERVISOR = 'supervisor-token-retention';
const DAY = 86_400_000;
const prefix = testPrefix('retention');
const redis = connect();
const keys = new Keys(prefix, 'main');
let api: RunningApi;
/** The same, configured to keep numbers a year: it shows what the records hold. */
let longer: RunningApi;

const NOW = Date.now();
const OLD = startOfLocalDay(NOW - 100 * DAY, TZ) + 10 * 3_600_000;
const RECENT = startOfLocalDay(NOW - 10 * DAY, TZ) + 10 * 3_600_000;
const OLD_NUMBER = '0612345678';
const RECENT_NUMBER = '0687654321';

const calls = (at: number, tag: string, caller: string) => [
  // A breach (answered after 6:40) and an abandoned call, both with the caller's number.
  buildCall({ id: `${tag}.breach`, at, queues: ['Afval'], waits: [400], last: 'answered', agents: ['Anna de Vries'], talks: [60], caller }),
  buildCall({ id: `${tag}.gone`, at: at + 60_000, queues: ['Parkeren'], waits: [90], last: 'abandoned', agents: [], talks: [], caller }),
  buildCall({ id: `${tag}.fine`, at: at + 120_000, queues: ['Afval'], waits: [10], last: 'answered', agents: ['Bram Jansen'], talks: [100], caller }),
];

/** Where a record is stored: its first entry's hour bucket. */
const bucketOf = (id: string, at: number) => keys.recordBucket(keys.durableBase(id), recordHour(at));
async function stored(id: string, at: number) {
  const text = await redis.hget(bucketOf(id, at), id);
  return text === null ? null : decodeRecord(id, text)!.record;
}

async function get(path: string, token = MANAGER, via = api): Promise<any> {
  const res = await fetch(via.url + path, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, path).toBe(200);
  return res.json();
}

beforeAll(async () => {
  const writer = new RedisWriter(redis, { keys, retentionDays: 400, maxBuffered: 1000 });
  for (const call of [...calls(OLD, 'old', OLD_NUMBER), ...calls(RECENT, 'recent', RECENT_NUMBER)]) writer.enqueue([{ kind: 'callFinished', call }]);
  await writer.flush();
  api = await apiFor(testConfig(prefix, { MANAGER_TOKENS: MANAGER, SUPERVISOR_TOKENS: SUPERVISOR, BELOFTE_TIMEZONE: TZ, PHONE_RETENTION_DAYS: '90' }));
  longer = await apiFor(testConfig(prefix, { MANAGER_TOKENS: MANAGER, SUPERVISOR_TOKENS: SUPERVISOR, BELOFTE_TIMEZONE: TZ, PHONE_RETENTION_DAYS: '365' }));
});

afterAll(async () => {
  await api?.stop();
  await longer?.stop();
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

describe('phone number retention', () => {
  it('removes the numbers of calls older than PHONE_RETENTION_DAYS and keeps every figure', async () => {
    const oldMonth = localDate(OLD, TZ).slice(0, 7);
    const oldDate = localDate(OLD, TZ);
    const before = {
      period: await get(`/api/stats/period?from=${oldMonth}`),
      breaches: await get(`/api/breaches?from=${oldDate}&to=${oldDate}`, MANAGER, longer),
      callbacks: await get(`/api/callbacks?date=${oldDate}`, SUPERVISOR, longer),
    };
    // The records still hold the number: an API keeping numbers a year shows it.
    expect(before.breaches.breaches[0].caller).toBe('****5678');
    expect(JSON.stringify(before.callbacks)).toContain(OLD_NUMBER);
    // An API with PHONE_RETENTION_DAYS=90 shows none of it, even before the records are rewritten.
    expect((await get(`/api/breaches?from=${oldDate}&to=${oldDate}`)).breaches[0].caller).toBeNull();
    expect(JSON.stringify(await get(`/api/callbacks?date=${oldDate}`, SUPERVISOR))).not.toContain(OLD_NUMBER);
    const ttlBefore = await redis.ttl(bucketOf('old.breach', OLD));

    const collector = new Collector(testConfig(prefix, { AMI_HOST: '127.0.0.1', PHONE_RETENTION_DAYS: '90', BELOFTE_TIMEZONE: TZ }), redis, quietLog);
    await collector.trim(NOW);

    for (const [i, id] of ['old.breach', 'old.gone', 'old.fine'].entries()) {
      const r = (await stored(id, OLD + i * 60_000))!;
      expect(r.callerIdNum, id).toBe('');
      expect(r.visits.length, id).toBeGreaterThan(0);
    }
    for (const [i, id] of ['recent.breach', 'recent.gone', 'recent.fine'].entries()) expect((await stored(id, RECENT + i * 60_000))!.callerIdNum, id).toBe(RECENT_NUMBER);
    // The record keeps its expiry (RETENTION_DAYS), to within the seconds the test took.
    const ttlAfter = await redis.ttl(bucketOf('old.breach', OLD));
    expect(ttlAfter).toBeGreaterThan(0);
    expect(ttlBefore - ttlAfter).toBeLessThan(60);

    // Now the records themselves are without it: even a freshly started API keeping numbers a
    // year (nothing cached) has none.
    const fresh = await apiFor(testConfig(prefix, { MANAGER_TOKENS: MANAGER, SUPERVISOR_TOKENS: SUPERVISOR, BELOFTE_TIMEZONE: TZ, PHONE_RETENTION_DAYS: '365' }));
    const after = {
      period: await get(`/api/stats/period?from=${oldMonth}`),
      breaches: await get(`/api/breaches?from=${oldDate}&to=${oldDate}`, MANAGER, fresh),
      callbacks: await get(`/api/callbacks?date=${oldDate}`, SUPERVISOR, fresh),
    };
    await fresh.stop();
    // Figures stay.
    const { generatedAt: _a, ...periodBefore } = before.period;
    const { generatedAt: _b, ...periodAfter } = after.period;
    expect(periodAfter).toEqual(periodBefore);
    expect(after.period.total.period).toMatchObject({ offered: 3, breaches: 1, abandoned: 1 });
    // The number is gone from the register and the callback list.
    expect(after.breaches.breaches.map((b: any) => b.caller)).toEqual([null]);
    const oldWeek = formatIsoWeek(isoWeekOfInstant(OLD, TZ));
    expect((await get(`/api/stats/abandoned?week=${oldWeek}`)).entries.map((e: any) => [e.id, e.caller])).toEqual([['old.gone', null]]);
    expect((await get(`/api/stats/abandoned?week=${formatIsoWeek(isoWeekOfInstant(RECENT, TZ))}`)).entries.map((e: any) => [e.id, e.caller])).toEqual([['recent.gone', '****4321']]);
    expect(JSON.stringify(after.callbacks)).not.toContain(OLD_NUMBER);
    // The recent ones are still there in full for the supervisor.
    expect(JSON.stringify(await get(`/api/callbacks?date=${localDate(RECENT, TZ)}`, SUPERVISOR))).toContain(RECENT_NUMBER);
    expect((await get(`/api/breaches?from=${localDate(RECENT, TZ)}&to=${localDate(RECENT, TZ)}`)).breaches[0].caller).toBe('****4321');
  });

  it('resumes from its watermark, in bounded passes of whole days, and does nothing twice', async () => {
    const writer = new RedisWriter(redis, { keys, retentionDays: 400, maxBuffered: 5000 });
    const base = startOfLocalDay(NOW - 200 * DAY, TZ);
    for (let i = 0; i < 1200; i++) writer.enqueue([{ kind: 'callFinished', call: buildCall({ id: `many.${i}`, at: base + i * 600_000, queues: ['Spoed'], waits: [5], last: 'answered', agents: ['Anna de Vries'], talks: [30], caller: `06${String(i).padStart(8, '0')}` }) }]);
    await writer.flush();
    await redis.del(keys.callersForgottenUntil);
    const cutoff = NOW - 90 * DAY;
    // 144 calls a day, over 8⅓ days: a pass stops at the first day's end past 500.
    const oldest = base - 12 * 3_600_000;
    const first = await forgetCallerNumbers(redis, keys, cutoff, oldest, 500);
    expect(first.forgotten).toBeGreaterThanOrEqual(500);
    expect(first.forgotten).toBeLessThan(500 + 144);
    expect(first.until).toBeLessThan(cutoff);
    let total = first.forgotten;
    for (let pass = 0; pass < 10; pass++) {
      const r = await forgetCallerNumbers(redis, keys, cutoff, oldest, 500);
      total += r.forgotten;
      if (r.until === cutoff) break;
    }
    expect(total).toBe(1200);
    expect(Number(await redis.get(keys.callersForgottenUntil))).toBe(cutoff);
    expect((await forgetCallerNumbers(redis, keys, cutoff, oldest)).forgotten).toBe(0);
    const records = await Promise.all(Array.from({ length: 1200 }, (_, i) => stored(`many.${i}`, base + i * 600_000)));
    expect(records.every((r) => r !== null && r.callerIdNum === '')).toBe(true);
  });
});
