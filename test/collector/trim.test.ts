/** Old window entries and the index entries of expired call records are trimmed; recent ones stay. */
import { afterAll, describe, expect, it } from 'vitest';
import { Keys } from '@belofte/shared/keys';
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
  it('keeps 25 hours of windows and RETENTION_DAYS of record index', async () => {
    const keys = new Keys(prefix, 'main');
    const now = Date.now();
    const hour = 3_600_000;
    await redis.sadd(keys.queues, 'support');
    await redis.sadd(keys.agentNames, 'agent1');
    await redis.zadd(keys.window('offered', 'support'), now - 26 * hour, 'old', now - hour, 'new');
    await redis.zadd(keys.agentWindow('answered', 'agent1'), now - 30 * hour, 'old', now - 2 * hour, 'new');
    const index = keys.recordsIndex(keys.durableBase('kept'));
    await redis.zadd(index, now - 11 * 24 * hour, 'expired', now - 9 * 24 * hour, 'kept');
    const collector = new Collector(testConfig(prefix, { AMI_HOST: '127.0.0.1', RETENTION_DAYS: '10' }), redis, quietLog);
    await collector.trim(now);
    expect(await redis.zrange(keys.window('offered', 'support'), 0, -1)).toEqual(['new']);
    expect(await redis.zrange(keys.agentWindow('answered', 'agent1'), 0, -1)).toEqual(['new']);
    expect(await redis.zrange(index, 0, -1)).toEqual(['kept']);
  });
});
