/** Call and agent state kept by the domain core; plain data so it can be stored and restored. */
import type { VisitEnd } from '@belofte/shared/catalogue';
import type { AgentState, Thresholds } from '@belofte/shared/figures';

import type { CallRecord, RecordedTransfer, RecordedVisit } from '@belofte/shared/callRecord';

// The stored shapes of a call and an agent live in shared (the API reads them); the domain
// adds what only it needs to work a call out.

/** One visit of a caller channel to one queue (one QueueCallerJoin); `id` is `<uniqueid>/<join timestamp>`. */
export type QueueVisit = RecordedVisit;

export type TransferKind = 'blind' | 'attended' | 'redirect';

export interface TransferRecord extends RecordedTransfer {
  kind: TransferKind;
  /** Which signals of this one transfer were seen (they arrive within a millisecond in any order). */
  signals: Array<'event' | 'complete' | 'requeue'>;
}

/** One customer call, keyed by Linkedid: transfers and re-queues stay one call. */
export interface CustomerCall extends Omit<CallRecord, 'transfers' | 'aliases'> {
  transfers: TransferRecord[];
  /** Other Linkedids and Uniqueids that turned out to be this call. */
  aliases: string[];
}

export type { AgentState };

export type Change =
  | { kind: 'visitJoined'; queue: string; visitId: string; linkedid: string; at: number }
  | { kind: 'visitAnswered'; queue: string; visitId: string; linkedid: string; agent: string; holdSeconds: number; withinTarget: boolean; at: number }
  | { kind: 'visitEnded'; queue: string; visitId: string; linkedid: string; outcome: VisitEnd; at: number }
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
  orphans: number;
  /** Numbers from the switch that could not be true (missing, garbage, negative): derived or skipped. */
  implausible: number;
  /** Calls let go to keep memory bounded (see TrackerOptions.maxCalls). */
  evicted: number;
}

export type { Thresholds };
