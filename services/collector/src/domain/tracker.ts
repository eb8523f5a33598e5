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
import type { VisitEnd } from '@belofte/shared/catalogue';
import type { Thresholds } from '@belofte/shared/figures';
import { assertNever } from '@belofte/shared/never';
import { AgentRoster } from './agents.ts';
import { DedupeRing } from './dedupe.ts';
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
/**
 * How a visit that left unanswered ended is told by that caller channel's own events this close
 * either side: its hang-up (abandoned), its next QueueCallerJoin (moved), or an AgentConnect
 * (the QueueCallerLeave that precedes an answer). Asterisk sends them within milliseconds.
 */
const END_EVIDENCE_MS = 2_000;
/** A finished call stays in memory this long so late events still find it (event time). */
const FINISHED_RETENTION_MS = 60 * 60_000;
/** A call with no open visit and no hangup seen is closed after this much quiet (event time). */
const IDLE_CLOSE_MS = 10 * 60_000;
/** A join this close to a visit already known for the channel and queue is that visit (HoldTime has whole seconds). */
const SAME_JOIN_MS = 2_000;

export interface TrackerOptions {
  thresholds: Thresholds;
  /** A queue's own targets (BELOFTE_QUEUES); default `thresholds` for every queue. */
  thresholdsFor?: (queue: string) => Thresholds;
  /** Keep finished calls forever (replay); the live collector lets them go after an hour. */
  keepFinished?: boolean;
  /** A visit still waiting this long (event time) is implausible: closed as unknown. Default 4 h. */
  maxWaitMs?: number;
  /** Customer calls held in memory at most; beyond, the oldest are let go (finished ones first). */
  maxCalls?: number;
}

export const DEFAULT_MAX_WAIT_MS = 4 * 3_600_000;
export const DEFAULT_MAX_CALLS = 20_000;

export interface TrackerState {
  calls: CustomerCall[];
  agents: AgentState[];
}

/** A visit that left the queue unanswered, waiting for the evidence of how. */
interface PendingEnd {
  linkedid: string;
  visitId: string;
  uniqueid: string;
  at: number;
  /** QueueCallerAbandon (hang-up, timeout or move) or a bare QueueCallerLeave (exit key, answer next). */
  by: 'abandon' | 'leave';
}

export class CallTracker {
  readonly calls = new Map<string, CustomerCall>();
  readonly counters: DomainCounters = { events: 0, duplicates: 0, orphans: 0, implausible: 0, evicted: 0 };

  private readonly alias = new Map<string, string>();
  private readonly roster = new AgentRoster((a) => this.dirtyAgents.add(a));
  private readonly dedupe = new DedupeRing();
  /** Channel (Uniqueid) → time of its last hang-up event. */
  private readonly hungUp = new Map<string, number>();
  private readonly pendingEnds = new Map<string, PendingEnd>();
  private readonly lastActivity = new Map<string, number>();
  private slowRulesAt = 0;
  /**
   * Set when the session is known to lack the `call` event class (manager.conf): then no
   * hang-up can ever be seen, and an unmoved QueueCallerAbandon is taken as Asterisk names it.
   */
  private hangupsAbsent = false;
  private readonly thresholds: Thresholds;
  private readonly thresholdsFor: ((queue: string) => Thresholds) | null;
  private readonly keepFinished: boolean;
  private readonly maxWaitMs: number;
  private readonly maxCalls: number;
  private changes: Change[] = [];
  private dirtyCalls = new Set<CustomerCall>();
  private dirtyAgents = new Set<AgentState>();

  constructor(options: TrackerOptions) {
    this.thresholds = options.thresholds;
    this.thresholdsFor = options.thresholdsFor ?? null;
    this.keepFinished = options.keepFinished ?? false;
    this.maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    this.maxCalls = options.maxCalls ?? DEFAULT_MAX_CALLS;
  }

  /** Agents by member name. */
  get agents(): ReadonlyMap<string, AgentState> {
    return this.roster.agents;
  }

  /** The session delivers no `call` class events (no hang-ups can be seen), or it does again. */
  setHangupsAbsent(absent: boolean): void {
    this.hangupsAbsent = absent;
  }

  // ---------------------------------------------------------------- public API

  /** Applies one event; returns the figure and state changes it causes, in order. */
  process(ev: AmiEvent): Change[] {
    this.counters.events++;
    if (this.dedupe.repeated(ev)) {
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
        this.roster.called(ev);
        break;
      case 'AgentRingNoAnswer':
        this.roster.ringNoAnswer(ev);
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
        this.roster.member(ev);
        break;
      case 'QueueMemberRemoved':
        this.roster.removed(ev);
        break;
      case 'Hangup':
        this.onHangup(ev);
        break;
      case 'QueueEntry':
        // Only meaningful inside resync(); a stray one is an orphan.
        this.counters.orphans++;
        break;
      default:
        assertNever(ev, 'event');
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
    // Agents: the member list is the truth about who is logged in where; a talk whose
    // AgentComplete was missed is over when its agent is no longer in a call.
    for (const name of this.roster.resync(members, at)) this.closeTalksOf(name, at, inQuestion);
    // Calls whose end never came (a switch that crashed mid-call): nothing is open, so the
    // record is written now rather than after an idle timer.
    for (const call of this.calls.values()) {
      if (call.endedAt === null && !this.hasOpenVisit(call) && call.visits.every(inQuestion)) this.finishCall(call, at);
    }
    return this.flush();
  }

  /** Ends everything still open as of `at` (end of a replayed capture): open calls keep their state, idle ones close. */
  finish(at: number): Change[] {
    // No more evidence is coming: every open question about a visit's end is answered now.
    for (const p of [...this.pendingEnds.values()]) this.resolvePending(p);
    this.settle(at);
    for (const call of this.calls.values()) {
      if (call.endedAt === null && !this.hasOpenVisit(call)) this.finishCall(call, at);
    }
    return this.flush();
  }

  /** Plain-data state for storage; `restore` takes it back. */
  state(): TrackerState {
    return { calls: [...this.calls.values()], agents: [...this.roster.agents.values()] };
  }

  restore(state: TrackerState): void {
    for (const call of state.calls) {
      this.calls.set(call.linkedid, call);
      this.indexCall(call);
    }
    this.roster.restore(state.agents);
  }

  /**
   * Everything live that Redis should hold, as changes: after Redis came back empty (flushed,
   * a failover that lost data) writing these restores waiting callers, calls and agents.
   */
  liveState(): Change[] {
    const out: Change[] = [];
    for (const call of this.calls.values()) {
      if (call.endedAt !== null) continue;
      for (const v of call.visits) if (v.status === 'waiting') out.push({ kind: 'visitJoined', queue: v.queue, visitId: v.id, linkedid: call.linkedid, at: v.joinedAt });
      out.push({ kind: 'callChanged', call });
    }
    for (const agent of this.roster.agents.values()) out.push({ kind: 'agentChanged', agent });
    return out;
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
    // The same channel entering a queue right after leaving one unanswered: it was moved
    // (AMI Redirect, dialplan flow-out), not abandoned and not timed out.
    for (const p of [...this.pendingEnds.values()]) {
      if (p.uniqueid === ev.uniqueid && ev.at - p.at <= END_EVIDENCE_MS) this.resolvePending(p, 'movedOut');
    }
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
    this.bound(ev.at);
  }

  private onLeave(ev: QueueCallerLeave): void {
    const call = this.findCall(ev.uniqueid);
    const visit = call && this.openVisit(call, ev.uniqueid, ev.queue, 'waiting');
    // Normal after an abandon (the leave follows it) or an answer; otherwise an orphan.
    if (!call || !visit || this.pendingEnds.has(visit.id)) return;
    this.pendingEnds.set(visit.id, { linkedid: call.linkedid, visitId: visit.id, uniqueid: visit.uniqueid, at: ev.at, by: 'leave' });
  }

  private onAbandon(ev: QueueCallerAbandon): void {
    const call = this.findCall(ev.uniqueid);
    const visit = call && this.openVisit(call, ev.uniqueid, ev.queue, 'waiting');
    if (!call || !visit) {
      this.counters.orphans++;
      return;
    }
    // The caller is out of this queue, however it ends: no phone rings for them any more.
    this.roster.callerGone(visit.uniqueid, ev.at);
    // Asterisk sends QueueCallerAbandon for a hang-up, a timeout, an empty queue and a move
    // alike. Only this channel's own events tell: a hang-up just before (the usual order), or
    // one of the signals that resolvePending waits for.
    const pending: PendingEnd = { linkedid: call.linkedid, visitId: visit.id, uniqueid: visit.uniqueid, at: ev.at, by: 'abandon' };
    if (this.hungUpNear(pending)) this.resolvePending(pending, 'hangup');
    else this.pendingEnds.set(visit.id, pending);
  }

  /** A hang-up of the visit's channel, or of the customer's own first channel, close to the end. */
  private hungUpNear(p: PendingEnd): boolean {
    for (const id of [p.uniqueid, p.linkedid]) {
      const at = this.hungUp.get(id);
      if (at !== undefined && Math.abs(at - p.at) <= END_EVIDENCE_MS) return true;
    }
    return false;
  }

  /**
   * Decides how a visit that left unanswered ended. `evidence` is what was seen; without any
   * (its window passed, or the stream ended) a QueueCallerAbandon is a timeout — unless the
   * session cannot see hang-ups at all, then it is taken as Asterisk names it.
   */
  private resolvePending(p: PendingEnd, evidence: 'hangup' | 'movedOut' | 'none' = 'none'): void {
    this.pendingEnds.delete(p.visitId);
    const call = this.calls.get(p.linkedid) ?? this.findCall(p.linkedid);
    const visit = call?.visits.find((v) => v.id === p.visitId);
    if (!call || !visit || visit.status !== 'waiting') return;
    let outcome: VisitEnd = 'timedOut';
    if (evidence === 'movedOut') outcome = 'movedOut';
    else if (p.by === 'abandon' && (evidence === 'hangup' || this.hangupsAbsent)) {
      outcome = (p.at - visit.joinedAt) / 1000 < this.thresholds.shortAbandonSeconds ? 'shortAbandoned' : 'abandoned';
    }
    this.endVisit(call, visit, outcome, p.at);
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
      // HoldTime, so count it rather than lose an answered call. Without a usable HoldTime
      // there is nothing to count it on.
      if (ev.holdTime === null) {
        this.counters.implausible++;
        return;
      }
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
    this.pendingEnds.delete(visit.id);
    // A missing or garbage HoldTime is the visit's own wait.
    const holdSeconds = ev.holdTime ?? Math.max(0, Math.floor((ev.at - visit.joinedAt) / 1000));
    if (ev.holdTime === null) this.counters.implausible++;
    visit.status = 'answered';
    visit.answeredAt = ev.at;
    visit.holdSeconds = holdSeconds;
    visit.agent = ev.member;
    const withinTarget = holdSeconds <= this.th(ev.queue).targetSeconds;
    this.emit({
      kind: 'visitAnswered',
      queue: ev.queue,
      visitId: visit.id,
      linkedid: call!.linkedid,
      agent: ev.member,
      holdSeconds,
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
    this.roster.callerGone(ev.uniqueid, ev.at, ev.member);
    this.roster.connected(ev);
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
      // The agent's open talk in that queue (by member name, or by interface when the name differs).
      const iface = ev.interface || null;
      for (const c of this.calls.values()) {
        const v = c.visits.find((x) => x.status === 'answered' && x.queue === ev.queue && (x.agent === ev.member || (iface !== null && this.agents.get(x.agent ?? '')?.interface === iface)));
        if (v) {
          call = c;
          visit = v;
          break;
        }
      }
    }
    this.roster.completed(ev);
    if (!call || !visit) {
      this.counters.orphans++;
      return;
    }
    visit.status = 'completed';
    visit.endedAt = ev.at;
    if (ev.talkTime === null) this.counters.implausible++;
    visit.talkSeconds = ev.talkTime ?? Math.max(0, Math.floor((ev.at - (visit.answeredAt ?? ev.at)) / 1000));
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
    const agent = this.roster.ofChannel(ev.transfererChannel) ?? this.roster.ofChannel(ev.transfererUniqueid);
    this.transferSignal(call, 'event', ev.at, ev.type === 'BlindTransfer' ? 'blind' : 'attended', agent);
    this.touch(call, ev.at);
  }

  private onHangup(ev: ChannelHangup): void {
    this.hungUp.set(ev.uniqueid, ev.at);
    // A visit that just left unanswered: its caller hung up (after an abandon), or left and
    // then hung up (after a bare leave, a timeout).
    for (const p of [...this.pendingEnds.values()]) {
      if ((p.uniqueid === ev.uniqueid || p.linkedid === ev.uniqueid) && Math.abs(ev.at - p.at) <= END_EVIDENCE_MS) this.resolvePending(p, 'hangup');
    }
    if (!ev.final) return;
    const call = this.findCall(ev.uniqueid);
    if (!call) return;
    for (const p of [...this.pendingEnds.values()]) if (p.linkedid === call.linkedid && p.uniqueid === ev.uniqueid) this.resolvePending(p, 'hangup');
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
    if (!call.overTransferLimit && call.transfers.length > this.th(call.visits[0]!.queue).maxTransfers) {
      call.overTransferLimit = true;
      this.emit({ kind: 'transferLimitExceeded', queue: call.visits[0]!.queue, linkedid: call.linkedid, at });
    }
    this.markDirty(call);
  }

  private endVisit(call: CustomerCall, visit: QueueVisit, outcome: VisitEnd, at: number): void {
    this.pendingEnds.delete(visit.id);
    visit.status = outcome;
    visit.endedAt = at;
    this.roster.callerGone(visit.uniqueid, at);
    this.emit({ kind: 'visitEnded', queue: visit.queue, visitId: visit.id, linkedid: call.linkedid, outcome, at });
    // A moved caller's call goes on in the next queue, its guarantee clock still running.
    if (outcome !== 'movedOut' && call.answeredAt === null && !call.visits.some((v) => v.status === 'waiting')) {
      call.outcome = outcome === 'shortAbandoned' ? 'abandoned' : outcome;
      call.abandonedAt = outcome === 'abandoned' || outcome === 'shortAbandoned' ? at : null;
      this.checkGuarantee(call, at);
    }
    this.markDirty(call);
    this.touch(call, at);
  }

  /** The targets of a queue; a call is held to those of the queue it first entered. */
  private th(queue: string): Thresholds {
    return this.thresholdsFor?.(queue) ?? this.thresholds;
  }

  /** The guarantee: a person on the line within guaranteeSeconds of the first queue entry. */
  private checkGuarantee(call: CustomerCall, at: number): void {
    if (call.breached) return;
    const limit = call.firstJoinedAt + this.th(call.visits[0]!.queue).guaranteeSeconds * 1000;
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
    // Visits that left unanswered and whose evidence window passed with none: see resolvePending.
    for (const p of [...this.pendingEnds.values()]) if (now - p.at > END_EVIDENCE_MS) this.resolvePending(p);
    if (now < this.slowRulesAt) return;
    // Once a second of event time is enough for the slower rules.
    this.slowRulesAt = now + 1000;
    for (const call of this.calls.values()) {
      if (call.endedAt !== null) {
        if (!this.keepFinished && now - call.endedAt > FINISHED_RETENTION_MS) this.forget(call);
        continue;
      }
      // A visit whose end is pending left when its leave said (endVisit checks the guarantee at
      // that time): the seconds its evidence window runs on are not waiting.
      if (!call.breached && call.answeredAt === null && call.visits.some((v) => v.status === 'waiting' && !this.pendingEnds.has(v.id))) {
        if (now > call.firstJoinedAt + this.th(call.visits[0]!.queue).guaranteeSeconds * 1000) this.checkGuarantee(call, now);
      }
      // Nobody waits for hours: a visit still waiting that long lost its end somewhere.
      for (const v of call.visits) if (v.status === 'waiting' && now - v.joinedAt > this.maxWaitMs) this.endVisit(call, v, 'unknown', now);
      if (!this.hasOpenVisit(call) && now - (this.lastActivity.get(call.linkedid) ?? now) > IDLE_CLOSE_MS) this.finishCall(call, now);
    }
    this.roster.settle(now);
    for (const [id, at] of this.hungUp) if (now - at > 60_000) this.hungUp.delete(id);
  }

  /**
   * Keeps memory bounded whatever the switch sends (a flood of joins that never end): past
   * `maxCalls`, the oldest calls go — finished ones first, then open ones, closed as unknown.
   */
  private bound(now: number): void {
    if (this.calls.size <= this.maxCalls) return;
    // A tenth at a time, so a flood costs one pass per many joins.
    let excess = this.calls.size - Math.floor(this.maxCalls * 0.9);
    for (const pass of ['finished', 'open'] as const) {
      for (const call of this.calls.values()) {
        if (excess <= 0) return;
        if ((call.endedAt !== null) !== (pass === 'finished')) continue;
        if (pass === 'open') {
          for (const v of call.visits) if (v.status === 'waiting') this.endVisit(call, v, 'unknown', now);
          this.finishCall(call, now);
        }
        this.forget(call);
        this.counters.evicted++;
        excess--;
      }
    }
  }

  private forget(call: CustomerCall): void {
    this.calls.delete(call.linkedid);
    this.lastActivity.delete(call.linkedid);
    this.dirtyCalls.delete(call);
    for (const v of call.visits) this.pendingEnds.delete(v.id);
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

  private touch(call: CustomerCall, at: number): void {
    this.lastActivity.set(call.linkedid, at);
    this.markDirty(call);
  }

  private emit(change: Change): void {
    this.changes.push(change);
  }

  private markDirty(call: CustomerCall): void {
    if (call.endedAt === null) this.dirtyCalls.add(call);
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
