/**
 * Read-only views of the switch, for the manager actions (actions.ts: QueueStatus,
 * QueueSummary, CoreShowChannels, the member actions) and for traffic that looks before it
 * acts. Nothing here changes state or raises an event.
 */
import type { ChannelSnapshot, MemberSnapshot } from './events.ts';
import { memberSnapshot } from './members.ts';
import { secDiff, type Agent, type Chan, type Queue } from './model.ts';

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

type Queues = ReadonlyMap<string, Queue>;
type Agents = ReadonlyMap<string, Agent>;

export function isPaused(agents: Agents, agentName: string): boolean {
  const agent = agents.get(agentName);
  return !!agent && [...agent.memberships.values()].some((m) => m.paused);
}

/** True when the agent is not ringing, talking or consulting. */
export function isIdle(agents: Agents, agentName: string): boolean {
  const a = agents.get(agentName);
  return !!a && !a.ringing && !a.entry && a.device === 1;
}

export function agentByInterface(agents: Agents, iface: string): string | undefined {
  for (const a of agents.values()) if (a.iface.toLowerCase() === iface.toLowerCase()) return a.name;
  return undefined;
}

export function isMember(agents: Agents, queueName: string, agentName: string): boolean {
  return !!agents.get(agentName)?.memberships.has(queueName);
}

export function waiting(queues: Queues, queueName: string): number {
  return queues.get(queueName)?.entries.length ?? 0;
}

export function queueParams(queues: Queues, queueName: string, serviceLevel: number): QueueParamsInfo | null {
  const q = queues.get(queueName);
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
    serviceLevel,
    serviceLevelPerf: perf.toFixed(1),
    serviceLevelPerf2: perf2.toFixed(1),
    weight: 0,
  };
}

export function queueMembers(queues: Queues, queueName: string): MemberSnapshot[] {
  const q = queues.get(queueName);
  if (!q) return [];
  return q.members.map((a) => memberSnapshot(a, a.memberships.get(q.name)!));
}

export function queueEntries(queues: Queues, queueName: string, now: () => number): QueueEntryInfo[] {
  const q = queues.get(queueName);
  if (!q) return [];
  const t = now();
  return q.entries.map((e) => ({ queue: q.name, position: e.pos, channel: { ...e.leg }, wait: secDiff(e.joinedMs, t) }));
}

export function queueSummary(queues: Queues, queueName: string, now: () => number): QueueSummaryInfo | null {
  const q = queues.get(queueName);
  if (!q) return null;
  const t = now();
  let loggedIn = 0;
  let available = 0;
  for (const a of q.members) {
    const m = a.memberships.get(q.name)!;
    if (a.device !== 5) loggedIn++;
    if (!m.paused && a.device === 1 && !a.ringing && !a.entry) available++;
  }
  const longest = q.entries.reduce((mx, e) => Math.max(mx, secDiff(e.joinedMs, t)), 0);
  return { queue: q.name, loggedIn, available, callers: q.entries.length, holdTime: q.holdtime, talkTime: q.talktime, longestHoldTime: longest };
}

/** CoreShowChannels: every live channel with its application, duration (hh:mm:ss) and bridge. */
export function channelList(live: ReadonlySet<Chan>, now: () => number): ChannelInfo[] {
  const t = now();
  return [...live].map((c) => {
    const d = secDiff(c.createdMs, t);
    const hh = String(Math.floor(d / 3600)).padStart(2, '0');
    const mm = String(Math.floor((d % 3600) / 60)).padStart(2, '0');
    const ss = String(d % 60).padStart(2, '0');
    const { role: _r, call: _c, createdMs: _m, app, appData, bridge, alive: _a, ...snap } = c;
    return { channel: snap, application: app, applicationData: appData, duration: `${hh}:${mm}:${ss}`, bridgeId: bridge?.id ?? '' };
  });
}
