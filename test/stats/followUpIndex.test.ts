/**
 * The follow-up index: a week's (and a month's) follow-up counts read only the breaches that
 * were followed up, and give what reading every breach's hash gives — also for follow-ups
 * recorded before the index existed, which the API indexes once, in the background.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerCall } from '@belofte/collector/domain/types';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { Keys } from '@belofte/shared/keys';
import { DEFAULT_THRESHOLDS } from '@belofte/shared/figures';
import { isoWeekSpan } from '@belofte/shared/time';
import { createContext } from '@belofte/api/context';
import { recordFollowUp } from '@belofte/api/breaches/register';
import { computeWeekly, computeWeeklyFromRecords } from '@belofte/api/routes/stats';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { quietLog, testConfig, until } from '../support/stack.ts';
import { simulateWeek } from './simulatedWeek.ts';

const TZ = 'Europe/Amsterdam';
const WEEK = { year: 2026, week: 47 };
const NOW = Date.parse('2026-12-01T12:00:00Z');
const prefix = testPrefix('followup-index');
const redis = connect();
const keys = new Keys(prefix, 'main');
const config = testConfig(prefix, { BELOFTE_TIMEZONE: TZ });
let breaches: CustomerCall[] = [];

beforeAll(async () => {
  const writer = new RedisWriter(redis, { keys, retentionDays: 3650, maxBuffered: 100_000, rollups: { thresholds: DEFAULT_THRESHOLDS, timeZone: TZ } });
  const calls = simulateWeek(WEEK, TZ, 4711);
  for (const call of calls) writer.enqueue([{ kind: 'callFinished', call }]);
  await writer.flush();
  breaches = calls.filter((c) => (c.breached || c.overTransferLimit) && !calls.some((o) => o.aliases.includes(c.linkedid)));
  expect(breaches.length).toBeGreaterThan(40);
}, 60_000);

afterAll(async () => {
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

describe('the follow-up index', () => {
  it('indexes follow-ups recorded before it existed, and counts them the same before and after', async () => {
    // Follow-ups as an earlier version stored them: the hash alone, no index entry.
    const earlier = breaches.slice(0, 12);
    for (const [i, b] of earlier.entries()) {
      await redis.hset(keys.breachFollowUp(b.linkedid), { version: '1', closed: i % 2 ? '1' : '0', complaintReceived: i % 3 ? '0' : '1', updatedAt: String(NOW), updatedBy: 'earlier' });
    }
    const ctx = createContext(config, redis, quietLog);
    const reference = await computeWeeklyFromRecords(ctx, WEEK, null, NOW);
    expect(reference.total.week.breachesClosed).toBe(6);
    expect(reference.total.week.breachesWithComplaint).toBe(4);
    // Not indexed yet: every breach's follow-up is read, as before.
    expect(await computeWeekly(ctx, WEEK, null, NOW)).toEqual(reference);
    await until(async () => ((await redis.get(keys.breachFollowUpsComplete)) === '1' ? true : undefined), 10_000, 'the earlier follow-ups to be indexed');
    const indexed = await redis.zrange(keys.breachFollowUps, 0, -1);
    expect(indexed.sort()).toEqual(earlier.map((b) => b.linkedid).sort());
    const span = isoWeekSpan(WEEK, TZ);
    expect((await ctx.followedUp.between(span.from, span.to, TZ)).map((b) => b.id).sort()).toEqual(earlier.map((b) => b.linkedid).sort());
    // A fresh API process finds the index complete and reads only the followed-up breaches.
    const fresh = createContext(config, redis, quietLog);
    expect(await computeWeekly(fresh, WEEK, null, NOW)).toEqual(reference);
    for (const queue of new Set(earlier.map((b) => b.visits[0]!.queue))) {
      expect(await computeWeekly(fresh, WEEK, queue, NOW), queue).toEqual(await computeWeeklyFromRecords(fresh, WEEK, queue, NOW));
    }
  });

  it('takes a newly recorded follow-up into the index and the counts at once', async () => {
    const ctx = createContext(config, redis, quietLog);
    const b = breaches[30]!;
    await recordFollowUp(redis, keys, { id: b.linkedid, firstJoinedAt: b.firstJoinedAt, patch: { compensation: [{ kind: 'coffee', amountCents: null }] } as never, by: 'test', at: NOW, keepSeconds: 86_400 * 3650 });
    expect(await redis.zscore(keys.breachFollowUps, b.linkedid)).toBe(String(Math.round(b.firstJoinedAt)));
    const weekly = await computeWeekly(ctx, WEEK, null, NOW);
    expect(weekly.total.week.breachesCompensated).toBe(1);
    expect(weekly).toEqual(await computeWeeklyFromRecords(ctx, WEEK, null, NOW));
  });

  it('leaves out an indexed id that the breach index does not book', async () => {
    const ctx = createContext(config, redis, quietLog);
    const span = isoWeekSpan(WEEK, TZ);
    const notABreach = 'not-a-breach.1';
    await redis.zadd(keys.breachFollowUps, span.from + 3_600_000, notABreach);
    await redis.hset(keys.breachFollowUp(notABreach), { version: '1', closed: '1' });
    expect((await ctx.followedUp.between(span.from, span.to, TZ)).map((b) => b.id)).not.toContain(notABreach);
    expect(await computeWeekly(ctx, WEEK, null, NOW)).toEqual(await computeWeeklyFromRecords(ctx, WEEK, null, NOW));
  });
});
