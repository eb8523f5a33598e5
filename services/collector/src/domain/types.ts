/** Call and agent state kept by the domain core; plain data so it can be stored and restored. */
import type { AgentStateName, Thresholds } from '@belofte/shared/figures';

import type { CallRecord, RecordedTransfer, RecordedVisit, VisitStatus } from '@belofte/shared/callRecord';

// The stored shape of a call lives in shared (the API reads it); the domain adds what only
// it needs to work a call out.
export type EntryStatus = VisitStatus;

/** One visit of a caller channel to one queue (one QueueCallerJoin); `id` is `<uniqueid>/<join timestamp>`. */
export type QueueVisit = RecordedVisit;

export type TransferKind = 'blind' | 'attended' | 'redirect';

export interface TransferRecord extends RecordedTransfer {
  kind: TransferKind;
  /** Which signals of this one transfer were seen (they arrive within a millisecond in any order). */
  signals: Array<'event' | 'complete' | 'requeue'>;
}

export type CallOutcome = CallRecord['outcome'];

/** One customer call, keyed by Linkedid: transfers and re-queues stay one call. */
export interface CustomerCall extends Omit<CallRecord, 'transfers' | 'aliases'> {
  transfers: TransferRecord[];
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
