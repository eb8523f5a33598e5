/** Call and agent state kept by the domain core; plain data so it can be stored and restored. */
import type { AgentStateName, Thresholds } from '@belofte/shared/figures';

export type EntryStatus = 'waiting' | 'answered' | 'completed' | 'abandoned' | 'shortAbandoned' | 'timedOut' | 'unknown';

/** One visit of a caller channel to one queue (one QueueCallerJoin). */
export interface QueueVisit {
  /** `<uniqueid>/<join timestamp>`: unique even when a caller re-enters the same queue. */
  id: string;
  queue: string;
  uniqueid: string;
  joinedAt: number;
  status: EntryStatus;
  answeredAt: number | null;
  /** Asterisk's HoldTime at answer, whole seconds. */
  holdSeconds: number | null;
  agent: string | null;
  endedAt: number | null;
  talkSeconds: number | null;
  /** Who ended the talk: caller | agent | transfer (AgentComplete's Reason). */
  endReason: string | null;
}

export type TransferKind = 'blind' | 'attended' | 'redirect';

export interface TransferRecord {
  id: string;
  at: number;
  kind: TransferKind;
  agent: string | null;
  /** Which signals of this one transfer were seen (they arrive within a millisecond in any order). */
  signals: Array<'event' | 'complete' | 'requeue'>;
}

export type CallOutcome = 'waiting' | 'answered' | 'abandoned' | 'timedOut' | 'unknown';

/** One customer call, keyed by Linkedid: transfers and re-queues stay one call. */
export interface CustomerCall {
  linkedid: string;
  callerIdNum: string;
  visits: QueueVisit[];
  firstJoinedAt: number;
  answeredAt: number | null;
  agent: string | null;
  abandonedAt: number | null;
  transfers: TransferRecord[];
  breached: boolean;
  overTransferLimit: boolean;
  outcome: CallOutcome;
  /** Set once no visit is open and the caller's channel hung up. */
  endedAt: number | null;
  /** Other Linkedids and Uniqueids that turned out to be this call. */
  aliases: string[];
}

export interface AgentState {
  name: string;
  interface: string;
  queues: string[];
  state: AgentStateName;
  pausedReason: string | null;
  since: number;
  deviceStatus: number;
  inCall: boolean;
  paused: boolean;
  wrapupSeconds: number;
  /** Channels of this agent's current calls, for crediting transfers. */
  channels: string[];
}

export type Change =
  | { kind: 'visitJoined'; queue: string; visitId: string; linkedid: string; at: number }
  | { kind: 'visitAnswered'; queue: string; visitId: string; linkedid: string; agent: string; holdSeconds: number; withinTarget: boolean; at: number }
  | { kind: 'visitEnded'; queue: string; visitId: string; linkedid: string; outcome: 'abandoned' | 'shortAbandoned' | 'timedOut' | 'unknown'; at: number }
  | { kind: 'guaranteeBreached'; queue: string; linkedid: string; at: number }
  | { kind: 'transferLimitExceeded'; queue: string; linkedid: string; at: number }
  | { kind: 'transferred'; linkedid: string; transferId: string; agent: string | null; at: number }
  | { kind: 'agentChanged'; agent: AgentState }
  | { kind: 'callChanged'; call: CustomerCall }
  | { kind: 'callFinished'; call: CustomerCall }
  /** Two records turned out to be one call: `from` is gone, its counts belong to `into`. */
  | { kind: 'callMerged'; from: string; into: string };

export interface DomainCounters {
  events: number;
  duplicates: number;
  outOfOrder: number;
  orphans: number;
}

export type { Thresholds };
