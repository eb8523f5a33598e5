/**
 * A customer call as the collector stores it: finished calls under `keys.record(linkedid)`
 * (kept RETENTION_DAYS, indexed in `keys.recordsIndex(base)` of its shard by first queue entry), calls in progress in
 * the `keys.calls` hash. This is the read side, for the API's statistics and breach register;
 * the collector's `CustomerCall` must stay assignable to it (a test checks this at compile time).
 * All times are epoch milliseconds.
 */
import type { VisitEnd } from './catalogue.ts';

/** A visit waits, is answered (then completed when the talk ends) or ends unanswered in one of the catalogue's ways. */
export type VisitStatus = 'waiting' | 'answered' | 'completed' | VisitEnd;

/** One queue entry (one QueueCallerJoin). */
export interface RecordedVisit {
  id: string;
  queue: string;
  uniqueid: string;
  joinedAt: number;
  status: VisitStatus;
  answeredAt: number | null;
  /** Asterisk's HoldTime at answer, whole seconds. */
  holdSeconds: number | null;
  /** The queue member (agent id) who answered. */
  agent: string | null;
  endedAt: number | null;
  /** Asterisk's TalkTime at AgentComplete, whole seconds. */
  talkSeconds: number | null;
  endReason: string | null;
}

export interface RecordedTransfer {
  id: string;
  at: number;
  kind: string;
  /** The agent who transferred, when known. */
  agent: string | null;
}

export interface CallRecord {
  linkedid: string;
  callerIdNum: string;
  visits: RecordedVisit[];
  firstJoinedAt: number;
  answeredAt: number | null;
  agent: string | null;
  abandonedAt: number | null;
  transfers: RecordedTransfer[];
  /** No person on the line within the guarantee. */
  breached: boolean;
  /** Transferred more than the limit. */
  overTransferLimit: boolean;
  /** How the call ended: as its last visit did (a short abandon is an abandon of the call). */
  outcome: 'waiting' | 'answered' | Exclude<VisitEnd, 'shortAbandoned'>;
  endedAt: number | null;
  /** Other Linkedids that turned out to be this call. */
  aliases?: string[];
}
