/**
 * Pause is per queue, through Redis and back: an agent paused in balie and free in
 * vergunningen counts as paused in balie's agents and as available in vergunningen's, once
 * in the total, and the view says where they are paused.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '@belofte/shared/figures';
import { Keys } from '@belofte/shared/keys';
import { readFigures } from '@belofte/shared/readFigures';
import type { MemberStatus } from '@belofte/collector/domain/events';
import { CallTracker } from '@belofte/collector/domain/tracker';
import { RedisWriter } from '@belofte/collector/redis/writer';
import { cleanPrefix, connect, testPrefix } from '../support/redis.ts';

const prefix = testPrefix('pause');
const redis = connect();
afterAll(async () => {
  await cleanPrefix(redis, prefix);
  redis.disconnect();
});

describe('per-queue pause', () => {
  it('counts the agent paused only in the queue where the switch paused them', async () => {
    const keys = new Keys(prefix, 'main');
    const tracker = new CallTracker({ thresholds: DEFAULT_THRESHOLDS });
    const writer = new RedisWriter(redis, { keys, retentionDays: 1, maxBuffered: 1000 });
    const at = Date.now();
    const member = (queue: string, paused: boolean): MemberStatus => ({ type: 'QueueMemberStatus', at, queue, member: 'agent3', interface: 'Local/agent3@agents/n', status: 1, paused, pausedReason: paused ? 'administratie' : '', inCall: false, wrapupSeconds: 0 });
    // A queue must exist for its figures: one caller joins each.
    for (const [i, queue] of ['balie', 'vergunningen'].entries()) {
      writer.enqueue(tracker.process({ type: 'QueueCallerJoin', at, queue, uniqueid: `c${i}`, linkedid: `c${i}`, channel: 'SIP/1', callerIdNum: '', position: 1, stamp: `s${i}` }));
    }
    writer.enqueue(tracker.process(member('vergunningen', false)));
    writer.enqueue(tracker.process({ ...member('balie', true), type: 'QueueMemberPause' }));
    await writer.flush();
    const snap = await readFigures(redis, { keys, thresholds: DEFAULT_THRESHOLDS, from: 0, to: Number.MAX_SAFE_INTEGER, now: at, midnight: 0, window: 'today' });
    expect(snap.queues.balie!.agents).toMatchObject({ paused: 1, available: 0 });
    expect(snap.queues.vergunningen!.agents).toMatchObject({ paused: 0, available: 1 });
    expect(snap.total.agents).toMatchObject({ paused: 0, available: 1 });
    expect(snap.agents.agent3).toMatchObject({ state: 'available', pausedIn: ['balie'], pausedReason: 'administratie' });
    // Unpaused there: available in both.
    writer.enqueue(tracker.process({ ...member('balie', false), at: at + 1, type: 'QueueMemberPause' }));
    await writer.flush();
    const after = await readFigures(redis, { keys, thresholds: DEFAULT_THRESHOLDS, from: 0, to: Number.MAX_SAFE_INTEGER, now: at, midnight: 0, window: 'today' });
    expect(after.queues.balie!.agents).toMatchObject({ paused: 0, available: 1 });
    expect(after.agents.agent3!.pausedIn).toEqual([]);
  });
});
