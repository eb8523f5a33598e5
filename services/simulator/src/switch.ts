/**
 * The phone switch: queues, members and calls, played the way Asterisk 22's app_queue plays
 * them in the captures of test/fixtures/ami. Callers and agents are Local channels, exactly as
 * in the lab that produced the captures:
 *
 *   caller   Local/<queue>@inbound-XXXXXXXX;1  (Linkedid of the whole call)
 *            Local/<queue>@inbound-XXXXXXXX;2  the channel that sits in the queue
 *   agent    Local/agentN@agents-XXXXXXXX;1/;2 dialled by app_queue, member interface
 *            Local/agentN@agents/n, device state from Custom:agentN (set by the agent's
 *            dialplan on answer, cleared by its hangup handler)
 *   consult  Local/<digits>@inbound-XXXXXXXX;1/;2 dialled by an agent's attended transfer
 *            (*2 + the queue's digits); the ;2 side waits in the target queue
 *
 * Every behaviour is a task on the simulated-clock scheduler; a task always re-checks state,
 * since the caller may have hung up meanwhile.
 *
 * This file queues, rings, answers and hangs up. The rest lives beside it: model.ts (the
 * objects and plans), members.ts (memberships, pauses, device states), views.ts (what the
 * manager actions read), transfers.ts (blind and attended), channels.ts (channels, bridges).
 */
import { Channels } from './channels.ts';
import type { SimClock, Scheduler } from './clock.ts';
import * as E from './events.ts';
import type { AmiEvent, ChannelSnapshot, MemberSnapshot } from './events.ts';
import * as members from './members.ts';
import { sec, secDiff, type Agent, type Call, type CallPlan, type Chan, type Consult, type Entry, type Io, type Queue, type Ring, type SwitchOptions } from './model.ts';
import type { Rng } from './rng.ts';
import { startTransfer, type TransferHost } from './transfers.ts';
import { TruthRecorder } from './truth.ts';
import * as views from './views.ts';
import type { ChannelInfo, QueueEntryInfo, QueueParamsInfo, QueueSummaryInfo } from './views.ts';

// Still importable from here, as before the split.
export type { CallPlan, SwitchOptions, TransferPlan } from './model.ts';
export type { ChannelInfo, QueueEntryInfo, QueueParamsInfo, QueueSummaryInfo } from './views.ts';

export class Switch {
  readonly truth: TruthRecorder;
  readonly queues = new Map<string, Queue>();
  readonly agents = new Map<string, Agent>();
  /** Every event raised; index.ts hands them to the AMI sessions. */
  onEvent: (e: AmiEvent) => void = () => {};

  private readonly ringTimeout: number;
  private readonly retry: number;
  private readonly serviceLevel: number;
  wrapup: number;
  readonly bootAt: number;
  private callSeq = 0;
  private activeCalls = 0;
  /** The clock and the event output, as the split-out parts of the switch see them. */
  private readonly io: Io;
  private readonly chans: Channels;
  /** What members.ts changes, and how it wakes a queue. */
  private readonly roster: members.Roster;
  /** The part of the switch transfers.ts works with. */
  private readonly forTransfers: TransferHost;

  constructor(
    opts: SwitchOptions,
    private readonly clock: SimClock,
    private readonly scheduler: Scheduler,
    private readonly rng: Rng,
    private readonly jitter: Rng,
  ) {
    this.ringTimeout = opts.ringTimeout ?? 15;
    this.retry = opts.retry ?? 5;
    this.serviceLevel = opts.serviceLevel ?? 20;
    this.wrapup = opts.wrapup ?? 0;
    this.bootAt = opts.bootAt;
    this.truth = new TruthRecorder(Object.keys(opts.queues));
    const io: Io = { now: () => this.now(), emit: (e) => this.emit(e) };
    this.io = io;
    this.chans = new Channels(io, rng);
    this.roster = { ...io, queues: this.queues, agents: this.agents, scheduleDispatch: (q) => this.scheduleDispatch(q) };
    this.forTransfers = {
      ...io,
      queues: this.queues,
      chans: this.chans,
      scheduler,
      rng,
      truth: this.truth,
      joinQueue: (call, queue, leg, legOne, consultOf) => this.joinQueue(call, queue, leg, legOne, consultOf),
      abandonEntry: (entry, why) => this.abandonEntry(entry, why),
      callerEnds: (entry) => this.callerEnds(entry),
      endOfTalk: (entry) => this.endOfTalk(entry),
      completeStats: (entry, talkTime) => this.completeStats(entry, talkTime),
      releaseAgent: (agent) => this.releaseAgent(agent),
      agentFreed: (agent) => this.agentFreed(agent),
      checkEnded: (call) => this.checkEnded(call),
    };
    let i = 0;
    for (const [name, memberNames] of Object.entries(opts.queues)) {
      i++;
      const q = this.newQueue(name, String(i * 100));
      for (const memberName of memberNames) {
        const agent = members.agentNamed(this.agents, memberName);
        agent.memberships.set(name, members.newMembership(q, false, sec(this.bootAt)));
        q.members.push(agent);
      }
      q.availState = members.anyAvailable(io, q) ? 'NOT_INUSE' : 'INUSE';
    }
  }

  // ------------------------------------------------------------------ public API

  now(): number {
    return this.clock.now();
  }

  get callsInProgress(): number {
    return this.activeCalls;
  }

  /** Starts a customer call now (an originate into the inbound context). */
  placeCall(plan: CallPlan, onEnded?: () => void): string | null {
    const queue = this.queues.get(plan.queue);
    if (!queue) throw new Error(`unknown queue ${plan.queue}`);
    const call: Call = {
      seq: this.callSeq++,
      plan,
      linkedid: '',
      startedMs: this.now(),
      chans: new Set(),
      entries: [],
      answeredLegs: 0,
      customerGone: false,
      ended: false,
      patienceTask: null,
      onEnded: onEnded ?? null,
    };
    this.activeCalls++;
    const [one, two] = this.chans.localPair(call, plan.queue, 'inbound', 'customer');
    call.linkedid = one.uniqueid;
    one.linkedid = two.linkedid = call.linkedid;
    this.emit(E.newchannel(one));
    this.emit(E.newchannel(two));
    this.chans.exten(one, 'AppDial2', '(Outgoing Line)');
    one.callerNum = plan.callerNum;
    one.callerName = plan.callerName;
    this.emit(E.newCallerid(one));
    one.connectedNum = plan.callerNum;
    one.connectedName = plan.callerName;
    this.emit(E.newConnectedLine(one));
    two.callerNum = two.connectedNum = plan.callerNum;
    two.callerName = two.connectedName = plan.callerName;
    this.emit(E.newCallerid(two));
    this.emit(E.newConnectedLine(two));
    this.emit(E.localBridge(one, two, 'inbound', plan.queue));
    this.emit(E.dialBegin(null, one, `${plan.queue}@inbound/n`));
    this.chans.exten(two, 'Answer', '');
    two.state = 6;
    this.emit(E.newstate(two));
    one.state = 6;
    this.emit(E.newstate(one));
    this.emit(E.dialEnd(null, one, 'ANSWER'));
    one.app = 'Wait';
    one.appData = '';
    this.emit(E.deviceStateChange(`Local/${plan.queue}@inbound`, 'INUSE'));
    this.emit(E.deviceStateChange(`Local/${plan.queue}@inbound`, 'INUSE'));
    if (plan.patience !== undefined) {
      call.patienceTask = this.scheduler.at(call.startedMs + plan.patience * 1000, () => this.customerHangup(call));
    }
    // The dialplan answers, then runs Queue() half a second later (as in the captures).
    this.scheduler.after(500, () => {
      if (call.customerGone || !two.alive) return;
      two.priority = 2;
      this.joinQueue(call, queue, two, one, null);
    });
    return call.linkedid;
  }

  // ------------------------------------------------------------------ member changes (members.ts)

  /** QueuePause: pauses or unpauses a member in one queue or in all its queues. */
  pause(agentName: string, paused: boolean, reason = '', queueName?: string): boolean {
    return members.pause(this.roster, agentName, paused, reason, queueName);
  }

  /** QueueAdd: a dynamic member logs in to a queue. */
  addMember(queueName: string, agentName: string, opts: { paused?: boolean; reason?: string; penalty?: number } = {}): boolean {
    return members.addMember(this.roster, queueName, agentName, opts);
  }

  /** QueueRemove: a member logs out of a queue. */
  removeMember(queueName: string, agentName: string): boolean {
    return members.removeMember(this.roster, queueName, agentName);
  }

  /** The agent's phone goes away (Status 5) or comes back (Status 1); only when idle. */
  setUnavailable(agentName: string, unavailable: boolean): boolean {
    return members.setUnavailable(this.roster, agentName, unavailable);
  }

  // ------------------------------------------------------------------ views (views.ts)

  isPaused(agentName: string): boolean {
    return views.isPaused(this.agents, agentName);
  }

  /** True when the agent is not ringing, talking or consulting. */
  isIdle(agentName: string): boolean {
    return views.isIdle(this.agents, agentName);
  }

  agentByInterface(iface: string): string | undefined {
    return views.agentByInterface(this.agents, iface);
  }

  isMember(queueName: string, agentName: string): boolean {
    return views.isMember(this.agents, queueName, agentName);
  }

  waiting(queueName: string): number {
    return views.waiting(this.queues, queueName);
  }

  queueParams(queueName: string): QueueParamsInfo | null {
    return views.queueParams(this.queues, queueName, this.serviceLevel);
  }

  queueMembers(queueName: string): MemberSnapshot[] {
    return views.queueMembers(this.queues, queueName);
  }

  queueEntries(queueName: string): QueueEntryInfo[] {
    return views.queueEntries(this.queues, queueName, this.io.now);
  }

  queueSummary(queueName: string): QueueSummaryInfo | null {
    return views.queueSummary(this.queues, queueName, this.io.now);
  }

  channels(): ChannelInfo[] {
    return views.channelList(this.chans.live, this.io.now);
  }

  // ------------------------------------------------------------------ queue entry

  private joinQueue(call: Call, queue: Queue, leg: Chan, legOne: Chan, consultOf: Consult | null): void {
    const timeout = consultOf ? undefined : call.plan.timeoutFor(queue.name);
    leg.exten = queue.name;
    this.chans.exten(leg, 'Queue', timeout ? `${queue.name},t,,,${timeout}` : `${queue.name},t`);
    for (const v of ['ANSWEREDTIME', 'ANSWEREDTIME_MS', 'DIALEDTIME', 'DIALEDTIME_MS', 'QUEUEWAIT', 'QUEUEWAIT_MS']) {
      this.emit(E.varSet(leg, v, ''));
    }
    const entry: Entry = {
      call,
      queue,
      leg,
      legOne,
      joinedMs: this.now(),
      pos: queue.entries.length + 1,
      opos: queue.entries.length + 1,
      state: 'waiting',
      customerFacing: !consultOf || consultOf.completed,
      consultOf,
      ring: null,
      attempts: 0,
      retryUntil: 0,
      timeoutTask: null,
      agent: null,
      agentOne: null,
      agentTwo: null,
      bridge: null,
      connectedMs: 0,
      holdTime: 0,
      legIndex: -1,
      talkTask: null,
      consult: null,
    };
    if (consultOf) consultOf.entry = entry;
    queue.entries.push(entry);
    call.entries.push(entry);
    members.refreshQueueDevices(this.io, queue);
    this.emit(E.queueCallerJoin(leg, queue.name, entry.pos, queue.entries.length));
    this.truth.join(call.linkedid, leg.uniqueid, queue.name, this.clock.lastStampMs());
    if (timeout !== undefined) entry.timeoutTask = this.scheduler.after(timeout * 1000, () => this.timeoutEntry(entry));
    const behind = queue.entries.some((e) => e !== entry && (e.state === 'waiting' || e.state === 'ringing'));
    const patience = entry.customerFacing ? call.plan.queuePatience?.(call.entries.length - 1) : undefined;
    if (patience !== undefined && (timeout === undefined || patience < timeout)) {
      this.scheduler.after(patience * 1000, () => {
        if (entry.state === 'waiting' || entry.state === 'ringing') this.customerHangup(call);
      });
    }
    // app_queue rings at once for a caller at the head; one behind another caller still in the
    // queue waits for its next once-a-second turn check (warm-transfers.ami: HoldTime 2, not 1).
    if (behind) this.scheduleDispatch(queue);
    else this.dispatch(queue);
  }

  /** Rings members for the waiting callers, head of the queue first (autofill, rrmemory). */
  private dispatch(queue: Queue): void {
    if (queue.dispatchTask) {
      this.scheduler.cancel(queue.dispatchTask);
      queue.dispatchTask = null;
      queue.dispatchAt = Infinity;
    }
    const now = this.now();
    let nextRetry = Infinity;
    for (const entry of [...queue.entries]) {
      if (entry.state !== 'waiting') continue;
      if (entry.retryUntil > now) {
        nextRetry = Math.min(nextRetry, entry.retryUntil);
        continue;
      }
      const agent = this.pickMember(queue);
      if (!agent) break;
      this.ring(entry, agent);
    }
    if (nextRetry < Infinity) this.dispatchAtTime(queue, nextRetry);
  }

  /**
   * A member became free: the waiting caller notices on its next once-a-second check
   * (app_queue's wait_our_turn loop), so not at the same instant.
   */
  private scheduleDispatch(queue: Queue): void {
    const now = this.now();
    let at = Infinity;
    for (const e of queue.entries) {
      if (e.state !== 'waiting') continue;
      const tick = e.joinedMs + Math.ceil((now - e.joinedMs + 1) / 1000) * 1000;
      at = Math.min(at, Math.max(tick, e.retryUntil));
    }
    if (at < Infinity) this.dispatchAtTime(queue, at);
  }

  private dispatchAtTime(queue: Queue, at: number): void {
    if (queue.dispatchTask && queue.dispatchAt <= at) return;
    this.scheduler.cancel(queue.dispatchTask);
    queue.dispatchAt = at;
    queue.dispatchTask = this.scheduler.at(at, () => {
      queue.dispatchTask = null;
      queue.dispatchAt = Infinity;
      this.dispatch(queue);
    });
  }

  /** rrmemory: start after the member rung last, take the first one available. */
  private pickMember(queue: Queue): Agent | null {
    const n = queue.members.length;
    for (let i = 0; i < n; i++) {
      const idx = (queue.rrpos + i) % n;
      const agent = queue.members[idx]!;
      if (members.available(this.io, agent, queue)) {
        queue.rrpos = (idx + 1) % n;
        return agent;
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ ringing

  private ring(entry: Entry, agent: Agent): void {
    const { call, leg, queue } = entry;
    entry.state = 'ringing';
    const attempt = entry.attempts++;
    const [one, two] = this.chans.localPair(call, agent.name, 'agents', 'agent');
    this.emit(E.newchannel(one));
    this.emit(E.newchannel(two));
    this.chans.exten(one, 'AppQueue', '(Outgoing Line)');
    // The member channel takes the caller's id; dialled for a consult leg (Local/<digits>), it
    // shows the queue name instead (warm-transfers.ami).
    const idNum = entry.consultOf ? queue.name : leg.callerNum;
    const idName = entry.consultOf ? '<unknown>' : leg.callerName;
    one.callerNum = idNum;
    one.callerName = idName;
    this.emit(E.newCallerid(one));
    this.emit(E.varSet(one, 'DIALEDPEERNUMBER', `${agent.name}@agents/n`));
    this.emit(E.varSet(two, 'DIALEDPEERNUMBER', `${agent.name}@agents/n`));
    two.callerNum = idNum;
    two.callerName = idName;
    two.connectedNum = leg.callerNum;
    two.connectedName = leg.callerName;
    this.emit(E.newCallerid(two));
    this.emit(E.newConnectedLine(two));
    this.emit(E.localBridge(one, two, 'agents', agent.name));
    // app_queue snapshots the member channel after it set the queue as its extension.
    this.emit(E.agentCalled(leg, this.agentView(one, leg, queue), queue.name, agent.iface, agent.name));
    this.emit(E.dialBegin(leg, one, `Local/${agent.name}@agents/n`));
    one.exten = queue.name;
    one.connectedNum = leg.callerNum;
    one.connectedName = leg.callerName;
    const handler = `agent-free,s,1(${agent.name})`;
    this.chans.exten(two, 'Set', `CHANNEL(hangup_handler_push)=${handler}`);
    this.emit(E.hangupHandlerPush(two, handler));
    const ringSeconds = Math.max(0, call.plan.ringFor(agent.name, attempt));
    this.chans.exten(two, 'Wait', String(Math.round(ringSeconds)));
    const ring: Ring = { entry, agent, one, two, startedMs: this.now(), task: null };
    agent.ringing = ring;
    entry.ring = ring;
    const limitMs = this.ringTimeout * 1000;
    // The agent's dialplan answers after its Wait(); app_queue notices a few ms later.
    if (ringSeconds * 1000 < limitMs) ring.task = this.scheduler.after(ringSeconds * 1000 + this.jitter.float(0.8, 3), () => this.answer(ring));
    else ring.task = this.scheduler.after(limitMs, () => this.ringNoAnswer(ring, limitMs + this.jitter.int(0, 9)));
    members.refreshAgentQueues(this.io, agent);
  }

  /** The member's channel as app_queue snapshots it: extension = queue, connected = caller. */
  private agentView(one: Chan, leg: Chan, queue: Queue): ChannelSnapshot {
    return { ...one, exten: queue.name, connectedNum: leg.callerNum, connectedName: leg.callerName };
  }

  private answer(ring: Ring): void {
    const { entry, agent, one, two } = ring;
    if (entry.ring !== ring || entry.state !== 'ringing') return;
    const { call, leg, queue } = entry;
    agent.ringing = null;
    entry.ring = null;
    this.chans.exten(two, 'Set', `DEVICE_STATE(Custom:${agent.name})=INUSE`);
    members.setDevice(this.io, agent, 2);
    members.emitMemberStatus(this.io, agent);
    members.refreshAgentQueues(this.io, agent);
    this.chans.exten(two, 'Answer', '');
    two.state = 6;
    this.emit(E.newstate(two));
    one.state = 6;
    this.emit(E.newstate(one));
    this.emit(E.dialEnd(leg, one, 'ANSWER'));
    this.emit(E.deviceStateChange(`Local/${agent.name}@agents`, 'INUSE'));
    const { pos, count } = this.removeEntry(entry);
    members.refreshQueueDevices(this.io, queue);
    this.emit(E.queueCallerLeave(leg, queue.name, pos, count));
    const now = this.now();
    const holdTime = secDiff(entry.joinedMs, now);
    this.emit(E.varSet(leg, 'QUEUEPOSITION', String(pos)));
    this.emit(E.varSet(leg, 'QUEUEWAIT', String(holdTime)));
    this.emit(E.varSet(leg, 'QUEUEWAIT_MS', String(holdTime * 1000)));
    this.emit(E.agentConnect(leg, one, queue.name, agent.iface, agent.name, holdTime, secDiff(ring.startedMs, now)));
    // recalc_holdtime(): a running average weighted 3:1 towards the old value.
    queue.holdtime = ((queue.holdtime << 2) - queue.holdtime + holdTime) >> 2;
    this.truth.answer(call.linkedid, queue.name, agent.name, holdTime, this.clock.lastStampMs());
    const bridge = this.chans.newBridge();
    this.emit(E.bridgeCreate(bridge));
    this.chans.enterBridge(bridge, one);
    this.chans.enterBridge(bridge, leg);
    this.emit(E.varSet(one, 'BRIDGEPEER', leg.name));
    this.emit(E.varSet(leg, 'BRIDGEPEER', one.name));
    this.emit(E.deviceStateChange(`Local/${agent.name}@agents`, 'INUSE'));
    this.scheduler.cancel(entry.timeoutTask);
    entry.timeoutTask = null;
    entry.state = 'connected';
    entry.agent = agent;
    entry.agentOne = one;
    entry.agentTwo = two;
    entry.bridge = bridge;
    entry.connectedMs = now;
    entry.holdTime = holdTime;
    entry.legIndex = call.answeredLegs++;
    agent.entry = entry;
    const transfer = call.plan.transfers[entry.legIndex];
    const talk = call.plan.talkFor(entry.legIndex);
    this.scheduler.after(500, () => {
      if (two.alive && entry.state === 'connected') this.chans.exten(two, 'Wait', String(Math.round(transfer ? transfer.after : talk)));
    });
    if (transfer && this.queues.has(transfer.to)) {
      entry.talkTask = this.scheduler.after(transfer.after * 1000, () => startTransfer(this.forTransfers, entry, transfer));
    } else {
      // The agent's dialplan starts its Wait(talk) half a second after the answer.
      entry.talkTask = this.scheduler.after(talk * 1000 + 500, () => this.endOfTalk(entry));
    }
  }

  private ringNoAnswer(ring: Ring, ringMs: number): void {
    const { entry, agent } = ring;
    if (entry.ring !== ring || entry.state !== 'ringing') return;
    this.stopRinging(ring, 'NOANSWER', ringMs);
    entry.state = 'waiting';
    entry.retryUntil = this.now() + this.retry * 1000;
    this.dispatchAtTime(entry.queue, entry.retryUntil);
    for (const m of agent.memberships.values()) {
      members.refreshQueueDevices(this.io, m.queue);
      if (m.queue !== entry.queue) this.scheduleDispatch(m.queue);
    }
  }

  /** Ends a ring attempt: NOANSWER (ring timeout, with AgentRingNoAnswer) or CANCEL (caller gone). */
  private stopRinging(ring: Ring, status: 'NOANSWER' | 'CANCEL', ringMs: number): void {
    const { entry, agent, one, two } = ring;
    const { leg, queue } = entry;
    this.scheduler.cancel(ring.task);
    agent.ringing = null;
    entry.ring = null;
    if (status === 'NOANSWER') {
      this.emit(E.agentRingNoAnswer(leg, this.agentView(one, leg, queue), queue.name, agent.iface, agent.name, Math.round(ringMs)));
    }
    this.emit(E.dialEnd(leg, one, status));
    this.chans.kill(one, status === 'CANCEL' ? 0 : 16);
    this.emit(E.softHangupRequest(two, 16));
    const handler = `agent-free,s,1(${agent.name})`;
    this.emit(E.hangupHandlerRun(two, handler));
    this.chans.exten(two, 'Set', `DEVICE_STATE(Custom:${agent.name})=NOT_INUSE`);
    this.chans.kill(two, 16);
  }

  // ------------------------------------------------------------------ unanswered endings

  private timeoutEntry(entry: Entry): void {
    if (entry.state !== 'waiting' && entry.state !== 'ringing') return;
    this.abandonEntry(entry, 'timeout');
  }

  /**
   * The entry leaves the queue unanswered. `caller`: the caller hung up (the ;1 side first,
   * as in the captures). `timeout`: app_queue's timeout: record_abandoned() raises
   * QueueCallerAbandon, leave_queue() QueueCallerLeave, then the caller goes on in the dialplan.
   */
  private abandonEntry(entry: Entry, why: 'caller' | 'timeout'): void {
    const { call, leg, legOne, queue } = entry;
    const now = this.now();
    if (entry.ring) {
      if (why === 'timeout') this.stopRinging(entry.ring, 'NOANSWER', now - entry.ring.startedMs);
      else this.stopRinging(entry.ring, 'CANCEL', 0);
    }
    const holdTime = secDiff(entry.joinedMs, now);
    if (why === 'caller') {
      this.emit(E.hangupRequest(leg, 0));
      if (legOne.alive) this.chans.kill(legOne, 0);
      this.emit(E.varSet(leg, 'QUEUEWAIT', String(holdTime)));
      this.emit(E.varSet(leg, 'QUEUEWAIT_MS', String(holdTime * 1000)));
      this.emit(E.varSet(leg, 'DIALEDTIME', String(Math.floor((now - leg.createdMs) / 1000))));
      this.emit(E.varSet(leg, 'DIALEDTIME_MS', String(Math.round(now - leg.createdMs))));
      this.emit(E.varSet(leg, 'ANSWEREDTIME', '0'));
      this.emit(E.varSet(leg, 'ANSWEREDTIME_MS', '0'));
      this.emit(E.varSet(leg, 'ABANDONED', 'TRUE'));
    }
    this.emit(E.queueCallerAbandon(leg, queue.name, entry.pos, entry.opos, holdTime));
    queue.abandoned++;
    if (holdTime <= this.serviceLevel) queue.abandonedInSl++;
    this.truth.abandon(call.linkedid, leg.uniqueid, queue.name, holdTime, this.clock.lastStampMs(), why === 'timeout');
    const { pos, count } = this.removeEntry(entry);
    this.emit(E.queueCallerLeave(leg, queue.name, pos, count));
    members.refreshQueueDevices(this.io, queue);
    this.emit(E.varSet(leg, 'QUEUEPOSITION', String(pos)));
    this.scheduler.cancel(entry.timeoutTask);
    entry.timeoutTask = null;
    entry.state = 'done';
    if (why === 'caller') {
      this.emit(E.softHangupRequest(leg, 16));
      this.chans.kill(leg, 0);
      this.checkEnded(call);
    } else {
      this.emit(E.varSet(leg, 'QUEUESTATUS', 'TIMEOUT'));
      // The dialplan goes on: an announcement (call back later / leave a message), then hangup.
      leg.priority = 3;
      this.chans.exten(leg, 'Playback', 'gemeente/terugbelverzoek');
      const after = (call.plan.afterTimeoutSeconds ?? 8) * 1000;
      this.scheduler.after(after, () => {
        if (!leg.alive) return;
        leg.priority = 4;
        this.chans.exten(leg, 'Hangup', '');
        this.hangupCustomer(call, 16);
      });
    }
  }

  // ------------------------------------------------------------------ conversation endings

  private endOfTalk(entry: Entry): void {
    if (entry.state !== 'connected') return;
    const by = entry.call.plan.endBy(entry.legIndex);
    if (by === 'caller' && entry.customerFacing) this.customerHangup(entry.call);
    else this.agentHangup(entry);
  }

  /** The agent hangs up: AgentComplete Reason agent, and the caller's side is hung up too. */
  private agentHangup(entry: Entry): void {
    const { call, leg, legOne, queue } = entry;
    const agent = entry.agent!;
    const one = entry.agentOne!;
    const two = entry.agentTwo!;
    const bridge = entry.bridge!;
    entry.state = 'done';
    this.scheduler.cancel(entry.talkTask);
    two.priority = 3;
    this.chans.exten(two, 'Hangup', '');
    this.emit(E.softHangupRequest(two, 16));
    members.runHangupHandler(this.io, this.chans, agent, two);
    this.emit(E.hangupRequest(one, 16));
    this.chans.kill(two, 16);
    this.emit(E.varSet(one, 'BRIDGEPEER', ''));
    this.emit(E.varSet(leg, 'BRIDGEPEER', ''));
    this.chans.leaveBridge(bridge, one);
    this.chans.kill(one, 16);
    this.chans.leaveBridge(bridge, leg);
    const now = this.now();
    const talkTime = secDiff(entry.connectedMs, now);
    this.completeStats(entry, talkTime);
    this.releaseAgent(agent);
    members.emitMemberStatus(this.io, agent);
    members.refreshAgentQueues(this.io, agent);
    this.answeredTimeVars(leg, entry, now);
    this.emit(E.softHangupRequest(leg, 16));
    this.emit(E.deviceStateChange(`Local/${agent.name}@agents`, 'NOT_INUSE'));
    this.emit(E.deviceStateChange(`Local/${agent.name}@agents`, 'NOT_INUSE'));
    if (legOne.alive) this.emit(E.hangupRequest(legOne, 16));
    // The agent's channel is gone by now; Asterisk sometimes has dropped its snapshot and sends
    // AgentComplete without the Dest* block (2 of 8 agent hangups in quiet-morning.ami).
    const withAgent = !this.rng.chance(0.2);
    this.emit(E.agentComplete(leg, withAgent ? one : null, queue.name, agent.iface, agent.name, entry.holdTime, talkTime, 'agent'));
    this.chans.kill(legOne, 16);
    this.chans.kill(leg, 16);
    if (entry.customerFacing) {
      // The whole call goes down with the agent's hangup (no `g` option on Queue()).
      call.customerGone = true;
      this.scheduler.cancel(call.patienceTask);
      this.hangupCustomer(call, 16);
    } else {
      // A consult leg whose transfer is not complete: only the consultation ends.
      this.checkEnded(call);
    }
    this.agentFreed(agent);
  }

  /**
   * The caller hangs up (patience over, or the caller ends the conversation). Every entry that
   * faces the customer ends: waiting ones abandon, answered ones complete with Reason caller.
   * A consultation in progress stays up until its agent hangs up (warm-transfers.ami).
   */
  customerHangup(call: Call): void {
    if (call.ended || call.customerGone) return;
    call.customerGone = true;
    this.scheduler.cancel(call.patienceTask);
    for (const entry of [...call.entries]) {
      if (!entry.customerFacing) continue;
      if (entry.state === 'waiting' || entry.state === 'ringing') this.abandonEntry(entry, 'caller');
      else if (entry.state === 'connected') this.callerEnds(entry);
      else if (entry.state === 'consulting') this.callerEndsDuringConsult(entry);
    }
    this.hangupCustomer(call, 16);
  }

  /** The caller's side hangs up on an answered entry: AgentComplete Reason caller. */
  private callerEnds(entry: Entry): void {
    const { call, leg, legOne, queue } = entry;
    const agent = entry.agent!;
    const one = entry.agentOne!;
    const two = entry.agentTwo!;
    const bridge = entry.bridge!;
    entry.state = 'done';
    this.scheduler.cancel(entry.talkTask);
    const now = this.now();
    const talkTime = secDiff(entry.connectedMs, now);
    this.emit(E.hangupRequest(leg, 0));
    this.emit(E.agentComplete(leg, one, queue.name, agent.iface, agent.name, entry.holdTime, talkTime, 'caller'));
    this.completeStats(entry, talkTime);
    this.emit(E.varSet(leg, 'BRIDGEPEER', ''));
    if (legOne.alive) this.chans.kill(legOne, 0);
    this.chans.leaveBridge(bridge, leg);
    this.answeredTimeVars(leg, entry, now);
    this.emit(E.softHangupRequest(leg, 16));
    this.chans.kill(leg, 16);
    // The bridge breaks up: the agent's channels are hung up, its hangup handler frees it.
    this.emit(E.varSet(one, 'BRIDGEPEER', ''));
    this.chans.leaveBridge(bridge, one);
    this.emit(E.hangupRequest(one, 16));
    this.emit(E.softHangupRequest(two, 16));
    members.runHangupHandler(this.io, this.chans, agent, two);
    this.releaseAgent(agent);
    members.emitMemberStatus(this.io, agent);
    members.refreshAgentQueues(this.io, agent);
    this.chans.kill(two, 16);
    this.chans.kill(one, 16);
    this.emit(E.deviceStateChange(`Local/${agent.name}@agents`, 'NOT_INUSE'));
    this.agentFreed(agent);
    if (!entry.customerFacing) this.checkEnded(call);
  }

  /** The caller hangs up while its agent consults: the agent stays in the consultation. */
  private callerEndsDuringConsult(entry: Entry): void {
    const { leg, legOne, queue } = entry;
    const agent = entry.agent!;
    const one = entry.agentOne!;
    const consult = entry.consult!;
    entry.state = 'done';
    consult.orphaned = true;
    const now = this.now();
    const talkTime = secDiff(entry.connectedMs, now);
    this.emit(E.hangupRequest(leg, 0));
    this.emit(E.agentComplete(leg, one, queue.name, agent.iface, agent.name, entry.holdTime, talkTime, 'caller'));
    this.completeStats(entry, talkTime);
    this.emit(E.varSet(leg, 'BRIDGEPEER', ''));
    if (legOne.alive) this.chans.kill(legOne, 0);
    if (entry.bridge) this.chans.leaveBridge(entry.bridge, leg);
    this.answeredTimeVars(leg, entry, now);
    this.emit(E.softHangupRequest(leg, 16));
    this.chans.kill(leg, 16);
  }

  // ------------------------------------------------------------------ agents and stats after a call

  /** update_queue(): counts the call for the queue and the member when it completes. */
  private completeStats(entry: Entry, talkTime: number): void {
    const q = entry.queue;
    const agent = entry.agent!;
    q.completed++;
    if (entry.holdTime <= this.serviceLevel) q.completedInSl++;
    q.talktime = ((q.talktime << 2) - q.talktime + talkTime) >> 2;
    const m = agent.memberships.get(q.name);
    if (m) {
      m.callsTaken++;
      m.lastCall = sec(this.now());
    }
  }

  private releaseAgent(agent: Agent): void {
    agent.entry = null;
    agent.wrapupUntil = this.now() + this.wrapup * 1000;
  }

  /** A member is free again: waiting callers notice, after the wrap-up time if any. */
  private agentFreed(agent: Agent): void {
    const wait = agent.wrapupUntil - this.now();
    const go = () => {
      for (const m of agent.memberships.values()) {
        members.refreshQueueDevices(this.io, m.queue);
        this.scheduleDispatch(m.queue);
      }
    };
    if (wait > 0) this.scheduler.after(wait, go);
    else go();
  }

  private removeEntry(entry: Entry): { pos: number; count: number } {
    const q = entry.queue;
    const idx = q.entries.indexOf(entry);
    const pos = idx >= 0 ? idx + 1 : entry.pos;
    if (idx >= 0) q.entries.splice(idx, 1);
    q.entries.forEach((e, i) => (e.pos = i + 1));
    return { pos, count: q.entries.length };
  }

  private answeredTimeVars(leg: Chan, entry: Entry, now: number): void {
    this.emit(E.varSet(leg, 'ANSWEREDTIME', String(Math.floor((now - entry.connectedMs) / 1000))));
    this.emit(E.varSet(leg, 'ANSWEREDTIME_MS', String(Math.round(now - entry.connectedMs))));
    this.emit(E.varSet(leg, 'DIALEDTIME', String(Math.floor((now - entry.joinedMs) / 1000))));
    this.emit(E.varSet(leg, 'DIALEDTIME_MS', String(Math.round(now - entry.joinedMs))));
  }

  /** Hangs up the customer's remaining channels (the ;2 sides first, as Asterisk does). */
  private hangupCustomer(call: Call, cause: number): void {
    const rest = [...call.chans].filter((c) => c.role === 'customer');
    rest.sort((a, b) => (a.name.endsWith(';2') ? 0 : 1) - (b.name.endsWith(';2') ? 0 : 1));
    for (const c of rest) {
      if (!c.alive) continue;
      if (c.name.endsWith(';2')) this.emit(E.softHangupRequest(c, cause));
      else this.emit(E.hangupRequest(c, cause));
      this.chans.kill(c, cause);
    }
    this.checkEnded(call);
  }

  /** A call has ended when none of its channels is left; checked after the current burst. */
  private checkEnded(call: Call): void {
    this.scheduler.after(0, () => {
      if (call.ended || call.chans.size > 0) return;
      if (call.entries.some((e) => e.state !== 'done')) return;
      call.ended = true;
      this.activeCalls--;
      this.scheduler.cancel(call.patienceTask);
      this.emit(E.deviceStateChange(`Local/${call.plan.queue}@inbound`, 'NOT_INUSE'));
      call.onEnded?.();
    });
  }

  // ------------------------------------------------------------------ setup helpers

  private newQueue(name: string, digits: string): Queue {
    const q: Queue = {
      name,
      digits,
      members: [],
      entries: [],
      rrpos: 0,
      holdtime: 0,
      talktime: 0,
      completed: 0,
      completedInSl: 0,
      abandoned: 0,
      abandonedInSl: 0,
      dispatchAt: Infinity,
      dispatchTask: null,
      deviceState: 'NOT_INUSE',
      availState: 'INUSE',
    };
    this.queues.set(name, q);
    return q;
  }

  private emit(e: AmiEvent): void {
    e.us = this.clock.stampUs(this.jitter.int(3, 40));
    this.onEvent(e);
  }
}