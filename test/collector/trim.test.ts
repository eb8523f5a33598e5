/** Old window entries are trimmed, recent ones stay; call records expire with their hour after RETENTION_DAYS. */
import { afterAll, describe, expect, it } from 'vitest';
import { Keys, recordHour } from '@belofte/shared/keys';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { buildCall } from '../stats/simulatedWeek.ts';
import { Collector } from '@belofte/collector/collector';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';
import { quietLog, testConfig } from '../support/stack.ts';

const prefix = testPrefix('trim');
const redis = connect();
afterAll(async () => {
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

describe('trimming', () => {
  it('keeps 25 hours of windows and RETENTION_DAYS of call records', async () => {
    const keys = new Keys(prefix, 'main');
    const now = Date.now();
    const hour = 3_600_000;
    await redis.sadd(keys.queues, 'support');
    await redis.sadd(keys.agentNames, 'agent1');
    await redis.zadd(keys.window('offered', 'support'), now - 26 * hour, 'old', now - hour, 'new');
    await redis.zadd(keys.agentWindow('answered', 'agent1'), now - 30 * hour, 'old', now - 2 * hour, 'new');
    const writer = new RedisWriter(redis, { keys, retentionDays: 10, maxBuffered: 100 });
    const at = { expired: now - 11 * 24 * hour, kept: now - 9 * 24 * hour };
    for (const [id, t] of Object.entries(at)) writer.enqueue([{ kind: 'callFinished', call: buildCall({ id, at: t, queues: ['support'], waits: [5], last: 'answered', agents: ['agent1'], talks: [30] }) }]);
    await writer.flush();
    const bucket = (id: keyof typeof at) => keys.recordBucket(keys.durableBase(id), recordHour(at[id]));
    const collector = new Collector(testConfig(prefix, { AMI_HOST: '127.0.0.1', RETENTION_DAYS: '10' }), redis, quietLog);
    await collector.trim(now);
    expect(await redis.zrange(keys.window('offered', 'support'), 0, -1)).toEqual(['new']);
    expect(await redis.zrange(keys.agentWindow('answered', 'agent1'), 0, -1)).toEqual(['new']);
    // The bucket of a call 11 days old expired as it was written; the one of 9 days has a day to go.
    expect(await redis.hexists(bucket('expired'), 'expired')).toBe(0);
    expect(await redis.hexists(bucket('kept'), 'kept')).toBe(1);
    const ttl = await redis.ttl(bucket('kept'));
    expect(ttl).toBeGreaterThan(23 * 3600);
    expect(ttl).toBeLessThanOrEqual(25 * 3600);
  });
});
