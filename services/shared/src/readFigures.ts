/**
 * How a window is read: one Lua script returns every count of one site atomically, and
 * this module turns it into the `LiveSnapshot` that the API serves and the replay prints.
 * Collector (replay) and API both read through here, so they cannot disagree.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cluster, Redis } from 'ioredis';
import {
  AGENT_STATES,
  addFigures,
  emptyAgentCounts,
  emptyFigures,
  serviceLevel,
  type AgentStateName,
  type AgentView,
  type LiveSnapshot,
  type QueueFigures,
  type Thresholds,
} from './figures.ts';
import type { Keys } from './keys.ts';

const lua = readFileSync(path.join(path.dirname(fileURLToPath(import.meta.url)), 'lua', 'readFigures.lua'), 'utf8');

interface RawQueue {
  offered: number;
  answered: number;
  within: number;
  abandoned: number;
  shortAbandoned: number;
  timedOut: number;
  movedOut: number;
  unknown: number;
  breach: number;
  overLimit: number;
  waiting: number;
  oldestJoin: number | false;
}

interface Raw {
  queues: Record<string, RawQueue> | [];
  agentStates: string[] | Record<string, never>;
  agentCounts: Record<string, { answered: number; transfers: number }> | [];
  health: string[] | Record<string, never>;
}

/** The part of an agent's stored state the views use. */
interface StoredAgent {
  name: string;
  interface: string;
  queues: string[];
  state: AgentStateName;
  pausedReason: string | null;
  /** Missing in states stored before pause was per queue. */
  pausedIn?: string[];
  since: number;
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

function ensureScript(redis: Redis | Cluster): void {
  if (!(redis as unknown as Record<string, unknown>).readFigures) redis.defineCommand('readFigures', { numberOfKeys: 4, lua });
}

/** Reads one site's live figures. */
export async function readFigures(redis: Redis | Cluster, o: ReadOptions): Promise<LiveSnapshot> {
  ensureScript(redis);
  const json = (await (redis as unknown as { readFigures: (...a: Array<string | number>) => Promise<string> }).readFigures(
    o.keys.queues,
    o.keys.agents,
    o.keys.health,
    o.keys.agentNames,
    o.keys.base,
    Math.floor(o.from),
    Math.ceil(o.to),
    Math.floor(o.midnight),
  )) as string;
  const raw = JSON.parse(json) as Raw;
  // cjson encodes an empty table as [] / {} interchangeably.
  const rawQueues = Array.isArray(raw.queues) ? {} : raw.queues;
  const health = pairs(Array.isArray(raw.health) ? raw.health : []);
  const clockOffsetMs = Number(health.clockOffsetMs ?? 0) || 0;
  const switchNow = o.now + clockOffsetMs;
  // Queue and agent names are data from the switch: no prototype, so `__proto__` is a queue like any other.
  const agents: Record<string, AgentView> = Object.create(null);
  const counts: Record<string, { answered: number; transfers: number }> = Array.isArray(raw.agentCounts) ? Object.create(null) : raw.agentCounts;
  const queueAgents = new Map<string, ReturnType<typeof emptyAgentCounts>>();
  for (const text of Array.isArray(raw.agentStates) ? raw.agentStates : []) {
    const a = JSON.parse(text) as StoredAgent;
    agents[a.name] = {
      name: a.name,
      interface: a.interface,
      state: a.state,
      queues: a.queues,
      pausedIn: a.pausedIn ?? (a.state === 'paused' ? a.queues : []),
      pausedReason: a.pausedReason,
      since: new Date(a.since).toISOString(),
      answered: counts[a.name]?.answered ?? 0,
      transfersMade: counts[a.name]?.transfers ?? 0,
    };
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
    const f: QueueFigures = {
      ...emptyFigures(),
      offered: r.offered,
      answered: r.answered,
      abandoned: r.abandoned,
      shortAbandoned: r.shortAbandoned,
      timedOut: r.timedOut,
      movedOut: r.movedOut,
      unknown: r.unknown,
      answeredWithinTarget: r.within,
      waiting: r.waiting,
      longestWaitSeconds: r.oldestJoin === false ? 0 : Math.max(0, Math.floor((switchNow - r.oldestJoin) / 1000)),
      guaranteeBreaches: r.breach,
      overTransferLimit: r.overLimit,
      agents: queueAgents.get(name) ?? emptyAgentCounts(),
    };
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
