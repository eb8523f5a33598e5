/**
 * What a real switch sends that is easy to get wrong, on the real bytes of `moves-and-pauses`
 * and on hand-made streams: callers moved between queues, pause per queue, a ring that ends
 * because the caller went, and outcomes that do not depend on what came before in the session.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS } from '@belofte/shared/figures';
import { captures } from '../../../../test/support/captures.ts';
import { parseCapture } from '../ami/capture.ts';
import type { AmiEvent, QueueEntry } from './events.ts';
import { Tally } from './tally.ts';
import { CallTracker } from './tracker.ts';

const T0 = Date.parse('2026-11-24T09:00:00Z');
const s = (sec: number) => T0 + sec * 1000;
const join = (sec: number, uid: string, queue = 'support'): AmiEvent => ({ type: 'QueueCallerJoin', at: s(sec), queue, uniqueid: uid, linkedid: uid, channel: `Local/${queue}@inbound-${uid};2`, callerIdNum: '06', position: 1, stamp: String(s(sec) / 1000) });
const abandon = (sec: number, uid: string, queue = 'support'): AmiEvent => ({ type: 'QueueCallerAbandon', at: s(sec), queue, uniqueid: uid, linkedid: uid, holdTime: null });
const leave = (sec: number, uid: string, queue = 'support'): AmiEvent => ({ type: 'QueueCallerLeave', at: s(sec), queue, uniqueid: uid, linkedid: uid });
const hangupReq = (sec: number, uid: string): AmiEvent => ({ type: 'Hangup', at: s(sec), uniqueid: uid, linkedid: uid, final: false });

function play(events: AmiEvent[], tracker = new CallTracker({ thresholds: DEFAULT_THRESHOLDS, keepFinished: true })) {
  const tally = new Tally();
  for (const ev of events) tally.apply(tracker.process(ev));
  tally.apply(tracker.finish(events.at(-1)!.at));
  return { tracker, tally };
}

const capture = captures().find((c) => c.name === 'moves-and-pauses');
const events = capture ? parseCapture(readFileSync(capture.amiPath)).events : [];

describe('moved callers', () => {
  it('counts a Redirect of a waiting caller (abandon + leave, no hang-up, join elsewhere) as moved, not abandoned', () => {
    const { tally, tracker } = play([join(0, 'c1'), abandon(3, 'c1'), leave(3, 'c1'), join(3.001, 'c1', 'vergunningen')]);
    expect(tally.queues.get('support')).toMatchObject({ offered: 1, movedOut: 1, abandoned: 0, timedOut: 0, waiting: 0 });
    expect(tally.queues.get('vergunningen')).toMatchObject({ offered: 1, waiting: 1 });
    const call = tracker.calls.get('c1')!;
    expect(call.visits.map((v) => v.status)).toEqual(['movedOut', 'waiting']);
    expect(call.transfers).toHaveLength(0);
  });

  it('keeps a moved visit in the service level denominator of the queue it left', () => {
    const { tally } = play([join(0, 'c1'), abandon(10, 'c1'), leave(10, 'c1'), join(10, 'c1', 'vergunningen'), join(11, 'c2'), { type: 'AgentConnect', at: s(13), queue: 'support', uniqueid: 'c2', linkedid: 'c2', member: 'agent1', interface: 'Local/agent1@agents/n', holdTime: 2, ringTimeSeconds: 1, destChannel: 'x', destUniqueid: 'y' }]);
    expect(tally.queues.get('support')!.serviceLevel).toBe(0.5);
  });

  it('runs the guarantee clock of a moved caller from the first queue entry, booked on that queue', () => {
    const tracker = new CallTracker({ thresholds: DEFAULT_THRESHOLDS });
    const tally = new Tally();
    for (const ev of [join(0, 'c1'), abandon(200, 'c1'), leave(200, 'c1'), join(200, 'c1', 'vergunningen')]) tally.apply(tracker.process(ev));
    tally.apply(tracker.tick(s(301)));
    expect(tally.queues.get('support')!.guaranteeBreaches).toBe(1);
    expect(tally.queues.get('vergunningen')!.guaranteeBreaches).toBe(0);
  });

  it('still counts a caller who hangs up as abandoned, the hang-up just before or just after the abandon', () => {
    const before = play([join(0, 'c1'), hangupReq(30, 'c1'), abandon(30, 'c1'), leave(30, 'c1')]);
    const after = play([join(0, 'c1'), abandon(30, 'c1'), leave(30, 'c1'), hangupReq(30.5, 'c1')]);
    for (const { tally } of [before, after]) expect(tally.queues.get('support')).toMatchObject({ abandoned: 1, movedOut: 0, timedOut: 0 });
  });

  it('takes an unmoved abandon as Asterisk names it when the session cannot see hang-ups at all', () => {
    const tracker = new CallTracker({ thresholds: DEFAULT_THRESHOLDS, keepFinished: true });
    tracker.setHangupsAbsent(true);
    const { tally } = play([join(0, 'c1'), abandon(30, 'c1'), leave(30, 'c1'), join(40, 'c2'), abandon(50, 'c2'), leave(50, 'c2'), join(50, 'c2', 'vergunningen')], tracker);
    expect(tally.queues.get('support')).toMatchObject({ abandoned: 1, movedOut: 1, timedOut: 0 });
  });
});

describe.skipIf(!capture)('moves-and-pauses, the real bytes', () => {
  /** Plays the capture up to (not including) the first event matching `stop`. */
  function upTo(stop: (ev: AmiEvent) => boolean) {
    const tracker = new CallTracker({ thresholds: DEFAULT_THRESHOLDS, keepFinished: true });
    const i = events.findIndex(stop);
    for (const ev of events.slice(0, i)) tracker.process(ev);
    return { tracker, next: events[i]! };
  }

  it('pauses agent3 in balie only: still taking vergunningen calls, paused in balie', () => {
    const { tracker, next } = upTo((ev) => ev.type === 'AgentConnect' && ev.member === 'agent3' && ev.queue === 'vergunningen');
    tracker.process(next);
    const agent3 = tracker.agents.get('agent3')!;
    expect(agent3.pausedIn).toEqual(['balie']);
    expect(agent3.pausedReason).toBe('administratie');
    expect(agent3.state).toBe('oncall');
    expect([...agent3.queues].sort()).toEqual(['balie', 'vergunningen']);
  });

  it('unpauses agent3 in balie with the unpause', () => {
    const { tracker } = upTo((ev) => ev.type === 'AgentConnect' && ev.member === 'agent3' && ev.queue === 'balie');
    expect(tracker.agents.get('agent3')!.pausedIn).toEqual([]);
    expect(tracker.agents.get('agent3')!.pausedReason).toBeNull();
  });

  it('ends the ring of agent3 when its vergunningen caller hangs up mid-ring (no AgentRingNoAnswer comes)', () => {
    const called = events.findIndex((ev) => ev.type === 'AgentCalled' && ev.member === 'agent3' && events.some((a) => a.type === 'QueueCallerAbandon' && a.queue === 'vergunningen' && a.uniqueid === ev.uniqueid));
    expect(called).toBeGreaterThan(0);
    const caller = (events[called] as Extract<AmiEvent, { type: 'AgentCalled' }>).uniqueid;
    const { tracker, next } = upTo((ev) => ev.type === 'QueueCallerAbandon' && ev.uniqueid === caller);
    expect(tracker.agents.get('agent3')!.state).toBe('ringing');
    tracker.process(next);
    expect(tracker.agents.get('agent3')!.state).not.toBe('ringing');
  });

  it('counts both moves before the session has seen any hang-up', () => {
    const firstHangup = events.findIndex((ev) => ev.type === 'Hangup');
    const tally = new Tally();
    const tracker = new CallTracker({ thresholds: DEFAULT_THRESHOLDS, keepFinished: true });
    // Just past the second move's evidence window, still before the first hang-up of the capture.
    const moves = events.slice(0, firstHangup);
    for (const ev of moves) tally.apply(tracker.process(ev));
    expect(tally.queues.get('support')).toMatchObject({ movedOut: 2, abandoned: 0, timedOut: 0 });
  });
});

/** How every visit of a run ended, by visit id. */
function endings(tracker: CallTracker): Map<string, string> {
  return new Map(tracker.callList().flatMap((c) => c.visits.map((v) => [v.id, v.status] as const)));
}

/** Unrelated traffic before a capture: other callers (hanging up or not), other agents. */
const prefixArb = fc.array(
  fc.record({ kind: fc.constantFrom('answered', 'abandoned', 'left', 'member', 'hangup'), gap: fc.integer({ min: 1, max: 30_000 }) }),
  { maxLength: 12 },
);

function prefixEvents(start: number, items: Array<{ kind: string; gap: number }>): AmiEvent[] {
  const out: AmiEvent[] = [];
  let t = start - 3_600_000;
  items.forEach(({ kind, gap }, i) => {
    t += gap;
    const uid = `prefix.${i}`;
    const base = { uniqueid: uid, linkedid: uid };
    const j: AmiEvent = { type: 'QueueCallerJoin', at: t, queue: 'support', ...base, channel: `SIP/p-${i}`, callerIdNum: '', position: 1, stamp: `p${i}` };
    if (kind === 'member') out.push({ type: 'QueueMemberStatus', at: t, queue: 'support', member: `other${i}`, interface: `SIP/o${i}`, status: 1, paused: false, pausedReason: '', inCall: false, wrapupSeconds: 0 });
    else if (kind === 'hangup') out.push({ type: 'Hangup', at: t, ...base, final: true });
    else if (kind === 'answered') out.push(j, { type: 'AgentConnect', at: t + 2000, queue: 'support', ...base, member: 'other', interface: 'SIP/o', holdTime: 2, ringTimeSeconds: 1, destChannel: '', destUniqueid: '' });
    else if (kind === 'abandoned') out.push(j, { type: 'Hangup', at: t + 5000, ...base, final: false }, { type: 'QueueCallerAbandon', at: t + 5000, queue: 'support', ...base, holdTime: 5 });
    else out.push(j, { type: 'QueueCallerAbandon', at: t + 5000, queue: 'support', ...base, holdTime: 5 }, { type: 'QueueCallerLeave', at: t + 5000, queue: 'support', ...base });
  });
  return out;
}

describe('a visit ends the same whatever came before', () => {
  const all = captures().map((c) => ({ name: c.name, events: parseCapture(readFileSync(c.amiPath)).events }));

  it.each(all.map((c) => [c.name, c.events] as const))('%s: prefixed with unrelated traffic', (_name, evs) => {
    const plain = endings(play(evs).tracker);
    fc.assert(
      fc.property(prefixArb, (items) => {
        const got = endings(play([...prefixEvents(evs[0]!.at, items), ...evs]).tracker);
        for (const [id, status] of plain) expect([id, got.get(id)]).toEqual([id, status]);
      }),
      { numRuns: 25 },
    );
  });

  it.each(all.map((c) => [c.name, c.events] as const))('%s: started mid-stream after a resync', (_name, evs) => {
    const full = play(evs).tracker;
    const plain = endings(full);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: evs.length - 1 }), (cut) => {
        // What QueueStatus would have said at the cut: the callers waiting then.
        const before = new CallTracker({ thresholds: DEFAULT_THRESHOLDS, keepFinished: true });
        for (const ev of evs.slice(0, cut)) before.process(ev);
        const at = evs[cut]!.at;
        const waiting: QueueEntry[] = before.callList().flatMap((c) =>
          c.visits.filter((v) => v.status === 'waiting').map((v) => ({ type: 'QueueEntry' as const, at, queue: v.queue, uniqueid: v.uniqueid, channel: '', callerIdNum: '', waitSeconds: Math.floor((at - v.joinedAt) / 1000) })),
        );
        const linkedidOf = new Map(before.callList().flatMap((c) => c.visits.map((v) => [v.uniqueid, c.linkedid] as const)));
        const late = new CallTracker({ thresholds: DEFAULT_THRESHOLDS, keepFinished: true });
        late.resync(at, waiting, [], linkedidOf);
        const { tracker } = play(evs.slice(cut), late);
        // Every visit that began after the cut ends exactly as in the whole run.
        const startedAfter = full.callList().flatMap((c) => c.visits.filter((v) => v.joinedAt >= at));
        for (const v of startedAfter) expect([v.id, endings(tracker).get(v.id)]).toEqual([v.id, plain.get(v.id)]);
      }),
      { numRuns: 25 },
    );
  });
});
