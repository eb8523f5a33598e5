/**
 * A customer call as the collector stores it: finished calls under `keys.record(linkedid)`
 * (kept RETENTION_DAYS, indexed in `keys.records` by first queue entry), calls in progress in
 * the `keys.calls` hash. This is the read side, for the API's statistics and breach register;
 * the collector's `CustomerCall` must stay assignable to it (a test checks this at compile time).
 * All times are epoch milliseconds.
 */
/** `movedOut`: the caller left this queue for another one (AMI Redirect, dialplan flow-out). */
export type VisitStatus = 'waiting' | 'answered' | 'completed' | 'abandoned' | 'shortAbandoned' | 'timedOut' | 'movedOut' | 'unknown';

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
  outcome: 'waiting' | 'answered' | 'abandoned' | 'timedOut' | 'unknown';
  endedAt: number | null;
  /** Other Linkedids that turned out to be this call. */
  aliases?: string[];
}
