/**
 * The figures every view shows, per queue and in total. One definition, used by the
 * collector (what it counts), the API (what it serves) and the wallboard (what it draws).
 *
 * Service level, as Belofte counts it (README "Figure definitions"):
 *   numerator   = queue entries answered with Asterisk's HoldTime <= targetSeconds
 *   denominator = queue entries answered + abandoned (after the short-abandon grace)
 *                 + timed out / left without answer
 * A queue entry is one QueueCallerJoin: a call transferred into a second queue is offered
 * to both, exactly as Asterisk's queue_log counts ENTERQUEUE.
 */
import type { QueueTargets } from './queueSettings.ts';
import type { Staffing } from './staffing/advice.ts';

export interface Figures {
  /** Queue entries (QueueCallerJoin). */
  offered: number;
  /** Entries answered by an agent (AgentConnect). */
  answered: number;
  /** Entries where the caller hung up while waiting (after the grace time). */
  abandoned: number;
  /** Abandons within the short-abandon grace time: not in the service level. */
  shortAbandoned: number;
  /** Entries that left the queue unanswered without hanging up: timeout, empty queue, exit key. */
  timedOut: number;
  /** Entries whose end was not seen (collector disconnected): never guessed. */
  unknown: number;
  /** Answered entries with HoldTime <= target. */
  answeredWithinTarget: number;
  /** answeredWithinTarget / (answered + abandoned + timedOut); null when that is 0. */
  serviceLevel: number | null;
  /** Callers in the queue right now. */
  waiting: number;
  /** How long the longest current caller has waited, in whole seconds (0 when none). */
  longestWaitSeconds: number;
  /** Customer calls that reached a person only after the guarantee, or never (waited longer). */
  guaranteeBreaches: number;
  /** Customer calls transferred more than maxTransfers times. */
  overTransferLimit: number;
}

export type AgentStateName =
  | 'available'
  | 'ringing'
  | 'oncall'
  | 'wrapup'
  | 'paused'
  | 'unavailable'
  | 'loggedoff';

export interface AgentView {
  /** Member name as configured in queues.conf (`MemberName`). */
  name: string;
  interface: string;
  state: AgentStateName;
  /** Queues the agent is a member of. */
  queues: string[];
  pausedReason: string | null;
  /** When the current state began (ISO), as far as Belofte saw it. */
  since: string;
  /** Calls answered since local midnight. */
  answered: number;
  /** Transfers made since local midnight. */
  transfersMade: number;
  /** With several sites: the agent's site (the key is `<site>/<name>`). */
  site?: string;
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

export const AGENT_STATES: AgentStateName[] = [
  'available',
  'ringing',
  'oncall',
  'wrapup',
  'paused',
  'unavailable',
  'loggedoff',
];

export function emptyAgentCounts(): AgentCounts {
  return { available: 0, ringing: 0, oncall: 0, wrapup: 0, paused: 0, unavailable: 0, loggedoff: 0 };
}

export function emptyFigures(): QueueFigures {
  return {
    offered: 0,
    answered: 0,
    abandoned: 0,
    shortAbandoned: 0,
    timedOut: 0,
    unknown: 0,
    answeredWithinTarget: 0,
    serviceLevel: null,
    waiting: 0,
    longestWaitSeconds: 0,
    guaranteeBreaches: 0,
    overTransferLimit: 0,
    agents: emptyAgentCounts(),
  };
}

/** The service level from counts, as defined above: null when no call counts yet. */
export function serviceLevel(f: Pick<Figures, 'answered' | 'abandoned' | 'timedOut' | 'answeredWithinTarget'>): number | null {
  const denominator = f.answered + f.abandoned + f.timedOut;
  return denominator === 0 ? null : f.answeredWithinTarget / denominator;
}

/** Adds b into a (counts add, longest wait is the max) and recomputes the service level. */
export function addFigures(a: QueueFigures, b: QueueFigures): QueueFigures {
  const out: QueueFigures = {
    offered: a.offered + b.offered,
    answered: a.answered + b.answered,
    abandoned: a.abandoned + b.abandoned,
    shortAbandoned: a.shortAbandoned + b.shortAbandoned,
    timedOut: a.timedOut + b.timedOut,
    unknown: a.unknown + b.unknown,
    answeredWithinTarget: a.answeredWithinTarget + b.answeredWithinTarget,
    serviceLevel: null,
    waiting: a.waiting + b.waiting,
    longestWaitSeconds: Math.max(a.longestWaitSeconds, b.longestWaitSeconds),
    guaranteeBreaches: a.guaranteeBreaches + b.guaranteeBreaches,
    overTransferLimit: a.overTransferLimit + b.overTransferLimit,
    agents: emptyAgentCounts(),
  };
  for (const s of AGENT_STATES) out.agents[s] = a.agents[s] + b.agents[s];
  out.serviceLevel = serviceLevel(out);
  return out;
}
