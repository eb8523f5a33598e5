/**
 * After SCRIPT FLUSH (or a failover to a node that never saw the scripts) the writer notices
 * the NOSCRIPT inside its transactions, loads the scripts again and writes everything (at once,
 * not after a failed batch and a backoff).
 * Uses a redis-server of its own: flushing the shared one would hurt other tests.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '@belofte/shared/figures';
import { Keys } from '@belofte/shared/keys';
import { CallTracker } from '@belofte/collector/domain/tracker';
import type { AmiEvent } from '@belofte/collector/domain/events';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { connect, ownRedis, type OwnRedis } from '../support/redis.ts';

let server: OwnRedis | undefined;
afterAll(async () => {
  await server?.kill();
});

const join = (uid: string, at: number): AmiEvent => ({ type: 'QueueCallerJoin', at, queue: 'support', uniqueid: uid, linkedid: uid, channel: 'SIP/1', callerIdNum: '', position: 1, stamp: String(at) });

describe('script cache flushed under the writer', () => {
  it('reloads the scripts and loses nothing', async () => {
    server = await ownRedis(mkdtempSync(path.join(tmpdir(), 'belofte-noscript-')));
    const redis = connect(server.url);
    const keys = new Keys('belofte-noscript', 'main');
    const tracker = new CallTracker({ thresholds: DEFAULT_THRESHOLDS });
    const writer = new RedisWriter(redis, { keys, retentionDays: 1, maxBuffered: 10_000 });
    const t = Date.now();
    for (let i = 0; i < 5; i++) writer.enqueue(tracker.process(join(`a${i}`, t + i)), t + i);
    await writer.flush();
    await redis.script('FLUSH');
    for (let i = 0; i < 5; i++) writer.enqueue(tracker.process(join(`b${i}`, t + 10 + i)), t + 10 + i);
    await writer.flush();
    expect(await redis.zcard(keys.window('offered', 'support'))).toBe(10);
    expect(await redis.hlen(keys.waiting('support'))).toBe(10);
    // The flush really hit the writer: it found the cache empty and loaded the scripts again.
    expect(writer.stats.scriptReloads).toBeGreaterThanOrEqual(1);
    redis.disconnect();
  });
});
