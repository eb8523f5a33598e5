/**
 * Members and devices: queue memberships (static, or dynamic through QueueAdd/QueueRemove),
 * pauses, the agent's phone (Custom:agentN device state, its hangup handler), and the queue
 * device states and QueueMember* events that follow from them. Queueing is the switch's: a
 * change that frees a member asks the roster to wake the queue's waiting callers.
 */
import type { Channels } from './channels.ts';
import * as E from './events.ts';
import type { MemberSnapshot } from './events.ts';
import { sec, type Agent, type Chan, type Io, type Membership, type Queue } from './model.ts';

/** What member changes need from the switch: its queues and agents, and a way to wake a queue. */
export interface Roster extends Io {
  readonly queues: ReadonlyMap<string, Queue>;
  readonly agents: Map<string, Agent>;
  /** Waiting callers look for a free member at their next turn check (the switch's queueing). */
  scheduleDispatch(queue: Queue): void;
}

export function newMembership(queue: Queue, dynamic: boolean, loginTime: number): Membership {
  return { queue, dynamic, penalty: 0, callsTaken: 0, lastCall: 0, lastPause: 0, loginTime, paused: false, pausedReason: '' };
}

/** The agent of that name, made (idle, phone available, in no queue) if it is new. */
export function agentNamed(agents: Map<string, Agent>, name: string): Agent {
  let agent = agents.get(name);
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
    agents.set(name, agent);
  }
  return agent;
}

/** QueuePause: pauses or unpauses a member in one queue or in all its queues. */
export function pause(r: Roster, agentName: string, paused: boolean, reason: string, queueName?: string): boolean {
  const agent = r.agents.get(agentName);
  if (!agent) return false;
  let found = false;
  for (const m of agent.memberships.values()) {
    if (queueName && m.queue.name !== queueName) continue;
    found = true;
    r.emit(E.deviceStateChange(`Queue:${m.queue.name}_pause_${agent.iface}`, paused ? 'INUSE' : 'NOT_INUSE'));
    m.paused = paused;
    m.pausedReason = paused ? reason : '';
    if (paused) m.lastPause = sec(r.now());
    r.emit(E.queueMemberPause(memberSnapshot(agent, m)));
    refreshQueueDevices(r, m.queue);
    if (!paused) r.scheduleDispatch(m.queue);
  }
  return found;
}

/** QueueAdd: a dynamic member logs in to a queue. */
export function addMember(r: Roster, queueName: string, agentName: string, opts: { paused?: boolean; reason?: string; penalty?: number }): boolean {
  const q = r.queues.get(queueName);
  if (!q) return false;
  const agent = agentNamed(r.agents, agentName);
  if (agent.memberships.has(queueName)) return false;
  const m = newMembership(q, true, sec(r.now()));
  m.paused = !!opts.paused;
  m.pausedReason = opts.paused ? (opts.reason ?? '') : '';
  m.penalty = opts.penalty ?? 0;
  agent.memberships.set(queueName, m);
  q.members.push(agent);
  r.emit(E.queueMemberAdded(memberSnapshot(agent, m)));
  refreshQueueDevices(r, q);
  r.scheduleDispatch(q);
  return true;
}

/** QueueRemove: a member logs out of a queue. */
export function removeMember(r: Roster, queueName: string, agentName: string): boolean {
  const q = r.queues.get(queueName);
  const agent = r.agents.get(agentName);
  const m = agent?.memberships.get(queueName);
  if (!q || !agent || !m) return false;
  r.emit(E.queueMemberRemoved(memberSnapshot(agent, m)));
  agent.memberships.delete(queueName);
  const idx = q.members.indexOf(agent);
  if (idx >= 0) q.members.splice(idx, 1);
  if (q.rrpos > idx && q.rrpos > 0) q.rrpos--;
  if (q.members.length > 0) q.rrpos %= q.members.length;
  else q.rrpos = 0;
  refreshQueueDevices(r, q);
  return true;
}

/** The agent's phone goes away (Status 5) or comes back (Status 1); only when idle. */
export function setUnavailable(r: Roster, agentName: string, unavailable: boolean): boolean {
  const agent = r.agents.get(agentName);
  if (!agent) return false;
  if (unavailable && (agent.entry || agent.ringing)) return false;
  setDevice(r, agent, unavailable ? 5 : 1);
  emitMemberStatus(r, agent);
  for (const m of agent.memberships.values()) {
    refreshQueueDevices(r, m.queue);
    if (!unavailable) r.scheduleDispatch(m.queue);
  }
  return true;
}

/** Free to be rung in this queue: a member, not paused, phone idle, not ringing or talking, wrap-up over. */
export function available(io: Io, agent: Agent, queue: Queue): boolean {
  const m = agent.memberships.get(queue.name);
  return !!m && !m.paused && agent.device === 1 && !agent.ringing && !agent.entry && io.now() >= agent.wrapupUntil;
}

export function anyAvailable(io: Io, queue: Queue): boolean {
  return queue.members.some((a) => available(io, a, queue));
}

/** Custom:agentN: 1 not in use, 2 in use, 5 unavailable. */
export function setDevice(io: Io, agent: Agent, status: number): void {
  agent.device = status;
  const state = status === 2 ? 'INUSE' : status === 5 ? 'UNAVAILABLE' : 'NOT_INUSE';
  io.emit(E.deviceStateChange(`Custom:${agent.name}`, state));
}

/** device_state_cb(): one QueueMemberStatus per queue the member is in. */
export function emitMemberStatus(io: Io, agent: Agent): void {
  for (const m of agent.memberships.values()) io.emit(E.queueMemberStatus(memberSnapshot(agent, m)));
}

export function memberSnapshot(agent: Agent, m: Membership): MemberSnapshot {
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
export function refreshQueueDevices(io: Io, q: Queue): void {
  const dev = q.entries.length > 0 ? 'RINGING' : 'NOT_INUSE';
  if (dev !== q.deviceState) {
    q.deviceState = dev;
    io.emit(E.deviceStateChange(`Queue:${q.name}`, dev));
  }
  const avail = anyAvailable(io, q) ? 'NOT_INUSE' : 'INUSE';
  if (avail !== q.availState) {
    q.availState = avail;
    io.emit(E.deviceStateChange(`Queue:${q.name}_avail`, avail));
  }
}

/** The device states of every queue the agent is in, after its own state changed. */
export function refreshAgentQueues(io: Io, agent: Agent): void {
  for (const m of agent.memberships.values()) refreshQueueDevices(io, m.queue);
}

/** The agent's hangup handler (agent-free) clears Custom:agentN, as in the captures. */
export function runHangupHandler(io: Io, chans: Channels, agent: Agent, two: Chan): void {
  const handler = `agent-free,s,1(${agent.name})`;
  io.emit(E.hangupHandlerRun(two, handler));
  two.context = 'agent-free';
  two.exten = 's';
  two.priority = 1;
  io.emit(E.varSet(two, 'LOCAL(ARG1)', agent.name));
  io.emit(E.varSet(two, 'LOCAL(ARGC)', '1'));
  chans.exten(two, 'Set', `DEVICE_STATE(Custom:${agent.name})=NOT_INUSE`);
  setDevice(io, agent, 1);
  two.priority = 2;
  chans.exten(two, 'Return', '');
  io.emit(E.varSet(two, 'ARGC', ''));
  io.emit(E.varSet(two, 'ARG1', ''));
  io.emit(E.varSet(two, 'GOSUB_RETVAL', ''));
}
