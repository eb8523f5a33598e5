/**
 * The domain core on the cases the captures do not hold: timeouts, short abandons, resync,
 * duplicates, redirects, the guarantee clock and the transfer limit.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, type Thresholds } from '@belofte/shared/figures';
import type { AmiEvent, MemberStatus, QueueEntry } from './events.ts';
import { Tally } from './tally.ts';
import { CallTracker } from './tracker.ts';
import type { Change } from './types.ts';

const T0 = Date.parse('2026-11-24T09:00:00Z');
const s = (sec: number) => T0 + sec * 1000;

function join(sec: number, uid: string, queue = 'support', linkedid = uid): AmiEvent {
  return { type: 'QueueCallerJoin', at: s(sec), queue, uniqueid: uid, linkedid, channel: `SIP/x-${uid}`, callerIdNum: '0612345678', position: 1, stamp: String(s(sec) / 1000) };
}
const leave = (sec: number, uid: string, queue = 'support'): AmiEvent => ({ type: 'QueueCallerLeave', at: s(sec), queue, uniqueid: uid, linkedid: uid });
const abandon = (sec: number, uid: string, hold: number, queue = 'support'): AmiEvent => ({ type: 'QueueCallerAbandon', at: s(sec), queue, uniqueid: uid, linkedid: uid, holdTime: hold });
const hangupReq = (sec: number, uid: string): AmiEvent => ({ type: 'Hangup', at: s(sec), uniqueid: uid, linkedid: uid, final: false });
const hangup = (sec: number, uid: string): AmiEvent => ({ type: 'Hangup', at: s(sec), uniqueid: uid, linkedid: uid, final: true });
const connect = (sec: number, uid: string, hold: number, member = 'agent1', queue = 'support'): AmiEvent => ({
  type: 'AgentConnect',
  at: s(sec),
  queue,
  uniqueid: uid,
  linkedid: uid,
  member,
  interface: `Local/${member}@agents/n`,
  holdTime: hold,
  ringTimeSeconds: 1,
  destChannel: `Local/${member}@agents-0001;1`,
  destUniqueid: `${uid}.agent`,
});
const complete = (sec: number, uid: string | null, member = 'agent1', reason = 'agent', queue = 'support'): AmiEvent => ({
  type: 'AgentComplete',
  at: s(sec),
  queue,
  uniqueid: uid,
  linkedid: uid,
  member,
  interface: `Local/${member}@agents/n`,
  holdTime: 0,
  talkTime: 10,
  reason,
});
const blind = (sec: number, uid: string, member = 'agent1'): AmiEvent => ({
  type: 'BlindTransfer',
  at: s(sec),
  success: true,
  transfereeUniqueid: uid,
  transfereeLinkedid: uid,
  transfererChannel: `Local/${member}@agents-0001;1`,
  transfererUniqueid: `${uid}.agent`,
  transfererLinkedid: uid,
  targetUniqueid: null,
  targetLinkedid: null,
  extension: 'vergunningen',
});
const member = (sec: number, name: string, o: Partial<MemberStatus> = {}): MemberStatus => ({
  type: 'QueueMemberStatus',
  at: s(sec),
  queue: 'support',
  member: name,
  interface: `Local/${name}@agents/n`,
  status: 1,
  paused: false,
  pausedReason: '',
  inCall: false,
  wrapupSeconds: 0,
  ...o,
});

function play(events: AmiEvent[], thresholds: Partial<Thresholds> = {}) {
  const tracker = new CallTracker({ thresholds: { ...DEFAULT_THRESHOLDS, ...thresholds }, keepFinished: true });
  const tally = new Tally();
  const changes: Change[] = [];
  for (const ev of events) {
    const c = tracker.process(ev);
    changes.push(...c);
    tally.apply(c);
  }
  return { tracker, tally, changes, support: () => tally.queues.get('support')! };
}

describe('outcomes', () => {
  it('counts a caller who hangs up while waiting as abandoned', () => {
    const { support, tracker } = play([join(0, 'c1'), hangupReq(30, 'c1'), abandon(30, 'c1', 30), leave(30, 'c1'), hangup(30, 'c1')]);
    expect(support()).toMatchObject({ offered: 1, abandoned: 1, timedOut: 0, waiting: 0, serviceLevel: 0 });
    expect(tracker.calls.get('c1')!.outcome).toBe('abandoned');
  });

  it('tells a queue timeout (QueueCallerAbandon without a hangup) from an abandon', () => {
    // The switch sends channel events (a Hangup elsewhere shows it), but this caller did not hang up.
    const { support, tracker, tally } = play([hangup(0, 'other'), join(0, 'c1'), abandon(60, 'c1', 60), leave(60, 'c1')]);
    // Neither a hang-up nor a next queue came within the evidence window.
    tally.apply(tracker.tick(s(63)));
    expect(support()).toMatchObject({ offered: 1, abandoned: 0, timedOut: 1, waiting: 0 });
    expect(tracker.calls.get('c1')!.outcome).toBe('timedOut');
  });

  it('counts a caller who leaves without answer or abandon (exit key, redirect) as timed out once settled', () => {
    const { support } = play([hangup(0, 'other'), join(0, 'c1'), leave(10, 'c1'), join(20, 'c2')]);
    expect(support()).toMatchObject({ offered: 2, timedOut: 1, waiting: 1 });
  });

  it('does not take the QueueCallerLeave that precedes AgentConnect for a departure', () => {
    const { support } = play([join(0, 'c1'), leave(5, 'c1'), connect(5, 'c1', 5), join(10, 'c2')]);
    expect(support()).toMatchObject({ offered: 2, answered: 1, timedOut: 0, answeredWithinTarget: 1, waiting: 1 });
  });

  it('leaves short abandons out of the service level when a grace time is set', () => {
    const events = [join(0, 'c1'), hangupReq(3, 'c1'), abandon(3, 'c1', 3), join(10, 'c2'), connect(12, 'c2', 2)];
    expect(play(events).support()).toMatchObject({ abandoned: 1, shortAbandoned: 0, serviceLevel: 0.5 });
    expect(play(events, { shortAbandonSeconds: 5 }).support()).toMatchObject({ abandoned: 0, shortAbandoned: 1, serviceLevel: 1 });
  });

  it('counts within target on Asterisk HoldTime, inclusive', () => {
    const { support } = play([join(0, 'c1'), connect(20, 'c1', 20), join(1, 'c2'), connect(22, 'c2', 21)]);
    expect(support()).toMatchObject({ answered: 2, answeredWithinTarget: 1, serviceLevel: 0.5 });
  });

  it('matches an AgentComplete without Uniqueid by queue and agent', () => {
    const { tracker } = play([join(0, 'c1'), connect(3, 'c1', 3), complete(40, null, 'agent1', 'caller'), hangup(40, 'c1')]);
    const call = tracker.calls.get('c1')!;
    expect(call.visits[0]!.status).toBe('completed');
    expect(call.visits[0]!.endReason).toBe('caller');
    expect(call.endedAt).toBe(s(40));
  });
});

describe('no double counting', () => {
  it('ignores an event delivered twice', () => {
    const e = [join(0, 'c1'), connect(3, 'c1', 3)];
    const { support, tracker } = play([...e, ...e]);
    expect(support()).toMatchObject({ offered: 1, answered: 1 });
    expect(tracker.counters.duplicates).toBe(2);
  });

  it('skips an answer for a caller it never saw join, but still counts the call once (joined before Belofte listened)', () => {
    const { support } = play([connect(30, 'c9', 25), connect(30, 'c9', 25)]);
    expect(support()).toMatchObject({ offered: 1, answered: 1, answeredWithinTarget: 0 });
  });

  it('counts an abandon for an unknown caller as an orphan, not a figure', () => {
    const { support, tracker } = play([join(0, 'c1'), abandon(5, 'ghost', 5)]);
    expect(support()).toMatchObject({ offered: 1, abandoned: 0, waiting: 1 });
    expect(tracker.counters.orphans).toBe(1);
  });
});

describe('transfers', () => {
  it('counts a blind transfer once whatever the order of its three signals', () => {
    const orders = [
      [blind(10, 'c1'), complete(10, 'c1', 'agent1', 'transfer'), join(10, 'c1', 'vergunningen')],
      [join(10, 'c1', 'vergunningen'), complete(10, 'c1', 'agent1', 'transfer'), blind(10, 'c1')],
      [complete(10, 'c1', 'agent1', 'transfer'), join(10, 'c1', 'vergunningen'), blind(10, 'c1')],
    ];
    for (const order of orders) {
      const { tracker, tally } = play([join(0, 'c1'), connect(2, 'c1', 2), ...order]);
      const call = tracker.calls.get('c1')!;
      expect(call.transfers).toHaveLength(1);
      expect(call.transfers[0]).toMatchObject({ kind: 'blind', agent: 'agent1' });
      expect(call.visits.map((v) => v.queue)).toEqual(['support', 'vergunningen']);
      expect(tally.queues.get('vergunningen')!.offered).toBe(1);
    }
  });

  it('sees a redirect back into a queue (no transfer event) as a transfer', () => {
    const { tracker } = play([join(0, 'c1'), connect(2, 'c1', 2), complete(9, 'c1', 'agent1', 'agent'), join(30, 'c1', 'vergunningen')]);
    expect(tracker.calls.get('c1')!.transfers).toMatchObject([{ kind: 'redirect' }]);
  });

  it('flags a call transferred more than the limit, once, on the queue the caller called', () => {
    const events: AmiEvent[] = [join(0, 'c1'), connect(2, 'c1', 2)];
    let t = 10;
    for (const q of ['vergunningen', 'support', 'vergunningen', 'support']) {
      events.push(blind(t, 'c1'), join(t, 'c1', q), connect(t + 2, 'c1', 2, 'agent1', q));
      t += 10;
    }
    const { tracker, tally } = play(events);
    expect(tracker.calls.get('c1')!.transfers).toHaveLength(4);
    expect(tally.queues.get('support')!.overTransferLimit).toBe(1);
    expect(tally.queues.get('vergunningen')!.overTransferLimit).toBe(0);
  });

  it('merges a call whose Linkedid turns out to be another call (a transfer joins them)', () => {
    const target: AmiEvent = { ...(join(5, 'c2', 'vergunningen', 'L2') as object), uniqueid: 'c2' } as AmiEvent;
    const attended: AmiEvent = {
      type: 'AttendedTransfer',
      at: s(8),
      success: true,
      transfereeUniqueid: 'c1',
      transfereeLinkedid: 'c1',
      transfererChannel: 'Local/agent1@agents-0001;1',
      transfererUniqueid: 'c1.agent',
      transfererLinkedid: 'c1',
      targetUniqueid: 'c2',
      targetLinkedid: 'L2',
      extension: null,
    };
    const { tracker } = play([join(0, 'c1'), connect(2, 'c1', 2), target, attended]);
    expect([...tracker.calls.keys()]).toEqual(['c1']);
    expect(tracker.calls.get('c1')!.visits).toHaveLength(2);
    expect(tracker.calls.get('c1')!.transfers).toHaveLength(1);
  });
});

describe('the guarantee', () => {
  it('registers a breach when the clock passes 5 minutes while the caller still waits', () => {
    const tracker = new CallTracker({ thresholds: DEFAULT_THRESHOLDS });
    tracker.process(join(0, 'c1'));
    expect(tracker.tick(s(299)).some((c) => c.kind === 'guaranteeBreached')).toBe(false);
    const changes = tracker.tick(s(301));
    expect(changes).toContainEqual({ kind: 'guaranteeBreached', queue: 'support', linkedid: 'c1', at: s(300) });
    // Answered later: still one breach.
    const later = tracker.process(connect(320, 'c1', 320));
    expect(later.some((c) => c.kind === 'guaranteeBreached')).toBe(false);
  });

  it('runs from the first queue entry across transfers and counts an answer at exactly 300 s as kept', () => {
    const { tally } = play([join(0, 'c1'), connect(300, 'c1', 300)]);
    expect(tally.queues.get('support')!.guaranteeBreaches).toBe(0);
    const { tally: t2 } = play([join(0, 'c1'), leave(100, 'c1'), join(100.5, 'c1', 'vergunningen'), connect(301, 'c1', 200, 'agent3', 'vergunningen')]);
    expect(t2.queues.get('support')!.guaranteeBreaches).toBe(1);
  });
});

describe('resync after a reconnect', () => {
  const entry = (uid: string, wait: number): QueueEntry => ({ type: 'QueueEntry', at: s(100), queue: 'support', uniqueid: uid, channel: 'SIP/x', callerIdNum: '', waitSeconds: wait });

  it('marks a caller no longer listed as unknown, adds one that joined unseen, and keeps one still waiting', () => {
    const tracker = new CallTracker({ thresholds: DEFAULT_THRESHOLDS });
    const tally = new Tally();
    tally.apply(tracker.process(join(0, 'gone')));
    tally.apply(tracker.process(join(10, 'stays')));
    tally.apply(tracker.resync(s(100), [entry('stays', 90), entry('new', 30)], [], new Map([['new', 'L-new']])));
    expect(tally.queues.get('support')).toMatchObject({ offered: 3, unknown: 1, waiting: 2 });
    expect(tracker.calls.get('L-new')!.firstJoinedAt).toBe(s(70));
    // The same resync again changes nothing.
    tally.apply(tracker.resync(s(101), [entry('stays', 91), entry('new', 31)], [], new Map([['new', 'L-new']])));
    expect(tally.queues.get('support')).toMatchObject({ offered: 3, unknown: 1, waiting: 2 });
  });

  it('logs off agents the switch no longer lists', () => {
    const tracker = new CallTracker({ thresholds: DEFAULT_THRESHOLDS });
    tracker.process(member(0, 'agent1'));
    tracker.process(member(0, 'agent2'));
    tracker.resync(s(50), [], [{ ...member(50, 'agent1'), type: 'QueueMember' }], new Map());
    expect(tracker.agents.get('agent1')!.state).toBe('available');
    expect(tracker.agents.get('agent2')!.state).toBe('loggedoff');
  });
});

describe('agents', () => {
  it('follows ringing, talking, wrap-up, pause with reason and log-off', () => {
    const tracker = new CallTracker({ thresholds: DEFAULT_THRESHOLDS });
    tracker.process(member(0, 'agent1', { wrapupSeconds: 30 }));
    expect(tracker.agents.get('agent1')!.state).toBe('available');
    tracker.process(join(1, 'c1'));
    tracker.process({ type: 'AgentCalled', at: s(1), queue: 'support', uniqueid: 'c1', linkedid: 'c1', member: 'agent1', interface: 'Local/agent1@agents/n' });
    expect(tracker.agents.get('agent1')!.state).toBe('ringing');
    tracker.process(connect(3, 'c1', 2));
    expect(tracker.agents.get('agent1')!.state).toBe('oncall');
    tracker.process(complete(60, 'c1'));
    expect(tracker.agents.get('agent1')!.state).toBe('wrapup');
    tracker.tick(s(95));
    expect(tracker.agents.get('agent1')!.state).toBe('available');
    tracker.process({ ...member(100, 'agent1', { paused: true, pausedReason: 'lunch' }), type: 'QueueMemberPause' });
    expect(tracker.agents.get('agent1')).toMatchObject({ state: 'paused', pausedReason: 'lunch', since: s(100) });
    tracker.process({ type: 'QueueMemberRemoved', at: s(200), queue: 'support', member: 'agent1', interface: 'Local/agent1@agents/n' });
    expect(tracker.agents.get('agent1')!.state).toBe('loggedoff');
  });

  it('credits a transfer to the agent who made it', () => {
    const { tracker } = play([join(0, 'c1'), connect(2, 'c1', 2, 'agent2'), blind(10, 'c1', 'agent2'), join(10, 'c1', 'vergunningen')]);
    expect(tracker.calls.get('c1')!.transfers[0]!.agent).toBe('agent2');
  });
});

describe('state survives a restart', () => {
  it('restores calls in progress and neither loses nor double-counts them', () => {
    const first = new CallTracker({ thresholds: DEFAULT_THRESHOLDS });
    const tally = new Tally();
    tally.apply(first.process(join(0, 'c1')));
    tally.apply(first.process(connect(3, 'c1', 3)));
    const stored = JSON.parse(JSON.stringify(first.state()));
    const second = new CallTracker({ thresholds: DEFAULT_THRESHOLDS });
    second.restore(stored);
    tally.apply(second.process(connect(3, 'c1', 3)));
    tally.apply(second.process(blind(10, 'c1')));
    tally.apply(second.process(join(10, 'c1', 'vergunningen')));
    expect(tally.queues.get('support')).toMatchObject({ offered: 1, answered: 1 });
    expect(second.calls.get('c1')!.transfers).toHaveLength(1);
  });
});

describe('resync races', () => {
  it('leaves alone a caller who joined after QueueStatus was asked (events keep flowing meanwhile)', () => {
    const tracker = new CallTracker({ thresholds: DEFAULT_THRESHOLDS });
    const tally = new Tally();
    const asked = tracker.openVisitIds();
    tally.apply(tracker.process(join(1, 'late')));
    tally.apply(tracker.resync(s(2), [], [], new Map(), asked));
    expect(tally.queues.get('support')).toMatchObject({ offered: 1, unknown: 0, waiting: 1 });
  });

  it('keeps a talk that began after the question even if the member list says not in call', () => {
    const tracker = new CallTracker({ thresholds: DEFAULT_THRESHOLDS });
    const asked = tracker.openVisitIds();
    tracker.process(join(1, 'c1'));
    tracker.process(connect(2, 'c1', 1));
    tracker.resync(s(3), [], [{ ...member(0, 'agent1'), type: 'QueueMember' }], new Map(), asked);
    expect(tracker.calls.get('c1')!.visits[0]!.status).toBe('answered');
  });
});

describe('resync listing a caller answered meanwhile', () => {
  it('does not take a caller answered while QueueStatus was being answered for a new one', () => {
    const tracker = new CallTracker({ thresholds: DEFAULT_THRESHOLDS });
    const tally = new Tally();
    tally.apply(tracker.process(join(0, 'c1')));
    const asked = tracker.openVisitIds();
    // Answered after the question; the listing (taken earlier) still shows it waiting, and its
    // whole-second Wait puts the join a few seconds off.
    tally.apply(tracker.process(connect(6, 'c1', 6)));
    tally.apply(tracker.resync(s(10), [{ type: 'QueueEntry', at: s(10), queue: 'support', uniqueid: 'c1', channel: 'SIP/x', callerIdNum: '', waitSeconds: 2 }], [], new Map(), asked));
    expect(tally.queues.get('support')).toMatchObject({ offered: 1, answered: 1, waiting: 0 });
  });
});
