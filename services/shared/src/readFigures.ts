/**
 * How a window is read: one Lua script returns every count of one site atomically, and
 * this module turns it into the `LiveSnapshot` that the API serves and the replay prints.
 * Collector (replay) and API both read through here, so they cannot disagree.
 */
import type { Cluster, Redis } from 'ioredis';
import { AGENT_METRIC_NAMES, WINDOW_METRIC_NAMES } from './catalogue.ts';
import {
  AGENT_STATES,
  addFigures,
  emptyAgentCounts,
  emptyFigures,
  serviceLevel,
  type AgentState,
  type AgentView,
  type LiveSnapshot,
  type QueueFigures,
  type Thresholds,
} from './figures.ts';
import type { Keys } from './keys.ts';
import { Scripts } from './scripts.ts';

const scripts = new Scripts(new URL('./lua', import.meta.url), { readFigures: 4 });

interface RawQueue {
  /** One count per queue window metric, in catalogue order. */
  counts: number[];
  waiting: number;
  oldestJoin: number | false;
}

interface Raw {
  queues: Record<string, RawQueue> | [];
  agentStates: string[] | Record<string, never>;
  /** One count per agent metric, in catalogue order. */
  agentCounts: Record<string, number[]> | [];
  health: string[] | Record<string, never>;
}

export interface ReadOptions {
  keys: Keys;
  thresholds: Thresholds;
  /** Window start and end (ms, inclusive). */
  from: number;
  to: number;
  /** Now by our clock; the switch's clock (collector-reported offset added) runs the wait clocks. */
  now: number;
  /** Local midnight, for the agents' counts of today. */
  midnight: number;
  window: string;
}

/** Reads one site's live figures. */
export async function readFigures(redis: Redis | Cluster, o: ReadOptions): Promise<LiveSnapshot> {
  const json = (await scripts.run(
    redis,
    'readFigures',
    [o.keys.queues, o.keys.agents, o.keys.health, o.keys.agentNames],
    [
      Math.floor(o.from),
      Math.ceil(o.to),
      Math.floor(o.midnight),
      o.keys.waitingPrefix,
      WINDOW_METRIC_NAMES.length,
      ...WINDOW_METRIC_NAMES.map((m) => o.keys.windowPrefix(m)),
      ...AGENT_METRIC_NAMES.map((m) => o.keys.agentWindowPrefix(m)),
    ],
  )) as string;
  const raw = JSON.parse(json) as Raw;
  // cjson encodes an empty table as [] / {} interchangeably.
  const rawQueues = Array.isArray(raw.queues) ? {} : raw.queues;
  const health = pairs(Array.isArray(raw.health) ? raw.health : []);
  const clockOffsetMs = Number(health.clockOffsetMs ?? 0) || 0;
  const switchNow = o.now + clockOffsetMs;
  // Queue and agent names are data from the switch: no prototype, so `__proto__` is a queue like any other.
  const agents: Record<string, AgentView> = Object.create(null);
  const counts: Exclude<Raw['agentCounts'], []> = Array.isArray(raw.agentCounts) ? Object.create(null) : raw.agentCounts;
  const queueAgents = new Map<string, ReturnType<typeof emptyAgentCounts>>();
  for (const text of Array.isArray(raw.agentStates) ? raw.agentStates : []) {
    const a = JSON.parse(text) as AgentState;
    const view: AgentView = {
      name: a.name,
      interface: a.interface,
      state: a.state,
      queues: a.queues,
      pausedIn: a.pausedIn ?? (a.state === 'paused' ? a.queues : []),
      pausedReason: a.pausedReason,
      since: new Date(a.since).toISOString(),
      answered: 0,
      transfersMade: 0,
    };
    AGENT_METRIC_NAMES.forEach((m, i) => (view[m] = counts[a.name]?.[i] ?? 0));
    agents[a.name] = view;
    for (const q of a.queues) {
      const c = queueAgents.get(q) ?? emptyAgentCounts();
      // Paused in this queue counts as paused here, whatever the person does in their other queues.
      c[a.pausedIn?.includes(q) ? 'paused' : a.state]++;
      queueAgents.set(q, c);
    }
  }
  const queues: Record<string, QueueFigures> = Object.create(null);
  let total = emptyFigures();
  for (const name of Object.keys(rawQueues).sort()) {
    const r = rawQueues[name]!;
    const f = emptyFigures();
    WINDOW_METRIC_NAMES.forEach((m, i) => (f[m] = r.counts[i] ?? 0));
    f.waiting = r.waiting;
    f.longestWaitSeconds = r.oldestJoin === false ? 0 : Math.max(0, Math.floor((switchNow - r.oldestJoin) / 1000));
    f.agents = queueAgents.get(name) ?? emptyAgentCounts();
    f.serviceLevel = serviceLevel(f);
    queues[name] = f;
    total = addFigures(total, f);
  }
  // An agent in two queues is one person: count people, not memberships, in the total.
  total.agents = emptyAgentCounts();
  for (const a of Object.values(agents)) if (AGENT_STATES.includes(a.state)) total.agents[a.state]++;
  const lastEventAt = health.lastEventAt ? Number(health.lastEventAt) : null;
  const connected = health.amiConnected === '1';
  const reason = !connected ? (health.amiError || 'the collector is not connected to the phone switch') : null;
  return {
    at: new Date(o.now).toISOString(),
    window: o.window,
    from: new Date(o.from).toISOString(),
    thresholds: o.thresholds,
    total,
    queues,
    agents,
    clockOffsetMs,
    health: {
      collectorConnected: connected,
      lastEventAt: lastEventAt ? new Date(lastEventAt).toISOString() : null,
      stale: !connected,
      reason,
    },
  };
}

function pairs(list: string[]): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (let i = 0; i + 1 < list.length; i += 2) out[list[i]!] = list[i + 1]!;
  return out;
}
