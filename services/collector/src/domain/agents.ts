/**
 * Agent (queue member) state: every rule about what an agent is doing lives here.
 *
 * Asterisk reports a member per queue. A person has one phone, so the device state (`Status`,
 * AST_DEVICE_*), being in a call and wrap-up are one per person; pause is not: `QueuePause`
 * with a `Queue:` pauses the member in that queue only, and each queue's member events say
 * `Paused:` for that queue. So an agent has one state for the person (paused only when paused
 * in every queue they serve) and `pausedIn`, the queues where they are paused; the per-queue
 * counts take the pause from there.
 */
import type { AgentStateName } from '@belofte/shared/figures';
import type { AgentCalled, AgentComplete, AgentConnect, AgentRingNoAnswer, MemberRemoved, MemberStatus } from './events.ts';
import type { AgentState } from './types.ts';

// AST_DEVICE_* values (include/asterisk/devicestate.h).
const DEVICE_NOT_INUSE = 1;
const DEVICE_INUSE = 2;
const DEVICE_BUSY = 3;
const DEVICE_INVALID = 4;
const DEVICE_UNAVAILABLE = 5;
const DEVICE_RINGING = 6;
const DEVICE_RINGINUSE = 7;
const DEVICE_ONHOLD = 8;

/** Only an agent's recent channels matter (a transfer comes during the talk). */
const CHANNELS_KEPT = 8;

export function newAgent(name: string, iface: string, at: number): AgentState {
  return {
    name,
    interface: iface,
    queues: [],
    state: 'loggedoff',
    pausedReason: null,
    pausedIn: [],
    since: at,
    deviceStatus: 0,
    inCall: false,
    wrapupSeconds: 0,
    ringingFor: null,
    channels: [],
  };
}

/** Paused for the person: paused in every queue they serve. */
export function pausedEverywhere(a: AgentState): boolean {
  return a.queues.length > 0 && a.queues.every((q) => a.pausedIn.includes(q));
}

/** The state a member's device and pause flags imply (wrap-up is decided by time, below). */
export function stateFromDevice(a: AgentState): AgentStateName {
  if (a.queues.length === 0) return 'loggedoff';
  if (pausedEverywhere(a)) return 'paused';
  switch (a.deviceStatus) {
    case DEVICE_INVALID:
    case DEVICE_UNAVAILABLE:
      return 'unavailable';
    case DEVICE_RINGING:
    case DEVICE_RINGINUSE:
      return 'ringing';
    case DEVICE_INUSE:
    case DEVICE_BUSY:
    case DEVICE_ONHOLD:
      return 'oncall';
  }
  return a.inCall ? 'oncall' : 'available';
}

const sorted = (list: Iterable<string>) => [...new Set(list)].sort();

/**
 * All agents of one switch. Every change that is visible is reported through `changed`, once
 * per step (the tracker collects them).
 */
export class AgentRoster {
  readonly agents = new Map<string, AgentState>();
  private readonly byChannel = new Map<string, string>();

  constructor(private readonly changed: (a: AgentState) => void) {}

  /** Who owns this agent-side channel (name or Uniqueid), for crediting a transfer. */
  ofChannel(channel: string | null): string | null {
    return (channel && this.byChannel.get(channel)) || null;
  }

  restore(agents: AgentState[]): void {
    for (const stored of agents) {
      // States stored before pause was per queue had one `paused` flag.
      const old = stored as AgentState & { paused?: boolean };
      const a: AgentState = { ...newAgent(stored.name, stored.interface, stored.since), ...stored };
      if (!Array.isArray(stored.pausedIn)) a.pausedIn = old.paused ? [...a.queues] : [];
      delete (a as { paused?: boolean }).paused;
      this.agents.set(a.name, a);
      for (const ch of a.channels) this.byChannel.set(ch, a.name);
    }
  }

  /** The phone rings for a caller (AgentCalled). */
  called(ev: AgentCalled): void {
    const a = this.enrol(ev.member, ev.interface, ev.queue, ev.at);
    if (a.state === 'oncall') return;
    a.ringingFor = ev.uniqueid;
    this.set(a, 'ringing', ev.at);
  }

  /** The ring ended unanswered (AgentRingNoAnswer). */
  ringNoAnswer(ev: AgentRingNoAnswer): void {
    const a = this.enrol(ev.member, ev.interface, ev.queue, ev.at);
    this.stopRinging(a, ev.at);
  }

  /**
   * The caller an agent's phone rings for is gone from the queue (hung up, moved, answered by
   * someone else): Asterisk sends no AgentRingNoAnswer then, so the ring ends here.
   */
  callerGone(uniqueid: string, at: number, except: string | null = null): void {
    for (const a of this.agents.values()) {
      if (a.ringingFor === uniqueid && a.name !== except) this.stopRinging(a, at);
    }
  }

  connected(ev: AgentConnect): void {
    const a = this.enrol(ev.member, ev.interface, ev.queue, ev.at);
    for (const ch of [ev.destChannel, ev.destUniqueid]) {
      if (!ch || a.channels.includes(ch)) continue;
      this.byChannel.set(ch, a.name);
      const keep = a.channels.slice(-(CHANNELS_KEPT - 1));
      for (const gone of a.channels.slice(0, -(CHANNELS_KEPT - 1))) if (this.byChannel.get(gone) === a.name) this.byChannel.delete(gone);
      a.channels = [...keep, ch];
    }
    a.inCall = true;
    a.ringingFor = null;
    this.set(a, 'oncall', ev.at);
  }

  completed(ev: AgentComplete): void {
    const a = this.agent(ev.member, ev.interface, ev.at);
    a.inCall = false;
    a.ringingFor = null;
    // The device may still say in use for a moment: the talk is over now.
    const after = stateFromDevice({ ...a, deviceStatus: DEVICE_NOT_INUSE });
    this.set(a, a.wrapupSeconds > 0 && after === 'available' ? 'wrapup' : after, ev.at);
  }

  /** QueueMemberStatus / Added / Pause / QueueMember: the member as one queue sees it. */
  member(ev: MemberStatus): void {
    const a = this.agent(ev.member, ev.interface, ev.at);
    const before = JSON.stringify([a.queues, a.pausedIn, a.pausedReason]);
    this.apply(a, ev);
    if (!this.update(a, ev.at) && before !== JSON.stringify([a.queues, a.pausedIn, a.pausedReason])) this.changed(a);
  }

  removed(ev: MemberRemoved): void {
    const a = this.agents.get(ev.member);
    if (!a) return;
    a.queues = a.queues.filter((q) => q !== ev.queue);
    a.pausedIn = a.pausedIn.filter((q) => q !== ev.queue);
    if (!this.update(a, ev.at)) this.changed(a);
  }

  /**
   * The member list of a QueueStatus answer is the truth about who is logged in where.
   * Returns the agents not in a call, whose open talks are therefore over.
   */
  resync(members: MemberStatus[], at: number): string[] {
    const byAgent = new Map<string, MemberStatus[]>();
    for (const m of members) byAgent.set(m.member, [...(byAgent.get(m.member) ?? []), m]);
    for (const [name, a] of this.agents) {
      if (!byAgent.has(name) && a.queues.length > 0) {
        a.queues = [];
        a.pausedIn = [];
        a.ringingFor = null;
        this.update(a, at);
      }
    }
    const free: string[] = [];
    for (const [name, reports] of byAgent) {
      const a = this.agent(name, reports[0]!.interface, at);
      a.queues = [];
      a.pausedIn = [];
      for (const r of reports) this.apply(a, r);
      if (!a.inCall) {
        free.push(name);
        a.ringingFor = null;
      }
      if (!this.update(a, at)) this.changed(a);
    }
    return free;
  }

  /** Wrap-up ends with the passing of time. */
  settle(now: number): void {
    for (const a of this.agents.values()) {
      const end = a.since + a.wrapupSeconds * 1000;
      if (a.state === 'wrapup' && now >= end) this.set(a, stateFromDevice(a), end);
    }
  }

  /** An agent named by a queue event is a member of that queue. */
  private enrol(name: string, iface: string, queue: string, at: number): AgentState {
    const a = this.agent(name, iface, at);
    if (!a.queues.includes(queue)) {
      a.queues = sorted([...a.queues, queue]);
      this.changed(a);
    }
    return a;
  }

  private agent(name: string, iface: string, at: number): AgentState {
    let a = this.agents.get(name);
    if (!a) {
      a = newAgent(name, iface, at);
      this.agents.set(name, a);
    }
    return a;
  }

  /** One queue's report: that queue's membership and pause, the person's device and call. */
  private apply(a: AgentState, ev: MemberStatus): void {
    if (!a.queues.includes(ev.queue)) a.queues = sorted([...a.queues, ev.queue]);
    if (ev.interface) a.interface = ev.interface;
    a.deviceStatus = ev.status;
    a.inCall = ev.inCall;
    const pausedHere = a.pausedIn.includes(ev.queue);
    if (ev.paused && !pausedHere) a.pausedIn = sorted([...a.pausedIn, ev.queue]);
    if (!ev.paused && pausedHere) a.pausedIn = a.pausedIn.filter((q) => q !== ev.queue);
    if (ev.paused) a.pausedReason = ev.pausedReason || a.pausedReason;
    if (a.pausedIn.length === 0) a.pausedReason = null;
    a.wrapupSeconds = ev.wrapupSeconds;
  }

  private stopRinging(a: AgentState, at: number): void {
    a.ringingFor = null;
    if (a.state === 'ringing') this.set(a, stateFromDevice({ ...a, deviceStatus: DEVICE_NOT_INUSE }), at);
  }

  /** Recomputes from device state, keeping wrap-up until it runs out. */
  private update(a: AgentState, at: number): boolean {
    let next = stateFromDevice(a);
    if (next === 'available' && a.state === 'wrapup' && at < a.since + a.wrapupSeconds * 1000) next = 'wrapup';
    // A ring Belofte knows is still going (the device report lags the ring's end or start).
    if (next === 'available' && a.ringingFor !== null) next = 'ringing';
    return this.set(a, next, at);
  }

  /** Moves the agent to `next`, restarting the clock only when the state really changes. */
  private set(a: AgentState, next: AgentStateName, at: number): boolean {
    if (a.state === next) return false;
    a.state = next;
    a.since = at;
    this.changed(a);
    return true;
  }
}
