/**
 * The domain core: normalised AMI events in, call/agent state and figure changes out.
 * No I/O and no clock of its own: time comes from each event (`at`) or from `tick(now)`.
 *
 * Identity. A customer call is keyed by Linkedid, so transfers and re-queues stay one call;
 * a queue visit by the caller channel's Uniqueid plus the queue and its join time. Asterisk
 * can recompute a Linkedid when a channel joins a two-party bridge and a transfer can swap
 * the caller's Uniqueid, so every id a call was ever seen under is an alias of it, and two
 * calls that turn out to be one are merged rather than counted twice.
 */
import type { Thresholds } from '@belofte/shared/figures';
import { applyMemberStatus, newAgent, setState, stateFromDevice } from './agents.ts';
import type {
  AgentComplete,
  AgentConnect,
  AmiEvent,
  ChannelHangup,
  MemberRemoved,
  MemberStatus,
  QueueCallerAbandon,
  QueueCallerJoin,
  QueueCallerLeave,
  QueueEntry,
  Transfer,
} from './events.ts';
import type { AgentState, Change, CustomerCall, DomainCounters, QueueVisit, TransferKind, TransferRecord } from './types.ts';

/** Signals of one transfer (transfer event, AgentComplete "transfer", re-queue) arrive this close together. */
const TRANSFER_MATCH_MS = 2_000;
/** QueueCallerLeave comes just before AgentConnect: a leave is only final when no answer follows this soon. */
const LEAVE_SETTLE_MS = 1_000;
/** A finished call stays in memory this long so late events still find it (event time). */
const FINISHED_RETENTION_MS = 60 * 60_000;
/** A call with no open visit and no hangup seen is closed after this much quiet (event time). */
const IDLE_CLOSE_MS = 10 * 60_000;
const FINGERPRINTS = 8_192;
/** A join this close to a visit already known for the channel and queue is that visit (HoldTime has whole seconds). */
const SAME_JOIN_MS = 2_000;

export interface TrackerOptions {
  thresholds: Thresholds;
  /** Keep finished calls forever (replay); the live collector lets them go after an hour. */
  keepFinished?: boolean;
}

export interface TrackerState {
  calls: CustomerCall[];
  agents: AgentState[];
}

interface PendingLeave {
  linkedid: string;
  visitId: string;
  at: number;
}

export class CallTracker {
  readonly calls = new Map<string, CustomerCall>();
  readonly agents = new Map<string, AgentState>();
  readonly counters: DomainCounters = { events: 0, duplicates: 0, orphans: 0 };

  private readonly alias = new Map<string, string>();
  private readonly agentByChannel = new Map<string, string>();
  private readonly hungUp = new Map<string, number>();
  private readonly pendingLeaves: PendingLeave[] = [];
  private readonly lastActivity = new Map<string, number>();
  private readonly fingerprints = new Set<string>();
  private readonly fingerprintRing: string[] = new Array(FINGERPRINTS).fill('');
  private fingerprintNext = 0;
  private fingerprintAt = 0;
  /** Whether this session delivers channel (call class) events; without them hangups cannot tell abandon from timeout. */
  private seesHangups = false;
  private readonly thresholds: Thresholds;
  private readonly keepFinished: boolean;
  private changes: Change[] = [];
  private dirtyCalls = new Set<CustomerCall>();
  private dirtyAgents = new Set<AgentState>();

  constructor(options: TrackerOptions) {
    this.thresholds = options.thresholds;
    this.keepFinished = options.keepFinished ?? false;
  }

  // ---------------------------------------------------------------- public API

  /** Applies one event; returns the figure and state changes it causes, in order. */
  process(ev: AmiEvent): Change[] {
    this.counters.events++;
    if (this.isDuplicate(ev)) {
      this.counters.duplicates++;
      return [];
    }
    this.settle(ev.at);
    switch (ev.type) {
      case 'QueueCallerJoin':
        this.onJoin(ev);
        break;
      case 'QueueCallerLeave':
        this.onLeave(ev);
        break;
      case 'QueueCallerAbandon':
        this.onAbandon(ev);
        break;
      case 'AgentCalled':
        this.onAgentEvent(ev.member, ev.interface, ev.queue, 'ringing', ev.at);
        break;
      case 'AgentRingNoAnswer':
        this.onRingNoAnswer(ev.member, ev.interface, ev.queue, ev.at);
        break;
      case 'AgentConnect':
        this.onConnect(ev);
        break;
      case 'AgentComplete':
        this.onComplete(ev);
        break;
      case 'BlindTransfer':
      case 'AttendedTransfer':
        this.onTransfer(ev);
        break;
      case 'QueueMemberStatus':
      case 'QueueMemberAdded':
      case 'QueueMemberPause':
      case 'QueueMember':
        this.onMember(ev);
        break;
      case 'QueueMemberRemoved':
        this.onMemberRemoved(ev);
        break;
      case 'Hangup':
        this.onHangup(ev);
        break;
      case 'QueueEntry':
        // Only meaningful inside resync(); a stray one is an orphan.
        this.counters.orphans++;
        break;
    }
    return this.flush();
  }

  /** Advances time without an event: guarantee breaches of callers still waiting, wrap-up ends, idle calls. */
  tick(now: number): Change[] {
    this.settle(now);
    return this.flush();
  }

  /**
   * Rebuilds from a `QueueStatus` answer after a (re)connect: who waits now and which agents
   * are logged in. A call seen waiting before that is no longer listed ended while Belofte was
   * not looking: its outcome is `unknown`, never a guess. Nothing already counted is counted again.
   */
  resync(at: number, entries: QueueEntry[], members: MemberStatus[], linkedidOf: Map<string, string>, asked?: Set<string>): Change[] {
    this.settle(at);
    const listed = new Set(entries.map((e) => `${e.uniqueid}\u0000${e.queue}`));
    // Events keep flowing while QueueStatus is answered: a visit that began after the question
    // (not in `asked`, from openVisitIds() taken when it was sent) is not the answer's business.
    const inQuestion = (v: QueueVisit) => asked === undefined || asked.has(v.id);
    // Callers Belofte thought were waiting but the switch no longer lists.
    for (const call of this.calls.values()) {
      for (const v of call.visits) {
        if (v.status === 'waiting' && inQuestion(v) && !listed.has(`${v.uniqueid}\u0000${v.queue}`)) this.endVisit(call, v, 'unknown', at);
      }
    }
    // Callers waiting now that Belofte has not seen join (joined while disconnected).
    for (const e of entries) {
      const linkedid = linkedidOf.get(e.uniqueid) ?? e.uniqueid;
      const call = this.findCall(e.uniqueid) ?? this.findCall(linkedid);
      const joinedAt = at - e.waitSeconds * 1000;
      // The listing may describe a visit Belofte knows: one open when QueueStatus was asked, or
      // one that began while it was being answered (`Wait` is whole seconds and the answer
      // takes time, so join times only roughly agree). Only otherwise is it a caller who
      // joined unseen.
      const known = call?.visits.some(
        (v) => v.uniqueid === e.uniqueid && v.queue === e.queue && (v.status === 'waiting' || asked?.has(v.id) || (asked !== undefined && !asked.has(v.id) && v.joinedAt >= joinedAt - SAME_JOIN_MS)),
      );
      if (known) continue;
      this.onJoin({
        type: 'QueueCallerJoin',
        at: joinedAt,
        queue: e.queue,
        uniqueid: e.uniqueid,
        linkedid,
        channel: e.channel,
        callerIdNum: e.callerIdNum,
        position: 0,
        stamp: `resync:${Math.round(joinedAt / 1000)}`,
      });
    }
    // Agents: the member list is the truth about who is logged in where.
    const byAgent = new Map<string, MemberStatus[]>();
    for (const m of members) byAgent.set(m.member, [...(byAgent.get(m.member) ?? []), m]);
    for (const [name, agent] of this.agents) {
      if (!byAgent.has(name) && agent.queues.length > 0) {
        agent.queues = [];
        this.updateAgentState(agent, at);
      }
    }
    for (const [name, reports] of byAgent) {
      const agent = this.agent(name, reports[0]!.interface, at);
      agent.queues = [];
      for (const r of reports) applyMemberStatus(agent, r);
      // A talk whose AgentComplete was missed: the agent is no longer in a call.
      if (!agent.inCall) this.closeTalksOf(name, at, inQuestion);
      this.updateAgentState(agent, at);
    }
    return this.flush();
  }

  /** Ends everything still open as of `at` (end of a replayed capture): open calls keep their state, idle ones close. */
  finish(at: number): Change[] {
    this.settle(at);
    for (const call of this.calls.values()) {
      if (call.endedAt === null && !this.hasOpenVisit(call)) this.finishCall(call, at);
    }
    return this.flush();
  }

  /** Plain-data state for storage; `restore` takes it back. */
  state(): TrackerState {
    return { calls: [...this.calls.values()], agents: [...this.agents.values()] };
  }

  restore(state: TrackerState): void {
    for (const call of state.calls) {
      this.calls.set(call.linkedid, call);
      this.indexCall(call);
    }
    for (const agent of state.agents) {
      this.agents.set(agent.name, agent);
      for (const ch of agent.channels) this.agentByChannel.set(ch, agent.name);
    }
  }

  /** Ids of the visits open now (waiting or talking): what a QueueStatus sent now answers about. */
  openVisitIds(): Set<string> {
    const ids = new Set<string>();
    for (const call of this.calls.values()) for (const v of call.visits) if (v.status === 'waiting' || v.status === 'answered') ids.add(v.id);
    return ids;
  }

  /** Calls in order of first queue entry. */
  callList(): CustomerCall[] {
    return [...this.calls.values()].sort((a, b) => a.firstJoinedAt - b.firstJoinedAt);
  }

  // ---------------------------------------------------------------- calls

  private onJoin(ev: QueueCallerJoin): void {
    let call = this.findCall(ev.uniqueid);
    const byLinked = this.findCall(ev.linkedid);
    if (call && byLinked && call !== byLinked) call = this.merge(call, byLinked);
    call ??= byLinked;
    if (!call) {
      call = {
        linkedid: ev.linkedid,
        callerIdNum: ev.callerIdNum,
        visits: [],
        firstJoinedAt: ev.at,
        answeredAt: null,
        agent: null,
        abandonedAt: null,
        transfers: [],
        breached: false,
        overTransferLimit: false,
        outcome: 'waiting',
        endedAt: null,
        aliases: [],
      };
      this.calls.set(call.linkedid, call);
    }
    const id = `${ev.uniqueid}/${ev.stamp}`;
    // The same visit again: a duplicate, or the real join arriving after an answer (or a
    // resync) already accounted for it from Asterisk's own wait.
    const same = (v: QueueVisit) => v.uniqueid === ev.uniqueid && v.queue === ev.queue && (v.status === 'waiting' || Math.abs(v.joinedAt - ev.at) <= SAME_JOIN_MS);
    if (call.visits.some((v) => v.id === id || same(v))) {
      this.counters.duplicates++;
      return;
    }
    // The same caller channel back in a queue after an agent had it: a transfer, whether or
    // not Asterisk also said so (an AMI Redirect says nothing). A consultation leg is a new
    // channel and does not count by itself: only its AttendedTransfer does.
    const requeue = call.visits.some((v) => v.uniqueid === ev.uniqueid && v.answeredAt !== null);
    const visit: QueueVisit = {
      id,
      queue: ev.queue,
      uniqueid: ev.uniqueid,
      joinedAt: ev.at,
      status: 'waiting',
      answeredAt: null,
      holdSeconds: null,
      agent: null,
      endedAt: null,
      talkSeconds: null,
      endReason: null,
    };
    call.visits.push(visit);
    if (ev.at < call.firstJoinedAt) call.firstJoinedAt = ev.at;
    if (!call.callerIdNum) call.callerIdNum = ev.callerIdNum;
    if (call.answeredAt === null) call.outcome = 'waiting';
    call.endedAt = null;
    this.link(ev.uniqueid, call);
    this.link(ev.linkedid, call);
    this.emit({ kind: 'visitJoined', queue: ev.queue, visitId: id, linkedid: call.linkedid, at: ev.at });
    if (requeue) this.transferSignal(call, 'requeue', ev.at, 'redirect', null);
    this.touch(call, ev.at);
  }

  private onLeave(ev: QueueCallerLeave): void {
    const call = this.findCall(ev.uniqueid);
    const visit = call && this.openVisit(call, ev.uniqueid, ev.queue, 'waiting');
    if (!call || !visit) {
      // Normal after an abandon (the leave follows it) or an answer; otherwise an orphan.
      return;
    }
    this.pendingLeaves.push({ linkedid: call.linkedid, visitId: visit.id, at: ev.at });
  }

  private onAbandon(ev: QueueCallerAbandon): void {
    const call = this.findCall(ev.uniqueid);
    const visit = call && this.openVisit(call, ev.uniqueid, ev.queue, 'waiting');
    if (!call || !visit) {
      this.counters.orphans++;
      return;
    }
    // Asterisk sends QueueCallerAbandon also when the wait timed out or the queue emptied.
    // Only a caller who hung up abandoned: their channel's HangupRequest comes first.
    const hungUp = this.hungUp.has(ev.uniqueid) || !this.seesHangups;
    let outcome: 'abandoned' | 'shortAbandoned' | 'timedOut' = 'timedOut';
    if (hungUp) {
      const waited = (ev.at - visit.joinedAt) / 1000;
      outcome = waited < this.thresholds.shortAbandonSeconds ? 'shortAbandoned' : 'abandoned';
    }
    this.endVisit(call, visit, outcome, ev.at);
  }

  private onConnect(ev: AgentConnect): void {
    let call = this.findCall(ev.uniqueid) ?? this.findCall(ev.linkedid);
    let visit = call && this.openVisit(call, ev.uniqueid, ev.queue, 'waiting');
    if (call && !visit && call.visits.some((v) => v.uniqueid === ev.uniqueid && v.queue === ev.queue && v.answeredAt !== null && v.agent === ev.member && v.status === 'answered')) {
      this.counters.duplicates++;
      return;
    }
    if (!visit) {
      // The join happened before Belofte was listening: the entry is known from Asterisk's
      // HoldTime, so count it rather than lose an answered call.
      this.counters.orphans++;
      this.onJoin({
        type: 'QueueCallerJoin',
        at: ev.at - ev.holdTime * 1000,
        queue: ev.queue,
        uniqueid: ev.uniqueid,
        linkedid: ev.linkedid,
        channel: '',
        callerIdNum: '',
        position: 0,
        stamp: `connect:${Math.round(ev.at / 1000) - ev.holdTime}`,
      });
      call = this.findCall(ev.uniqueid)!;
      visit = this.openVisit(call, ev.uniqueid, ev.queue, 'waiting');
      if (!visit) return;
    }
    this.dropPendingLeave(visit.id);
    visit.status = 'answered';
    visit.answeredAt = ev.at;
    visit.holdSeconds = ev.holdTime;
    visit.agent = ev.member;
    const withinTarget = ev.holdTime <= this.thresholds.targetSeconds;
    this.emit({
      kind: 'visitAnswered',
      queue: ev.queue,
      visitId: visit.id,
      linkedid: call!.linkedid,
      agent: ev.member,
      holdSeconds: ev.holdTime,
      withinTarget,
      at: ev.at,
    });
    const c = call!;
    if (c.answeredAt === null) {
      c.answeredAt = ev.at;
      c.agent = ev.member;
      c.outcome = 'answered';
      c.abandonedAt = null;
      this.checkGuarantee(c, ev.at);
    }
    const agent = this.agent(ev.member, ev.interface, ev.at);
    if (!agent.queues.includes(ev.queue)) agent.queues = [...agent.queues, ev.queue].sort();
    for (const ch of [ev.destChannel, ev.destUniqueid]) {
      if (!ch) continue;
      this.agentByChannel.set(ch, ev.member);
      if (!agent.channels.includes(ch)) {
        // Only the agent's recent channels matter (a transfer comes during the talk): forget older ones.
        for (const gone of agent.channels.slice(0, -7)) if (this.agentByChannel.get(gone) === agent.name) this.agentByChannel.delete(gone);
        agent.channels = [...agent.channels.slice(-7), ch];
      }
    }
    agent.inCall = true;
    this.changeAgent(agent, 'oncall', ev.at);
    this.touch(c, ev.at);
  }

  private onComplete(ev: AgentComplete): void {
    // AgentComplete can come without Channel/Uniqueid when the caller hung up first:
    // then the agent's open talk in that queue identifies it.
    let call: CustomerCall | undefined;
    let visit: QueueVisit | undefined;
    if (ev.uniqueid) {
      call = this.findCall(ev.uniqueid);
      visit = call && this.openVisit(call, ev.uniqueid, ev.queue, 'answered');
    }
    if (!visit) {
      for (const c of this.calls.values()) {
        const v = c.visits.find((x) => x.status === 'answered' && x.queue === ev.queue && x.agent === ev.member);
        if (v) {
          call = c;
          visit = v;
          break;
        }
      }
    }
    const agent = this.agent(ev.member, ev.interface, ev.at);
    agent.inCall = false;
    this.changeAgent(agent, agent.wrapupSeconds > 0 && !agent.paused ? 'wrapup' : stateFromDevice({ ...agent, deviceStatus: 1 }), ev.at);
    if (!call || !visit) {
      this.counters.orphans++;
      return;
    }
    visit.status = 'completed';
    visit.endedAt = ev.at;
    visit.talkSeconds = ev.talkTime;
    visit.endReason = ev.reason || null;
    if (ev.reason === 'transfer') this.transferSignal(call, 'complete', ev.at, 'redirect', ev.member);
    this.markDirty(call);
    this.touch(call, ev.at);
  }

  private onTransfer(ev: Transfer): void {
    if (!ev.success) return;
    const ids = [ev.transfereeUniqueid, ev.transfereeLinkedid, ev.transfererLinkedid, ev.targetUniqueid, ev.targetLinkedid];
    let call: CustomerCall | undefined;
    for (const id of ids) {
      const found = id ? this.findCall(id) : undefined;
      if (!found) continue;
      call = call && call !== found ? this.merge(call, found) : found;
    }
    if (!call) {
      // A transfer of a call that never was in a queue: not Belofte's business.
      this.counters.orphans++;
      return;
    }
    for (const id of ids) if (id) this.link(id, call);
    const agent =
      (ev.transfererChannel && this.agentByChannel.get(ev.transfererChannel)) ||
      (ev.transfererUniqueid && this.agentByChannel.get(ev.transfererUniqueid)) ||
      null;
    this.transferSignal(call, 'event', ev.at, ev.type === 'BlindTransfer' ? 'blind' : 'attended', agent);
    this.touch(call, ev.at);
  }

  private onHangup(ev: ChannelHangup): void {
    this.seesHangups = true;
    this.hungUp.set(ev.uniqueid, ev.at);
    if (!ev.final) return;
    const call = this.findCall(ev.uniqueid);
    if (!call) return;
    // A caller who leaves the queue and then hangs up: the leave is final now.
    for (let i = this.pendingLeaves.length - 1; i >= 0; i--) {
      const p = this.pendingLeaves[i]!;
      const v = call.visits.find((x) => x.id === p.visitId);
      if (p.linkedid === call.linkedid && v?.uniqueid === ev.uniqueid) {
        this.pendingLeaves.splice(i, 1);
        if (v.status === 'waiting') this.endVisit(call, v, 'timedOut', p.at);
      }
    }
    if (call.visits.some((v) => v.uniqueid === ev.uniqueid) && !this.hasOpenVisit(call)) this.finishCall(call, ev.at);
  }

  /** One transfer shows up as up to three signals; they are one transfer when close in time. */
  private transferSignal(call: CustomerCall, signal: TransferRecord['signals'][number], at: number, kind: TransferKind, agent: string | null): void {
    const match = call.transfers.find((t) => Math.abs(t.at - at) <= TRANSFER_MATCH_MS && !t.signals.includes(signal));
    if (match) {
      match.signals.push(signal);
      if (signal === 'event') match.kind = kind;
      const credit = match.agent === null && agent !== null;
      if (credit) match.agent = agent;
      if (credit) this.emit({ kind: 'transferred', linkedid: call.linkedid, transferId: match.id, agent: match.agent, at: match.at });
      this.markDirty(call);
      return;
    }
    const record: TransferRecord = { id: `${call.linkedid}/t${call.transfers.length + 1}`, at, kind, agent, signals: [signal] };
    call.transfers.push(record);
    this.emit({ kind: 'transferred', linkedid: call.linkedid, transferId: record.id, agent, at });
    if (!call.overTransferLimit && call.transfers.length > this.thresholds.maxTransfers) {
      call.overTransferLimit = true;
      this.emit({ kind: 'transferLimitExceeded', queue: call.visits[0]!.queue, linkedid: call.linkedid, at });
    }
    this.markDirty(call);
  }

  private endVisit(call: CustomerCall, visit: QueueVisit, outcome: 'abandoned' | 'shortAbandoned' | 'timedOut' | 'unknown', at: number): void {
    this.dropPendingLeave(visit.id);
    visit.status = outcome;
    visit.endedAt = at;
    this.emit({ kind: 'visitEnded', queue: visit.queue, visitId: visit.id, linkedid: call.linkedid, outcome, at });
    if (call.answeredAt === null && !call.visits.some((v) => v.status === 'waiting')) {
      call.outcome = outcome === 'shortAbandoned' ? 'abandoned' : outcome;
      call.abandonedAt = outcome === 'abandoned' || outcome === 'shortAbandoned' ? at : null;
      this.checkGuarantee(call, at);
    }
    this.markDirty(call);
    this.touch(call, at);
  }

  /** The guarantee: a person on the line within guaranteeSeconds of the first queue entry. */
  private checkGuarantee(call: CustomerCall, at: number): void {
    if (call.breached) return;
    const limit = call.firstJoinedAt + this.thresholds.guaranteeSeconds * 1000;
    const reachedAt = call.answeredAt ?? at;
    if (reachedAt > limit && (call.answeredAt !== null || call.outcome !== 'unknown' || at > limit)) {
      call.breached = true;
      this.emit({ kind: 'guaranteeBreached', queue: call.visits[0]!.queue, linkedid: call.linkedid, at: Math.min(reachedAt, limit) });
      this.markDirty(call);
    }
  }

  private finishCall(call: CustomerCall, at: number): void {
    if (call.endedAt !== null) return;
    call.endedAt = at;
    if (call.answeredAt !== null) call.outcome = 'answered';
    this.emit({ kind: 'callFinished', call });
    this.dirtyCalls.delete(call);
  }

  /** Everything that becomes true with the passing of time. */
  private settle(now: number): void {
    // Leaves with no answer after them: the caller went elsewhere (timeout, exit key, redirect).
    for (let i = 0; i < this.pendingLeaves.length; ) {
      const p = this.pendingLeaves[i]!;
      if (now - p.at < LEAVE_SETTLE_MS) {
        i++;
        continue;
      }
      this.pendingLeaves.splice(i, 1);
      const call = this.calls.get(p.linkedid);
      const v = call?.visits.find((x) => x.id === p.visitId);
      if (call && v && v.status === 'waiting') this.endVisit(call, v, 'timedOut', p.at);
    }
    if (now < this.fingerprintAt) return;
    // Once a second of event time is enough for the slower rules.
    this.fingerprintAt = now + 1000;
    for (const call of this.calls.values()) {
      if (call.endedAt !== null) {
        if (!this.keepFinished && now - call.endedAt > FINISHED_RETENTION_MS) this.forget(call);
        continue;
      }
      if (!call.breached && call.answeredAt === null && call.visits.some((v) => v.status === 'waiting')) {
        if (now > call.firstJoinedAt + this.thresholds.guaranteeSeconds * 1000) this.checkGuarantee(call, now);
      }
      if (!this.hasOpenVisit(call) && now - (this.lastActivity.get(call.linkedid) ?? now) > IDLE_CLOSE_MS) this.finishCall(call, now);
    }
    for (const agent of this.agents.values()) {
      if (agent.state === 'wrapup' && now >= agent.since + agent.wrapupSeconds * 1000) {
        this.changeAgent(agent, stateFromDevice(agent), agent.since + agent.wrapupSeconds * 1000);
      }
    }
    for (const [id, at] of this.hungUp) if (now - at > FINISHED_RETENTION_MS) this.hungUp.delete(id);
  }

  private forget(call: CustomerCall): void {
    this.calls.delete(call.linkedid);
    this.lastActivity.delete(call.linkedid);
    for (const id of this.idsOf(call)) if (this.alias.get(id) === call.linkedid) this.alias.delete(id);
  }

  /** Two records that are one customer call: keep the one that started first. */
  private merge(a: CustomerCall, b: CustomerCall): CustomerCall {
    const [keep, gone] = a.firstJoinedAt <= b.firstJoinedAt ? [a, b] : [b, a];
    keep.visits = [...keep.visits, ...gone.visits].sort((x, y) => x.joinedAt - y.joinedAt);
    keep.transfers = [...keep.transfers, ...gone.transfers].sort((x, y) => x.at - y.at);
    keep.aliases = [...new Set([...keep.aliases, gone.linkedid, ...gone.aliases])];
    if (gone.answeredAt !== null && (keep.answeredAt === null || gone.answeredAt < keep.answeredAt)) {
      keep.answeredAt = gone.answeredAt;
      keep.agent = gone.agent;
      keep.outcome = 'answered';
    }
    keep.breached ||= gone.breached;
    keep.overTransferLimit ||= gone.overTransferLimit;
    keep.endedAt = null;
    this.calls.delete(gone.linkedid);
    for (const id of this.idsOf(gone)) this.alias.set(id, keep.linkedid);
    this.emit({ kind: 'callMerged', from: gone.linkedid, into: keep.linkedid });
    this.markDirty(keep);
    return keep;
  }

  // ---------------------------------------------------------------- agents

  private agent(name: string, iface: string, at: number): AgentState {
    let a = this.agents.get(name);
    if (!a) {
      a = newAgent(name, iface, at);
      this.agents.set(name, a);
    }
    return a;
  }

  private onAgentEvent(name: string, iface: string, queue: string, state: 'ringing', at: number): void {
    const a = this.agent(name, iface, at);
    if (!a.queues.includes(queue)) a.queues = [...a.queues, queue].sort();
    if (a.state !== 'oncall') this.changeAgent(a, state, at);
  }

  private onRingNoAnswer(name: string, iface: string, queue: string, at: number): void {
    const a = this.agent(name, iface, at);
    if (!a.queues.includes(queue)) a.queues = [...a.queues, queue].sort();
    if (a.state === 'ringing') this.changeAgent(a, stateFromDevice({ ...a, deviceStatus: 1 }), at);
  }

  private onMember(ev: MemberStatus): void {
    const a = this.agent(ev.member, ev.interface, ev.at);
    const before = JSON.stringify([a.queues, a.pausedReason]);
    applyMemberStatus(a, ev);
    const changed = this.updateAgentState(a, ev.at);
    if (!changed && before !== JSON.stringify([a.queues, a.pausedReason])) this.markAgent(a);
  }

  private onMemberRemoved(ev: MemberRemoved): void {
    const a = this.agents.get(ev.member);
    if (!a) return;
    a.queues = a.queues.filter((q) => q !== ev.queue);
    if (!this.updateAgentState(a, ev.at)) this.markAgent(a);
  }

  /** Recomputes from device state, keeping wrap-up until it runs out. */
  private updateAgentState(a: AgentState, at: number): boolean {
    let next = stateFromDevice(a);
    if (next === 'available' && a.state === 'wrapup' && at < a.since + a.wrapupSeconds * 1000) next = 'wrapup';
    return this.changeAgent(a, next, at);
  }

  private changeAgent(a: AgentState, next: AgentState['state'], at: number): boolean {
    const changed = setState(a, next, at);
    if (changed) this.markAgent(a);
    return changed;
  }

  private closeTalksOf(agent: string, at: number, inQuestion: (v: QueueVisit) => boolean): void {
    for (const call of this.calls.values()) {
      for (const v of call.visits) {
        if (v.status === 'answered' && v.agent === agent && inQuestion(v)) {
          v.status = 'completed';
          v.endedAt = at;
          this.markDirty(call);
        }
      }
    }
  }

  // ---------------------------------------------------------------- bookkeeping

  private findCall(id: string): CustomerCall | undefined {
    const key = this.alias.get(id) ?? id;
    return this.calls.get(key);
  }

  private link(id: string, call: CustomerCall): void {
    if (id === call.linkedid) {
      this.alias.set(id, id);
      return;
    }
    const prev = this.alias.get(id);
    this.alias.set(id, call.linkedid);
    if (prev !== call.linkedid && !call.aliases.includes(id)) call.aliases.push(id);
  }

  private idsOf(call: CustomerCall): string[] {
    return [call.linkedid, ...call.aliases, ...call.visits.map((v) => v.uniqueid)];
  }

  private indexCall(call: CustomerCall): void {
    for (const id of this.idsOf(call)) this.alias.set(id, call.linkedid);
  }

  private openVisit(call: CustomerCall, uniqueid: string, queue: string, status: 'waiting' | 'answered'): QueueVisit | undefined {
    for (let i = call.visits.length - 1; i >= 0; i--) {
      const v = call.visits[i]!;
      if (v.uniqueid === uniqueid && v.queue === queue && v.status === status) return v;
    }
    return undefined;
  }

  private hasOpenVisit(call: CustomerCall): boolean {
    return call.visits.some((v) => v.status === 'waiting' || v.status === 'answered');
  }

  private dropPendingLeave(visitId: string): void {
    const i = this.pendingLeaves.findIndex((p) => p.visitId === visitId);
    if (i >= 0) this.pendingLeaves.splice(i, 1);
  }

  private touch(call: CustomerCall, at: number): void {
    this.lastActivity.set(call.linkedid, at);
    this.markDirty(call);
  }

  private isDuplicate(ev: AmiEvent): boolean {
    // Asterisk's Timestamp has microseconds: the same event twice is the same text twice.
    let key: string;
    switch (ev.type) {
      case 'Hangup':
      case 'QueueEntry':
      case 'QueueMember':
        return false;
      case 'BlindTransfer':
      case 'AttendedTransfer':
        key = `${ev.type}|${ev.at}|${ev.transfereeUniqueid}`;
        break;
      case 'QueueMemberStatus':
      case 'QueueMemberAdded':
      case 'QueueMemberPause':
      case 'QueueMemberRemoved':
        key = `${ev.type}|${ev.at}|${ev.queue}|${ev.member}`;
        break;
      case 'AgentComplete':
        key = `${ev.type}|${ev.at}|${ev.queue}|${ev.member}|${ev.uniqueid}`;
        break;
      default:
        key = `${ev.type}|${ev.at}|${ev.queue}|${ev.uniqueid}`;
    }
    if (this.fingerprints.has(key)) return true;
    this.fingerprints.add(key);
    const old = this.fingerprintRing[this.fingerprintNext]!;
    if (old) this.fingerprints.delete(old);
    this.fingerprintRing[this.fingerprintNext] = key;
    this.fingerprintNext = (this.fingerprintNext + 1) % FINGERPRINTS;
    return false;
  }

  private emit(change: Change): void {
    this.changes.push(change);
  }

  private markDirty(call: CustomerCall): void {
    if (call.endedAt === null) this.dirtyCalls.add(call);
  }

  private markAgent(a: AgentState): void {
    this.dirtyAgents.add(a);
  }

  /** Hands out the changes of one step: figure changes first, then the state to store. */
  private flush(): Change[] {
    const out = this.changes;
    for (const call of this.dirtyCalls) out.push({ kind: 'callChanged', call });
    for (const agent of this.dirtyAgents) out.push({ kind: 'agentChanged', agent });
    this.changes = [];
    this.dirtyCalls.clear();
    this.dirtyAgents.clear();
    return out;
  }
}
