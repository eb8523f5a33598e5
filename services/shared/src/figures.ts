import type { Alert } from './alerts.ts';

/**
 * The figures every view shows, per queue and in total. One definition, used by the
 * collector (what it counts), the API (what it serves) and the wallboard (what it draws).
 * The counted figures and the service level come from the catalogue (catalogue.ts).
 *
 * A queue entry is one QueueCallerJoin: a call transferred into a second queue is offered
 * to both, exactly as Asterisk's queue_log counts ENTERQUEUE.
 */
import type { QueueTargets } from './queueSettings.ts';
import type { Staffing } from './staffing/advice.ts';
import { emptyCounts, perMetric, serviceLevel, WINDOW_METRIC_NAMES, type AgentCountsByMetric, type WindowCounts } from './catalogue.ts';

export interface Figures extends WindowCounts {
  /** answeredWithinTarget ÷ the service level's denominator (catalogue.ts); null when that is 0. */
  serviceLevel: number | null;
  /** Callers in the queue right now. */
  waiting: number;
  /** How long the longest current caller has waited, in whole seconds (0 when none). */
  longestWaitSeconds: number;
}

/** Agent states, in the order every view lists them. */
export const AGENT_STATES = ['available', 'ringing', 'oncall', 'wrapup', 'paused', 'unavailable', 'loggedoff'] as const;

export type AgentStateName = (typeof AGENT_STATES)[number];

/** An agent on the wallboard; its counts (`answered`, `transfersMade`) are the catalogue's agent metrics. */
export interface AgentView extends AgentCountsByMetric {
  /** Member name as configured in queues.conf (`MemberName`). */
  name: string;
  interface: string;
  state: AgentStateName;
  /** Queues the agent is a member of. */
  queues: string[];
  /** Queues where the agent is paused (Asterisk pauses per queue); `state` is `paused` only when that is all of them. */
  pausedIn: string[];
  pausedReason: string | null;
  /** When the current state began (ISO), as far as Belofte saw it. */
  since: string;
  /** With several sites: the agent's site (the key is `<site>/<name>`). */
  site?: string;
}

/** An agent as the collector stores it (the `agents` hash); the views read it back. */
export interface AgentState {
  name: string;
  interface: string;
  queues: string[];
  /** The person's state: `paused` only when paused in every queue they serve. */
  state: AgentStateName;
  pausedReason: string | null;
  /**
   * Queues where the member is paused (Asterisk pauses per queue). Missing in states stored
   * before pause was per queue (those had one `paused` flag).
   */
  pausedIn: string[];
  since: number;
  deviceStatus: number;
  inCall: boolean;
  wrapupSeconds: number;
  /** Uniqueid of the caller the phone rings for now, so the ring ends when that caller goes. */
  ringingFor: string | null;
  /** Channels of this agent's current calls, for crediting transfers. */
  channels: string[];
}

export type AgentCounts = Record<AgentStateName, number>;

export interface QueueFigures extends Figures {
  agents: AgentCounts;
  /** Per queue (not in the total): agents needed now by Erlang A beside those available, with its inputs. */
  staffing?: Staffing;
  /** Per queue: the name on the board (BELOFTE_QUEUES; default the queue's own name). */
  displayName?: string;
  /** Per queue: the targets that apply to it (BELOFTE_QUEUES over TARGET_SECONDS …). */
  targets?: QueueTargets;
  /** With several sites: the site and the queue's own name (the key is `<site>/<queue>`). */
  site?: string;
  queue?: string;
}

/** The document of `GET /api/live` and of every `/ws` frame. */
export interface LiveSnapshot {
  at: string;
  /** The window the counts cover: `today` (since local midnight) or e.g. `60m`. */
  window: string;
  from: string;
  thresholds: Thresholds;
  total: QueueFigures;
  queues: Record<string, QueueFigures>;
  agents: Record<string, AgentView>;
  /** The switch's clock minus the server's (ms): wait clocks run on the switch's time. */
  clockOffsetMs?: number;
  /** The active alerts (the API fills this in; a replay has none). */
  alerts?: Alert[];
  /**
   * The contact centre's time zone (BELOFTE_TIMEZONE; the API fills this in): the zone of
   * "today" and of every clock and time of day the wallboard shows.
   */
  timeZone?: string;
  /** Whether the figures can be trusted right now. */
  health: LiveHealth;
  /** Per site (one phone switch, one collector): its total and health. */
  sites?: Record<string, SiteFigures>;
}

export interface LiveHealth {
  collectorConnected: boolean;
  lastEventAt: string | null;
  stale: boolean;
  reason: string | null;
}

export interface SiteFigures {
  total: QueueFigures;
  health: LiveHealth;
  clockOffsetMs: number;
}

export interface Thresholds {
  targetSeconds: number;
  serviceLevelTarget: number;
  guaranteeSeconds: number;
  maxTransfers: number;
  shortAbandonSeconds: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  targetSeconds: 20,
  serviceLevelTarget: 0.8,
  guaranteeSeconds: 300,
  maxTransfers: 2,
  shortAbandonSeconds: 0,
};

export function emptyAgentCounts(): AgentCounts {
  return perMetric(AGENT_STATES, () => 0);
}

export function emptyFigures(): QueueFigures {
  return { ...emptyCounts(), serviceLevel: null, waiting: 0, longestWaitSeconds: 0, agents: emptyAgentCounts() };
}

export { serviceLevel };

/** Adds b into a (counts add, longest wait is the max) and recomputes the service level. */
export function addFigures(a: QueueFigures, b: QueueFigures): QueueFigures {
  const out = emptyFigures();
  for (const m of WINDOW_METRIC_NAMES) out[m] = a[m] + b[m];
  out.waiting = a.waiting + b.waiting;
  out.longestWaitSeconds = Math.max(a.longestWaitSeconds, b.longestWaitSeconds);
  for (const s of AGENT_STATES) out.agents[s] = a.agents[s] + b.agents[s];
  out.serviceLevel = serviceLevel(out);
  return out;
}
