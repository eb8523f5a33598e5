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
 */
import type { SimClock, Scheduler, Task } from './clock.ts';
import * as E from './events.ts';
import type { AmiEvent, BridgeSnapshot, ChannelSnapshot, MemberSnapshot } from './events.ts';
import type { Rng } from './rng.ts';
import { TruthRecorder } from './truth.ts';

export interface TransferPlan {
  kind: 'blind' | 'attended';
  to: string;
  /** Seconds of talk before the agent starts the transfer. */
  after: number;
  /** Attended: seconds from pressing *2 until the agent hangs up to complete it. */
  consult: number;
}

/** What one customer call will do; made by traffic.ts. */
export interface CallPlan {
  queue: string;
  callerNum: string;
  callerName: string;
  /** Seconds until `agent` answers this call's ring; >= the ring timeout means it rings out. */
  ringFor(agent: string, attempt: number): number;
  /** Seconds of conversation of the n-th answered leg (0-based). */
  talkFor(leg: number): number;
  /** Who ends the n-th leg's conversation when its talk is over. */
  endBy(leg: number): 'agent' | 'caller';
  /** The caller hangs up this many seconds after the call started, whatever state it is in. */
  patience?: number;
  /** The caller hangs up after waiting this many seconds in one queue entry (undefined: never). */
  queuePatience?(entryIndex: number): number | undefined;
  /** Queue() timeout in seconds for an entry into `queue` (undefined: none). */
  timeoutFor(queue: string): number | undefined;
  /** transfers[n] is made by the agent of the n-th answered leg. */
  transfers: TransferPlan[];
  /** Seconds of dialplan (announcement) after a queue timeout before the call hangs up. */
  afterTimeoutSeconds?: number;
}

export interface SwitchOptions {
  queues: Record<string, string[]>;
  /** Member ring timeout (queues.conf `timeout`). */
  ringTimeout?: number;
  /** Pause between ring attempts (queues.conf `retry`). */
  retry?: number;
  /** queues.conf `servicelevel`. */
  serviceLevel?: number;
  /** queues.conf `wrapuptime`: seconds after a call before a member is rung again. */
  wrapup?: number;
  /** When Asterisk booted (ms): FullyBooted Uptime and members' LoginTime. */
  bootAt: number;
}

type Role = 'customer' | 'agent' | 'consult';

interface Chan extends ChannelSnapshot {
  role: Role;
  call: Call;
  createdMs: number;
  app: string;
  appData: string;
  bridge: Bridge | null;
  alive: boolean;
}

interface Bridge extends BridgeSnapshot {
  chans: Set<Chan>;
}

interface Membership {
  queue: Queue;
  dynamic: boolean;
  penalty: number;
  callsTaken: number;
  lastCall: number;
  lastPause: number;
  loginTime: number;
  paused: boolean;
  pausedReason: string;
}

interface Agent {
  name: string;
  iface: string;
  stateInterface: string;
  /** AST_DEVICE_* of Custom:agentN: 1 not in use, 2 in use, 5 unavailable. */
  device: number;
  ringing: Ring | null;
  /** The queue entry the agent is talking to (or consulting for). */
  entry: Entry | null;
  wrapupUntil: number;
  memberships: Map<string, Membership>;
}

interface Queue {
  name: string;
  /** Extension that reaches this queue from an attended transfer (100, 200, ...). */
  digits: string;
  members: Agent[];
  entries: Entry[];
  rrpos: number;
  holdtime: number;
  talktime: number;
  completed: number;
  completedInSl: number;
  abandoned: number;
  abandonedInSl: number;
  dispatchAt: number;
  dispatchTask: Task | null;
  deviceState: string;
  availState: string;
}

type EntryState = 'waiting' | 'ringing' | 'connected' | 'consulting' | 'done';

interface Entry {
  call: Call;
  queue: Queue;
  leg: Chan;
  legOne: Chan;
  joinedMs: number;
  pos: number;
  opos: number;
  state: EntryState;
  /** Original entries, and consult legs once their attended transfer completed. */
  customerFacing: boolean;
  consultOf: Consult | null;
  ring: Ring | null;
  attempts: number;
  retryUntil: number;
  timeoutTask: Task | null;
  agent: Agent | null;
  agentOne: Chan | null;
  agentTwo: Chan | null;
  bridge: Bridge | null;
  connectedMs: number;
  holdTime: number;
  legIndex: number;
  talkTask: Task | null;
  consult: Consult | null;
}

interface Ring {
  entry: Entry;
  agent: Agent;
  one: Chan;
  two: Chan;
  startedMs: number;
  task: Task | null;
}

interface Consult {
  from: Entry;
  agent: Agent;
  to: Queue;
  one: Chan | null;
  two: Chan | null;
  bridge: Bridge | null;
  entry: Entry | null;
  orphaned: boolean;
  done: boolean;
  completed: boolean;
}

interface Call {
  seq: number;
  plan: CallPlan;
  linkedid: string;
  startedMs: number;
  chans: Set<Chan>;
  entries: Entry[];
  answeredLegs: number;
  customerGone: boolean;
  ended: boolean;
  patienceTask: Task | null;
  onEnded: (() => void) | null;
}

export interface QueueParamsInfo {
  queue: string;
  max: number;
  strategy: string;
  calls: number;
  holdtime: number;
  talktime: number;
  completed: number;
  abandoned: number;
  serviceLevel: number;
  serviceLevelPerf: string;
  serviceLevelPerf2: string;
  weight: number;
}

export interface QueueEntryInfo {
  queue: string;
  position: number;
  channel: ChannelSnapshot;
  wait: number;
}

export interface ChannelInfo {
  channel: ChannelSnapshot;
  application: string;
  applicationData: string;
  duration: string;
  bridgeId: string;
}

export interface QueueSummaryInfo {
  queue: string;
  loggedIn: number;
  available: number;
  callers: number;
  holdTime: number;
  talkTime: number;
  longestHoldTime: number;
}

const sec = (ms: number) => Math.floor(ms / 1000);
/** Asterisk's durations are differences of time(NULL) values: whole epoch seconds. */
const secDiff = (fromMs: number, toMs: number) => Math.max(0, sec(toMs) - sec(fromMs));

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
  private readonly liveChans = new Set<Chan>();
  private localSeq = 0;
  private uniqueSeq = 0;
  private callSeq = 0;
  private activeCalls = 0;

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
    let i = 0;
    for (const [name, members] of Object.entries(opts.queues)) {
      i++;
      const q = this.newQueue(name, String(i * 100));
      for (const memberName of members) {
        const agent = this.agentNamed(memberName);
        agent.memberships.set(name, this.newMembership(q, false, sec(this.bootAt)));
        q.members.push(agent);
      }
      q.availState = this.anyAvailable(q) ? 'NOT_INUSE' : 'INUSE';
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
    const [one, two] = this.localPair(call, plan.queue, 'inbound', 'customer');
    call.linkedid = one.uniqueid;
    one.linkedid = two.linkedid = call.linkedid;
    this.emit(E.newchannel(one));
    this.emit(E.newchannel(two));
    this.exten(one, 'AppDial2', '(Outgoing Line)');
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
    this.exten(two, 'Answer', '');
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

  /** QueuePause: pauses or unpauses a member in one queue or in all its queues. */
  pause(agentName: string, paused: boolean, reason = '', queueName?: string): boolean {
    const agent = this.agents.get(agentName);
    if (!agent) return false;
    let found = false;
    for (const m of agent.memberships.values()) {
      if (queueName && m.queue.name !== queueName) continue;
      found = true;
      this.emit(E.deviceStateChange(`Queue:${m.queue.name}_pause_${agent.iface}`, paused ? 'INUSE' : 'NOT_INUSE'));
      m.paused = paused;
      m.pausedReason = paused ? reason : '';
      if (paused) m.lastPause = sec(this.now());
      this.emit(E.queueMemberPause(this.memberSnapshot(agent, m)));
      this.refreshQueueDevices(m.queue);
      if (!paused) this.scheduleDispatch(m.queue);
    }
    return found;
  }

  isPaused(agentName: string): boolean {
    const agent = this.agents.get(agentName);
    return !!agent && [...agent.memberships.values()].some((m) => m.paused);
  }

  /** True when the agent is not ringing, talking or consulting. */
  isIdle(agentName: string): boolean {
    const a = this.agents.get(agentName);
    return !!a && !a.ringing && !a.entry && a.device === 1;
  }

  agentByInterface(iface: string): string | undefined {
    for (const a of this.agents.values()) if (a.iface.toLowerCase() === iface.toLowerCase()) return a.name;
    return undefined;
  }

  /** QueueAdd: a dynamic member logs in to a queue. */
  addMember(queueName: string, agentName: string, opts: { paused?: boolean; reason?: string; penalty?: number } = {}): boolean {
    const q = this.queues.get(queueName);
    if (!q) return false;
    const agent = this.agentNamed(agentName);
    if (agent.memberships.has(queueName)) return false;
    const m = this.newMembership(q, true, sec(this.now()));
    m.paused = !!opts.paused;
    m.pausedReason = opts.paused ? (opts.reason ?? '') : '';
    m.penalty = opts.penalty ?? 0;
    agent.memberships.set(queueName, m);
    q.members.push(agent);
    this.emit(E.queueMemberAdded(this.memberSnapshot(agent, m)));
    this.refreshQueueDevices(q);
    this.scheduleDispatch(q);
    return true;
  }

  /** QueueRemove: a member logs out of a queue. */
  removeMember(queueName: string, agentName: string): boolean {
    const q = this.queues.get(queueName);
    const agent = this.agents.get(agentName);
    const m = agent?.memberships.get(queueName);
    if (!q || !agent || !m) return false;
    this.emit(E.queueMemberRemoved(this.memberSnapshot(agent, m)));
    agent.memberships.delete(queueName);
    const idx = q.members.indexOf(agent);
    if (idx >= 0) q.members.splice(idx, 1);
    if (q.rrpos > idx && q.rrpos > 0) q.rrpos--;
    if (q.members.length > 0) q.rrpos %= q.members.length;
    else q.rrpos = 0;
    this.refreshQueueDevices(q);
    return true;
  }

  isMember(queueName: string, agentName: string): boolean {
    return !!this.agents.get(agentName)?.memberships.has(queueName);
  }

  /** The agent's phone goes away (Status 5) or comes back (Status 1); only when idle. */
  setUnavailable(agentName: string, unavailable: boolean): boolean {
    const agent = this.agents.get(agentName);
    if (!agent) return false;
    if (unavailable && (agent.entry || agent.ringing)) return false;
    this.setDevice(agent, unavailable ? 5 : 1);
    this.emitMemberStatus(agent);
    for (const m of agent.memberships.values()) {
      this.refreshQueueDevices(m.queue);
      if (!unavailable) this.scheduleDispatch(m.queue);
    }
    return true;
  }

  waiting(queueName: string): number {
    return this.queues.get(queueName)?.entries.length ?? 0;
  }

  queueParams(queueName: string): QueueParamsInfo | null {
    const q = this.queues.get(queueName);
    if (!q) return null;
    const perf = q.completed > 0 ? (100 * q.completedInSl) / q.completed : 0;
    const total = q.completed + q.abandoned;
    const perf2 = total > 0 ? (100 * (q.completedInSl + q.abandonedInSl)) / total : 0;
    return {
      queue: q.name,
      max: 0,
      strategy: 'rrmemory',
      calls: q.entries.length,
      holdtime: q.holdtime,
      talktime: q.talktime,
      completed: q.completed,
      abandoned: q.abandoned,
      serviceLevel: this.serviceLevel,
      serviceLevelPerf: perf.toFixed(1),
      serviceLevelPerf2: perf2.toFixed(1),
      weight: 0,
    };
  }

  queueMembers(queueName: string): MemberSnapshot[] {
    const q = this.queues.get(queueName);
    if (!q) return [];
    return q.members.map((a) => this.memberSnapshot(a, a.memberships.get(q.name)!));
  }

  queueEntries(queueName: string): QueueEntryInfo[] {
    const q = this.queues.get(queueName);
    if (!q) return [];
    const now = this.now();
    return q.entries.map((e) => ({ queue: q.name, position: e.pos, channel: { ...e.leg }, wait: secDiff(e.joinedMs, now) }));
  }

  queueSummary(queueName: string): QueueSummaryInfo | null {
    const q = this.queues.get(queueName);
    if (!q) return null;
    const now = this.now();
    let loggedIn = 0;
    let available = 0;
    for (const a of q.members) {
      const m = a.memberships.get(q.name)!;
      if (a.device !== 5) loggedIn++;
      if (!m.paused && a.device === 1 && !a.ringing && !a.entry) available++;
    }
    const longest = q.entries.reduce((mx, e) => Math.max(mx, secDiff(e.joinedMs, now)), 0);
    return { queue: q.name, loggedIn, available, callers: q.entries.length, holdTime: q.holdtime, talkTime: q.talktime, longestHoldTime: longest };
  }

  channels(): ChannelInfo[] {
    const now = this.now();
    return [...this.liveChans].map((c) => {
      const d = secDiff(c.createdMs, now);
      const hh = String(Math.floor(d / 3600)).padStart(2, '0');
      const mm = String(Math.floor((d % 3600) / 60)).padStart(2, '0');
      const ss = String(d % 60).padStart(2, '0');
      const { role: _r, call: _c, createdMs: _m, app, appData, bridge, alive: _a, ...snap } = c;
      return { channel: snap, application: app, applicationData: appData, duration: `${hh}:${mm}:${ss}`, bridgeId: bridge?.id ?? '' };
    });
  }

  // ------------------------------------------------------------------ queue entry

  private joinQueue(call: Call, queue: Queue, leg: Chan, legOne: Chan, consultOf: Consult | null): void {
    const timeout = consultOf ? undefined : call.plan.timeoutFor(queue.name);
    leg.exten = queue.name;
    this.exten(leg, 'Queue', timeout ? `${queue.name},t,,,${timeout}` : `${queue.name},t`);
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
    this.refreshQueueDevices(queue);
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

  private available(agent: Agent, queue: Queue): boolean {
    const m = agent.memberships.get(queue.name);
    return !!m && !m.paused && agent.device === 1 && !agent.ringing && !agent.entry && this.now() >= agent.wrapupUntil;
  }

  private anyAvailable(queue: Queue): boolean {
    return queue.members.some((a) => this.available(a, queue));
  }

  /** rrmemory: start after the member rung last, take the first one available. */
  private pickMember(queue: Queue): Agent | null {
    const n = queue.members.length;
    for (let i = 0; i < n; i++) {
      const idx = (queue.rrpos + i) % n;
      const agent = queue.members[idx]!;
      if (this.available(agent, queue)) {
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
    const [one, two] = this.localPair(call, agent.name, 'agents', 'agent');
    this.emit(E.newchannel(one));
    this.emit(E.newchannel(two));
    this.exten(one, 'AppQueue', '(Outgoing Line)');
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
    this.exten(two, 'Set', `CHANNEL(hangup_handler_push)=${handler}`);
    this.emit(E.hangupHandlerPush(two, handler));
    const ringSeconds = Math.max(0, call.plan.ringFor(agent.name, attempt));
    this.exten(two, 'Wait', String(Math.round(ringSeconds)));
    const ring: Ring = { entry, agent, one, two, startedMs: this.now(), task: null };
    agent.ringing = ring;
    entry.ring = ring;
    const limitMs = this.ringTimeout * 1000;
    // The agent's dialplan answers after its Wait(); app_queue notices a few ms later.
    if (ringSeconds * 1000 < limitMs) ring.task = this.scheduler.after(ringSeconds * 1000 + this.jitter.float(0.8, 3), () => this.answer(ring));
    else ring.task = this.scheduler.after(limitMs, () => this.ringNoAnswer(ring, limitMs + this.jitter.int(0, 9)));
    for (const m of agent.memberships.values()) this.refreshQueueDevices(m.queue);
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
    this.exten(two, 'Set', `DEVICE_STATE(Custom:${agent.name})=INUSE`);
    this.setDevice(agent, 2);
    this.emitMemberStatus(agent);
    for (const m of agent.memberships.values()) this.refreshQueueDevices(m.queue);
    this.exten(two, 'Answer', '');
    two.state = 6;
    this.emit(E.newstate(two));
    one.state = 6;
    this.emit(E.newstate(one));
    this.emit(E.dialEnd(leg, one, 'ANSWER'));
    this.emit(E.deviceStateChange(`Local/${agent.name}@agents`, 'INUSE'));
    const { pos, count } = this.removeEntry(entry);
    this.refreshQueueDevices(queue);
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
    const bridge = this.newBridge();
    this.emit(E.bridgeCreate(bridge));
    this.enterBridge(bridge, one);
    this.enterBridge(bridge, leg);
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
      if (two.alive && entry.state === 'connected') this.exten(two, 'Wait', String(Math.round(transfer ? transfer.after : talk)));
    });
    if (transfer && this.queues.has(transfer.to)) {
      entry.talkTask = this.scheduler.after(transfer.after * 1000, () => this.startTransfer(entry, transfer));
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
      this.refreshQueueDevices(m.queue);
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
    this.killChan(one, status === 'CANCEL' ? 0 : 16);
    this.emit(E.softHangupRequest(two, 16));
    const handler = `agent-free,s,1(${agent.name})`;
    this.emit(E.hangupHandlerRun(two, handler));
    this.exten(two, 'Set', `DEVICE_STATE(Custom:${agent.name})=NOT_INUSE`);
    this.killChan(two, 16);
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
      if (legOne.alive) this.killChan(legOne, 0);
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
    this.refreshQueueDevices(queue);
    this.emit(E.varSet(leg, 'QUEUEPOSITION', String(pos)));
    this.scheduler.cancel(entry.timeoutTask);
    entry.timeoutTask = null;
    entry.state = 'done';
    if (why === 'caller') {
      this.emit(E.softHangupRequest(leg, 16));
      this.killChan(leg, 0);
      this.checkEnded(call);
    } else {
      this.emit(E.varSet(leg, 'QUEUESTATUS', 'TIMEOUT'));
      // The dialplan goes on: an announcement (call back later / leave a message), then hangup.
      leg.priority = 3;
      this.exten(leg, 'Playback', 'gemeente/terugbelverzoek');
      const after = (call.plan.afterTimeoutSeconds ?? 8) * 1000;
      this.scheduler.after(after, () => {
        if (!leg.alive) return;
        leg.priority = 4;
        this.exten(leg, 'Hangup', '');
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
    this.exten(two, 'Hangup', '');
    this.emit(E.softHangupRequest(two, 16));
    this.runHangupHandler(agent, two);
    this.emit(E.hangupRequest(one, 16));
    this.killChan(two, 16);
    this.emit(E.varSet(one, 'BRIDGEPEER', ''));
    this.emit(E.varSet(leg, 'BRIDGEPEER', ''));
    this.leaveBridge(bridge, one);
    this.killChan(one, 16);
    this.leaveBridge(bridge, leg);
    const now = this.now();
    const talkTime = secDiff(entry.connectedMs, now);
    this.completeStats(entry, talkTime);
    this.releaseAgent(agent);
    this.emitMemberStatus(agent);
    for (const m of agent.memberships.values()) this.refreshQueueDevices(m.queue);
    this.answeredTimeVars(leg, entry, now);
    this.emit(E.softHangupRequest(leg, 16));
    this.emit(E.deviceStateChange(`Local/${agent.name}@agents`, 'NOT_INUSE'));
    this.emit(E.deviceStateChange(`Local/${agent.name}@agents`, 'NOT_INUSE'));
    if (legOne.alive) this.emit(E.hangupRequest(legOne, 16));
    // The agent's channel is gone by now; Asterisk sometimes has dropped its snapshot and sends
    // AgentComplete without the Dest* block (2 of 8 agent hangups in quiet-morning.ami).
    const withAgent = !this.rng.chance(0.2);
    this.emit(E.agentComplete(leg, withAgent ? one : null, queue.name, agent.iface, agent.name, entry.holdTime, talkTime, 'agent'));
    this.killChan(legOne, 16);
    this.killChan(leg, 16);
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
    if (legOne.alive) this.killChan(legOne, 0);
    this.leaveBridge(bridge, leg);
    this.answeredTimeVars(leg, entry, now);
    this.emit(E.softHangupRequest(leg, 16));
    this.killChan(leg, 16);
    // The bridge breaks up: the agent's channels are hung up, its hangup handler frees it.
    this.emit(E.varSet(one, 'BRIDGEPEER', ''));
    this.leaveBridge(bridge, one);
    this.emit(E.hangupRequest(one, 16));
    this.emit(E.softHangupRequest(two, 16));
    this.runHangupHandler(agent, two);
    this.releaseAgent(agent);
    this.emitMemberStatus(agent);
    for (const m of agent.memberships.values()) this.refreshQueueDevices(m.queue);
    this.killChan(two, 16);
    this.killChan(one, 16);
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
    if (legOne.alive) this.killChan(legOne, 0);
    if (entry.bridge) this.leaveBridge(entry.bridge, leg);
    this.answeredTimeVars(leg, entry, now);
    this.emit(E.softHangupRequest(leg, 16));
    this.killChan(leg, 16);
  }

  // ------------------------------------------------------------------ transfers

  private startTransfer(entry: Entry, t: TransferPlan): void {
    if (entry.state !== 'connected') return;
    if (t.kind === 'blind') this.blindTransfer(entry, this.queues.get(t.to)!);
    else this.attendedStart(entry, this.queues.get(t.to)!, t);
  }

  /**
   * Blind transfer into another queue (the agent's BlindTransfer): the caller's same channel
   * re-enters the target queue. BlindTransfer, the old queue's AgentComplete (Reason transfer)
   * and the new QueueCallerJoin come within a millisecond, as in transfer-chain.ami.
   */
  private blindTransfer(entry: Entry, to: Queue): void {
    const { call, leg, legOne, queue } = entry;
    const agent = entry.agent!;
    const one = entry.agentOne!;
    const two = entry.agentTwo!;
    const bridge = entry.bridge!;
    entry.state = 'done';
    this.scheduler.cancel(entry.talkTask);
    this.emit(E.unhold(one));
    this.emit(E.varSet(leg, 'BLINDTRANSFER', one.name));
    this.emit(E.varSet(one, 'BLINDTRANSFER', leg.name));
    this.emit(E.varSet(one, 'BRIDGEPEER', ''));
    this.emit(E.blindTransfer(one, leg, bridge, 'inbound', to.name));
    const now = this.now();
    const talkTime = secDiff(entry.connectedMs, now);
    // The old queue's AgentComplete and the new queue's QueueCallerJoin race in Asterisk
    // (different threads): both orders occur within the same millisecond.
    const joinFirst = this.rng.chance(0.4);
    const complete = () => {
      this.emit(E.agentComplete(leg, one, queue.name, agent.iface, agent.name, entry.holdTime, talkTime, 'transfer'));
      this.completeStats(entry, talkTime);
      this.truth.transfer(call.linkedid);
    };
    if (joinFirst) {
      leg.exten = to.name;
      this.joinQueue(call, to, leg, legOne, null);
    }
    complete();
    this.leaveBridge(bridge, one);
    this.emit(E.hangupRequest(two, 16));
    this.killChan(one, 16);
    this.emit(E.varSet(leg, 'BRIDGEPEER', ''));
    this.emit(E.softHangupRequest(two, 16));
    const handler = `agent-free,s,1(${agent.name})`;
    this.emit(E.hangupHandlerRun(two, handler));
    this.leaveBridge(bridge, leg);
    this.emit(E.varSet(leg, 'DIALEDTIME', String(Math.floor((now - leg.createdMs) / 1000))));
    this.emit(E.varSet(leg, 'DIALEDTIME_MS', String(Math.round(now - leg.createdMs))));
    this.emit(E.varSet(leg, 'ANSWEREDTIME', '0'));
    this.emit(E.varSet(leg, 'ANSWEREDTIME_MS', '0'));
    if (!joinFirst) this.joinQueue(call, to, leg, legOne, null);
    // The old agent's hangup handler clears its device state just after.
    two.context = 'agent-free';
    two.exten = 's';
    this.exten(two, 'Set', `DEVICE_STATE(Custom:${agent.name})=NOT_INUSE`);
    this.setDevice(agent, 1);
    this.releaseAgent(agent);
    this.emitMemberStatus(agent);
    for (const m of agent.memberships.values()) this.refreshQueueDevices(m.queue);
    this.exten(two, 'Return', '');
    this.killChan(two, 16);
    this.emit(E.deviceStateChange(`Local/${agent.name}@agents`, 'NOT_INUSE'));
    this.agentFreed(agent);
  }

  /**
   * Attended transfer, as the agent does it in warm-transfers.ami: *2 and the target queue's
   * digits put the caller on hold and dial Local/<digits>@inbound, whose ;2 side waits in the
   * target queue with the caller's Linkedid. The agent hangs up after the consultation to
   * complete the transfer, answered by then or not.
   */
  private attendedStart(entry: Entry, to: Queue, t: TransferPlan): void {
    const agent = entry.agent!;
    const one = entry.agentOne!;
    entry.state = 'consulting';
    this.scheduler.cancel(entry.talkTask);
    const consult: Consult = { from: entry, agent, to, one: null, two: null, bridge: null, entry: null, orphaned: false, done: false, completed: false };
    entry.consult = consult;
    this.emit(E.varSet(one, 'TRANSFER_CONTEXT', 'inbound'));
    this.emit(E.dtmfEnd(one, '*'));
    const t0 = this.now();
    const alive = () => one.alive && !consult.done;
    this.scheduler.at(t0 + 160, () => alive() && this.emit(E.dtmfEnd(one, '2')));
    this.scheduler.at(t0 + 260, () => alive() && this.emit(E.hold(one)));
    const digits = to.digits.split('');
    digits.forEach((d, i) => {
      this.scheduler.at(t0 + 320 + 60 * i, () => alive() && this.emit(E.dtmfEnd(one, d)));
    });
    const dialAt = t0 + 320 + 60 * (digits.length - 1);
    this.scheduler.at(dialAt, () => {
      if (!alive()) return;
      this.consultDial(consult);
    });
    this.scheduler.at(Math.max(dialAt + 1, t0 + t.consult * 1000), () => this.consultEnd(consult));
  }

  private consultDial(consult: Consult): void {
    const { from, agent, to } = consult;
    const call = from.call;
    const agentOne = from.agentOne!;
    const [c1, c2] = this.localPair(call, to.digits, 'inbound', 'consult');
    // The consult leg takes the transferring agent channel's caller id: the customer's number,
    // or, dialled by an agent who answered a consult leg, that leg's queue name
    // (warm-transfers.ami, three transfers in a row).
    const num = agentOne.callerNum;
    const name = agentOne.callerName;
    this.emit(E.newchannel(c1));
    this.emit(E.newchannel(c2));
    this.emit(E.varSet(c1, 'TRANSFERERNAME', agentOne.name));
    this.emit(E.varSet(c1, 'ATTENDEDTRANSFER', agentOne.name));
    const cb = this.newBridge();
    this.emit(E.bridgeCreate(cb));
    this.emit(E.varSet(c2, 'ATTENDEDTRANSFER', agentOne.name));
    this.emit(E.varSet(c2, 'TRANSFERERNAME', agentOne.name));
    c2.callerNum = num;
    c2.callerName = name;
    this.emit(E.newCallerid(c2));
    this.emit(E.localBridge(c1, c2, 'inbound', to.digits));
    c1.connectedNum = num;
    c1.connectedName = name;
    this.emit(E.newConnectedLine(c1));
    this.exten(c2, 'Goto', `${to.name},1`);
    this.enterBridge(cb, c1);
    c2.exten = to.name;
    this.exten(c2, 'Answer', '');
    c2.state = 6;
    this.emit(E.newstate(c2));
    this.emit(E.deviceStateChange(`Local/${to.digits}@inbound`, 'INUSE'));
    this.emit(E.varSet(c1, 'ATTENDEDTRANSFER', ''));
    c1.state = 6;
    this.emit(E.newstate(c1));
    this.emit(E.dialEnd(null, c1, 'ANSWER'));
    if (from.bridge && agentOne.bridge === from.bridge) this.leaveBridge(from.bridge, agentOne, true);
    this.enterBridge(cb, agentOne);
    this.emit(E.varSet(c1, 'BRIDGEPEER', agentOne.name));
    this.emit(E.varSet(agentOne, 'BRIDGEPEER', c1.name));
    agentOne.connectedNum = c1.callerNum;
    agentOne.connectedName = c1.callerName;
    this.emit(E.newConnectedLine(agentOne));
    consult.one = c1;
    consult.two = c2;
    consult.bridge = cb;
    this.scheduler.after(500, () => {
      if (!c2.alive || consult.entry) return;
      c2.priority = 2;
      this.joinQueue(call, to, c2, c1, consult);
    });
  }

  private consultEnd(consult: Consult): void {
    if (consult.done) return;
    consult.done = true;
    const { from, agent } = consult;
    const call = from.call;
    const one = from.agentOne!;
    const two = from.agentTwo!;
    const ce = consult.entry;
    if (consult.orphaned || from.state === 'done') {
      // The caller hung up during the consultation: the agent hangs up, the consult leg loses
      // its caller; still queued, the target queue logs an abandon (warm-transfers.ami).
      this.agentLeavesConsult(consult, one, two);
      if (ce && (ce.state === 'waiting' || ce.state === 'ringing')) this.abandonEntry(ce, 'caller');
      else if (ce && ce.state === 'connected') this.callerEnds(ce);
      this.killConsultChans(consult);
      this.agentFreed(agent);
      this.checkEnded(call);
      return;
    }
    if (!consult.two || !consult.two.alive || (ce && ce.state === 'done')) {
      // Nothing left to transfer to: the agent goes back to the caller and finishes the call.
      this.killConsultChans(consult);
      if (consult.bridge && one.bridge === consult.bridge) this.leaveBridge(consult.bridge, one);
      if (from.bridge) this.enterBridge(from.bridge, one);
      this.emit(E.unhold(one));
      from.state = 'connected';
      from.consult = null;
      from.talkTask = this.scheduler.after(this.rng.float(2, 6) * 1000, () => this.endOfTalk(from));
      return;
    }
    // Complete the transfer: the agent hangs up, the consultation merges into the caller's bridge.
    const leg = from.leg;
    const origBridge = from.bridge!;
    const cb = consult.bridge!;
    const c1 = consult.one!;
    from.state = 'done';
    two.priority = 3;
    this.exten(two, 'Hangup', '');
    this.emit(E.softHangupRequest(two, 16));
    this.runHangupHandler(agent, two);
    const now = this.now();
    const talkTime = secDiff(from.connectedMs, now);
    this.completeStats(from, talkTime);
    this.releaseAgent(agent);
    this.emitMemberStatus(agent);
    for (const m of agent.memberships.values()) this.refreshQueueDevices(m.queue);
    this.emit(E.hangupRequest(one, 16));
    this.emit(E.varSet(one, 'BRIDGEPEER', ''));
    this.leaveBridge(cb, one, true);
    this.killChan(two, 16);
    this.emit(E.bridgeMerge(origBridge, cb));
    this.leaveBridge(cb, c1, true);
    this.enterBridge(origBridge, c1);
    this.emit(E.deviceStateChange(`Local/${agent.name}@agents`, 'NOT_INUSE'));
    this.emit(E.varSet(leg, 'BRIDGEPEER', c1.name));
    this.emit(E.varSet(c1, 'BRIDGEPEER', leg.name));
    // Asterisk sometimes has no snapshot of the target left: then the TransferTarget* fields are
    // missing (warm-transfers.ami has both shapes). Never present while the leg is still queued.
    const withTarget = !!ce && ce.state === 'connected' && !this.rng.chance(0.25);
    this.emit(E.attendedTransfer(one, { id: origBridge.id, numChannels: 2 }, one, { id: cb.id, numChannels: 0 }, leg, withTarget ? c1 : null));
    this.emit(E.newConnectedLine(leg));
    this.emit(E.agentComplete(leg, one, from.queue.name, agent.iface, agent.name, from.holdTime, talkTime, 'transfer'));
    this.truth.transfer(call.linkedid);
    this.emit(E.bridgeDestroy({ id: cb.id, numChannels: 0 }));
    this.killChan(one, 16);
    consult.completed = true;
    c1.role = 'customer';
    if (consult.two) consult.two.role = 'customer';
    if (ce) ce.customerFacing = true;
    from.consult = null;
    this.agentFreed(agent);
  }

  /** The consulting agent hangs up without completing a transfer (its caller is gone). */
  private agentLeavesConsult(consult: Consult, one: Chan, two: Chan): void {
    const { agent } = consult;
    two.priority = 3;
    this.exten(two, 'Hangup', '');
    this.emit(E.softHangupRequest(two, 16));
    this.runHangupHandler(agent, two);
    this.emit(E.hangupRequest(one, 16));
    this.releaseAgent(agent);
    this.emitMemberStatus(agent);
    for (const m of agent.memberships.values()) this.refreshQueueDevices(m.queue);
    this.killChan(two, 16);
    this.emit(E.deviceStateChange(`Local/${agent.name}@agents`, 'NOT_INUSE'));
    this.emit(E.varSet(one, 'BRIDGEPEER', ''));
    if (consult.one) this.emit(E.varSet(consult.one, 'BRIDGEPEER', ''));
    this.killChan(one, 16);
  }

  /** Hangs up what is left of a consultation (its bridge goes when it empties). */
  private killConsultChans(consult: Consult): void {
    for (const c of [consult.one, consult.two]) if (c && c.alive) this.killChan(c, 16);
  }

  // ------------------------------------------------------------------ agents and stats

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
        this.refreshQueueDevices(m.queue);
        this.scheduleDispatch(m.queue);
      }
    };
    if (wait > 0) this.scheduler.after(wait, go);
    else go();
  }

  /** The agent's hangup handler (agent-free) clears Custom:agentN, as in the captures. */
  private runHangupHandler(agent: Agent, two: Chan): void {
    const handler = `agent-free,s,1(${agent.name})`;
    this.emit(E.hangupHandlerRun(two, handler));
    two.context = 'agent-free';
    two.exten = 's';
    two.priority = 1;
    this.emit(E.varSet(two, 'LOCAL(ARG1)', agent.name));
    this.emit(E.varSet(two, 'LOCAL(ARGC)', '1'));
    this.exten(two, 'Set', `DEVICE_STATE(Custom:${agent.name})=NOT_INUSE`);
    this.setDevice(agent, 1);
    two.priority = 2;
    this.exten(two, 'Return', '');
    this.emit(E.varSet(two, 'ARGC', ''));
    this.emit(E.varSet(two, 'ARG1', ''));
    this.emit(E.varSet(two, 'GOSUB_RETVAL', ''));
  }

  private setDevice(agent: Agent, status: number): void {
    agent.device = status;
    const state = status === 2 ? 'INUSE' : status === 5 ? 'UNAVAILABLE' : 'NOT_INUSE';
    this.emit(E.deviceStateChange(`Custom:${agent.name}`, state));
  }

  /** device_state_cb(): one QueueMemberStatus per queue the member is in. */
  private emitMemberStatus(agent: Agent): void {
    for (const m of agent.memberships.values()) this.emit(E.queueMemberStatus(this.memberSnapshot(agent, m)));
  }

  private memberSnapshot(agent: Agent, m: Membership): MemberSnapshot {
    return {
      queue: m.queue.name,
      memberName: agent.name,
      iface: agent.iface,
      stateInterface: agent.stateInterface,
      membership: m.dynamic ? 'dynamic' : 'static',
      penalty: m.penalty,
      callsTaken: m.callsTaken,
      lastCall: m.lastCall,
      lastPause: m.lastPause,
      loginTime: m.loginTime,
      inCall: agent.entry && agent.entry.state !== 'done' ? 1 : 0,
      status: agent.device,
      paused: m.paused ? 1 : 0,
      pausedReason: m.pausedReason,
      ringinuse: 0,
      wrapuptime: 0,
    };
  }

  /** Queue:<q> (callers waiting: RINGING) and Queue:<q>_avail (a member free: NOT_INUSE). */
  private refreshQueueDevices(q: Queue): void {
    const dev = q.entries.length > 0 ? 'RINGING' : 'NOT_INUSE';
    if (dev !== q.deviceState) {
      q.deviceState = dev;
      this.emit(E.deviceStateChange(`Queue:${q.name}`, dev));
    }
    const avail = this.anyAvailable(q) ? 'NOT_INUSE' : 'INUSE';
    if (avail !== q.availState) {
      q.availState = avail;
      this.emit(E.deviceStateChange(`Queue:${q.name}_avail`, avail));
    }
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

  // ------------------------------------------------------------------ channels and bridges

  private localPair(call: Call, exten: string, context: string, role: Role): [Chan, Chan] {
    const id = (this.localSeq++).toString(16).padStart(8, '0');
    const base = `Local/${exten}@${context}-${id}`;
    const one = this.newChan(call, `${base};1`, 0, context, exten, role);
    const two = this.newChan(call, `${base};2`, 4, context, exten, role);
    return [one, two];
  }

  private newChan(call: Call, name: string, state: number, context: string, exten: string, role: Role): Chan {
    const now = this.now();
    const uniqueid = `${sec(now)}.${this.uniqueSeq++}`;
    const chan: Chan = {
      name,
      state,
      callerNum: '<unknown>',
      callerName: '<unknown>',
      connectedNum: '<unknown>',
      connectedName: '<unknown>',
      language: 'en',
      accountCode: '',
      context,
      exten,
      priority: 1,
      uniqueid,
      linkedid: call.linkedid || uniqueid,
      role,
      call,
      createdMs: now,
      app: '',
      appData: '',
      bridge: null,
      alive: true,
    };
    call.chans.add(chan);
    this.liveChans.add(chan);
    return chan;
  }

  /** Newexten: the channel runs a dialplan application. */
  private exten(c: Chan, app: string, appData: string): void {
    c.app = app;
    c.appData = appData;
    this.emit(E.newexten(c, app, appData));
  }

  private killChan(c: Chan, cause: number): void {
    if (!c.alive) return;
    if (c.bridge) this.leaveBridge(c.bridge, c);
    c.alive = false;
    this.liveChans.delete(c);
    c.call.chans.delete(c);
    this.emit(E.hangup(c, cause));
  }

  /** Hangs up the customer's remaining channels (the ;2 sides first, as Asterisk does). */
  private hangupCustomer(call: Call, cause: number): void {
    const rest = [...call.chans].filter((c) => c.role === 'customer');
    rest.sort((a, b) => (a.name.endsWith(';2') ? 0 : 1) - (b.name.endsWith(';2') ? 0 : 1));
    for (const c of rest) {
      if (!c.alive) continue;
      if (c.name.endsWith(';2')) this.emit(E.softHangupRequest(c, cause));
      else this.emit(E.hangupRequest(c, cause));
      this.killChan(c, cause);
    }
    this.checkEnded(call);
  }

  private newBridge(): Bridge {
    return { id: this.rng.uuid(), numChannels: 0, chans: new Set() };
  }

  private enterBridge(b: Bridge, c: Chan): void {
    b.chans.add(c);
    b.numChannels = b.chans.size;
    c.bridge = b;
    this.emit(E.bridgeEnter(b, c));
  }

  private leaveBridge(b: Bridge, c: Chan, keep = false): void {
    if (!b.chans.has(c)) return;
    b.chans.delete(c);
    b.numChannels = b.chans.size;
    c.bridge = null;
    this.emit(E.bridgeLeave(b, c));
    if (b.numChannels === 0 && !keep) this.emit(E.bridgeDestroy(b));
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

  private newMembership(queue: Queue, dynamic: boolean, loginTime: number): Membership {
    return { queue, dynamic, penalty: 0, callsTaken: 0, lastCall: 0, lastPause: 0, loginTime, paused: false, pausedReason: '' };
  }

  private agentNamed(name: string): Agent {
    let agent = this.agents.get(name);
    if (!agent) {
      agent = {
        name,
        iface: `Local/${name}@agents/n`,
        stateInterface: `Custom:${name}`,
        device: 1,
        ringing: null,
        entry: null,
        wrapupUntil: 0,
        memberships: new Map(),
      };
      this.agents.set(name, agent);
    }
    return agent;
  }

  private emit(e: AmiEvent): void {
    e.us = this.clock.stampUs(this.jitter.int(3, 40));
    this.onEvent(e);
  }
}
