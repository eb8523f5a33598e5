/**
 * The domain core against real Asterisk 22 captures: every call's outcome, wait, agent and
 * transfer count, and every queue's totals, equal Asterisk's own queue_log.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '@belofte/shared/figures';
import { asTruth, captures } from '../../../../test/support/captures.ts';
import { parseCapture } from '../ami/capture.ts';
import { CallTracker } from './tracker.ts';
import { Tally } from './tally.ts';

function run(file: string) {
  const { events } = parseCapture(readFileSync(file));
  const tracker = new CallTracker({ thresholds: DEFAULT_THRESHOLDS, keepFinished: true });
  const tally = new Tally();
  for (const ev of events) tally.apply(tracker.process(ev));
  tally.apply(tracker.finish(events.at(-1)!.at));
  return { tracker, tally };
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const seconds = (iso: string | null) => (iso === null ? null : Date.parse(iso) / 1000);

describe.each(captures())('capture $name', ({ amiPath, truth }) => {
  const { tracker, tally } = run(amiPath);
  const calls = tracker.callList();

  it('finds every customer call once, in order of first queue entry', () => {
    expect(calls.map((c) => c.linkedid)).toEqual(truth.calls.map((c) => c.linkedid));
  });

  it.each(truth.calls.map((c) => [c.linkedid, c] as const))('call %s matches the ground truth', (linkedid, want) => {
    const got = calls.find((c) => c.linkedid === linkedid)!;
    expect(got.visits.map((v) => v.queue)).toEqual(want.queues);
    expect(got.outcome).toBe(want.outcome);
    expect(got.agent).toBe(want.agent);
    expect(got.transfers.length).toBe(want.transfers);
    // queue_log has whole seconds, AMI microseconds: ±1 s.
    expect(Math.abs(got.firstJoinedAt / 1000 - seconds(want.joinedAt)!)).toBeLessThanOrEqual(1);
    const end = got.answeredAt ?? got.abandonedAt;
    const waited = end === null ? null : (end - got.firstJoinedAt) / 1000;
    expect(waited).not.toBeNull();
    expect(Math.abs(waited! - want.waitSeconds!)).toBeLessThanOrEqual(1);
    expect(iso(got.answeredAt) === null).toBe(want.answeredAt === null);
    expect(iso(got.abandonedAt) === null).toBe(want.abandonedAt === null);
  });

  it('counts every queue as Asterisk does', () => {
    for (const [queue, want] of Object.entries(truth.queues)) {
      const got = tally.queues.get(queue)!;
      // Moved, abandoned and left are counted apart; breaches and over-limit calls on the first queue.
      expect({ queue, ...asTruth(got) }).toEqual({ queue, ...want });
      expect(got.waiting).toBe(0);
    }
  });
});
