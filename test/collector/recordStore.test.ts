/**
 * Call records in their hour buckets (Keys.recordBucket), against a real Redis: a rewrite takes
 * out exactly what the earlier version added, with the rules that version was counted with;
 * records of the earlier format move into the buckets; a breach is found by its id alone.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '@belofte/shared/figures';
import { Keys, recordDay, recordHour } from '@belofte/shared/keys';
import { contributionOf, encodeContribution, QUEUE_ROLLUP, queueField, ROLLUP_SUFFIX, rollupRules, vectorText, type RollupRules } from '@belofte/shared/rollup';
import { decodeRecord } from '@belofte/shared/storedRecord';
import { localDate, localParts } from '@belofte/shared/time';
import { CallRecords } from '@belofte/api/records/reader';
import { moveLegacyRecords } from '@belofte/collector/legacyRecords';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { buildCall } from '../stats/simulatedWeek.ts';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';

const TZ = 'Europe/Amsterdam';
const redis = connect();
const prefixes: string[] = [];
const fresh = (name: string) => {
  const p = testPrefix(name);
  prefixes.push(p);
  return new Keys(p, 'main');
};
afterAll(async () => {
  for (const p of prefixes) await cleanPrefix(redis, p);
  redis.disconnect();
});

const AT = Date.parse('2026-11-17T09:15:00Z');
/** A call answered after 25 s: within a 30 s target, not within 20 s. */
const call = (talk: number) => buildCall({ id: 'rw.1', at: AT, queues: ['Afval'], waits: [25], last: 'answered', agents: ['Anna de Vries'], talks: [talk] });
const rules20 = rollupRules(DEFAULT_THRESHOLDS, TZ);
const rules30 = rollupRules({ ...DEFAULT_THRESHOLDS, targetSeconds: 30 }, TZ);

async function hourVector(keys: Keys, id: string): Promise<string | null> {
  const p = localParts(AT, TZ);
  return redis.hget(keys.durableBase(id) + ROLLUP_SUFFIX.queues(localDate(AT, TZ)), queueField('Afval', p.hour));
}

/** What a call adds to its queue's hour, as stored. */
function queueShare(c: ReturnType<typeof call>, rules: RollupRules): string {
  const at = localParts(c.firstJoinedAt, TZ);
  const v = contributionOf(c, rules).hashes.get(ROLLUP_SUFFIX.queues(localDate(c.firstJoinedAt, TZ)))!.get(queueField('Afval', at.hour))!;
  return vectorText(QUEUE_ROLLUP, v as Record<string, number>);
}

describe('call records in hour buckets', () => {
  it('a rewrite after the target changed takes out what the first version added, not what it would add now', async () => {
    const keys = fresh('rewrite');
    const first = new RedisWriter(redis, { keys, retentionDays: 30, maxBuffered: 100, rollups: rules20 });
    first.enqueue([{ kind: 'callFinished', call: call(60) }]);
    await first.flush();
    const byOld = await hourVector(keys, 'rw.1');
    expect(byOld).toBe(queueShare(call(60), rules20));

    // Restarted with a 30 s target, the collector writes the same call again, changed.
    const second = new RedisWriter(redis, { keys, retentionDays: 30, maxBuffered: 100, rollups: rules30 });
    second.enqueue([{ kind: 'callFinished', call: call(75) }]);
    await second.flush();
    expect(second.records.stats.rewritten).toBe(1);
    expect(second.records.stats.unknownRules).toBe(0);
    // Exactly the new version's share under the new rules: within target 1 (not 0, as taking
    // out the 30 s share of the old version would leave), talk 75 s.
    expect(await hourVector(keys, 'rw.1')).toBe(queueShare(call(75), rules30));
    expect(queueShare(call(75), rules30)).not.toBe(queueShare(call(75), rules20));
    const stored = await redis.hget(keys.recordBucket(keys.durableBase('rw.1'), recordHour(AT)), 'rw.1');
    expect(decodeRecord('rw.1', stored!)!.record.visits[0]!.talkSeconds).toBe(75);

    // The same again changes nothing.
    second.enqueue([{ kind: 'callFinished', call: call(75) }]);
    await second.flush();
    expect(second.records.stats.rewritten).toBe(1);
  });

  it('rules no longer known are said, and the current ones used', async () => {
    const keys = fresh('unknownrules');
    const first = new RedisWriter(redis, { keys, retentionDays: 30, maxBuffered: 100, rollups: rules20 });
    first.enqueue([{ kind: 'callFinished', call: call(60) }]);
    await first.flush();
    await redis.del(keys.rollupRules);
    const second = new RedisWriter(redis, { keys, retentionDays: 30, maxBuffered: 100, rollups: rules30 });
    second.enqueue([{ kind: 'callFinished', call: call(75) }]);
    await second.flush();
    expect(second.records.stats.unknownRules).toBe(1);
    expect(second.records.stats.rewritten).toBe(1);
    // And the registry is whole again.
    expect(await redis.hlen(keys.rollupRules)).toBe(1);
  });

  it('moves records of the earlier format into the buckets, rollups untouched, and finds a breach by id', async () => {
    const keys = fresh('legacy');
    const breach = buildCall({ id: 'old.breach', at: AT, queues: ['Afval'], waits: [400], last: 'answered', agents: ['Anna de Vries'], talks: [60], caller: '0612345678' });
    const fine = buildCall({ id: 'old.fine', at: AT + 3_600_000, queues: ['Afval'], waits: [5], last: 'answered', agents: ['Bram Jansen'], talks: [60] });
    for (const c of [breach, fine]) {
      // Format 1: the contribution, a newline, the JSON; indexed by first entry.
      await redis.set(keys.legacyRecord(c.linkedid), `${encodeContribution(contributionOf(c, rules20))}\n${JSON.stringify(c)}`, 'EX', 3600);
      await redis.zadd(keys.legacyRecordsIndex(keys.durableBase(c.linkedid)), Math.round(c.firstJoinedAt), c.linkedid);
    }
    // An index entry whose record already expired.
    await redis.zadd(keys.legacyRecordsIndex(keys.durableBase('gone')), AT, 'gone');
    const result = await moveLegacyRecords(redis, keys, { rulesStamp: 'stamp', retentionDays: 30 });
    expect(result).toMatchObject({ moved: 2, unreadable: 0, done: true });
    for (const c of [breach, fine]) {
      expect(await redis.exists(keys.legacyRecord(c.linkedid))).toBe(0);
      expect(await redis.zcard(keys.legacyRecordsIndex(keys.durableBase(c.linkedid)))).toBe(0);
      expect(await redis.zscore(keys.recordDays(keys.durableBase(c.linkedid)), String(recordDay(recordHour(c.firstJoinedAt))))).not.toBeNull();
    }
    expect(await redis.zcard(keys.legacyRecordsIndex(keys.durableBase('gone')))).toBe(0);
    const reader = new CallRecords(redis, keys, { retentionDays: 30 });
    const got = await reader.finished(AT - 3_600_000, AT + 7_200_000, AT + 86_400_000, 0);
    expect(got.map((r) => r.linkedid)).toEqual(['old.breach', 'old.fine']);
    expect(got[0]!.callerIdNum).toBe('0612345678');
    expect(got[0]!.visits).toEqual(breach.visits);
    // A breach by its id alone (the register's detail page); an answered call only with its time.
    expect((await reader.one('old.breach'))?.linkedid).toBe('old.breach');
    expect(await reader.one('old.fine')).toBeNull();
    expect((await reader.one('old.fine', fine.firstJoinedAt))?.linkedid).toBe('old.fine');
    // Moving again finds nothing.
    expect(await moveLegacyRecords(redis, keys, { rulesStamp: 'stamp', retentionDays: 30 })).toEqual({ moved: 0, unreadable: 0, done: true });
  });

  it('finds a record whose index score rounded into the next hour', async () => {
    const keys = fresh('edge');
    const at = Date.parse('2026-11-17T09:59:59.999Z') + 0.6;
    const c = buildCall({ id: 'edge.1', at, queues: ['Afval'], waits: [400], last: 'answered', agents: ['Anna de Vries'], talks: [60] });
    const w = new RedisWriter(redis, { keys, retentionDays: 30, maxBuffered: 100 });
    w.enqueue([{ kind: 'callFinished', call: c }]);
    await w.flush();
    const reader = new CallRecords(redis, keys, { retentionDays: 30 });
    expect(recordHour(Math.round(at))).toBe(recordHour(at) + 1);
    expect((await reader.many([{ id: 'edge.1', at: Math.round(at) }])).map((r) => r.linkedid)).toEqual(['edge.1']);
  });
});
