/**
 * The AMI events Belofte understands, normalised: typed fields, times in epoch ms.
 * Everything else a `read = all` session receives is firehose and is only counted.
 */

interface Base {
  /** Event time, epoch ms: the `Timestamp:` header (timestampevents = yes), else receipt time. */
  at: number;
}

export interface QueueCallerJoin extends Base {
  type: 'QueueCallerJoin';
  queue: string;
  uniqueid: string;
  linkedid: string;
  channel: string;
  callerIdNum: string;
  position: number;
  /** The raw Timestamp text, part of the queue entry's identity (a caller can re-enter the same queue). */
  stamp: string;
}

export interface QueueCallerLeave extends Base {
  type: 'QueueCallerLeave';
  queue: string;
  uniqueid: string;
  linkedid: string;
}

export interface QueueCallerAbandon extends Base {
  type: 'QueueCallerAbandon';
  queue: string;
  uniqueid: string;
  linkedid: string;
  /** Asterisk's own wait, whole seconds; null when the switch sent none or garbage. */
  holdTime: number | null;
}

export interface AgentCalled extends Base {
  type: 'AgentCalled';
  queue: string;
  uniqueid: string;
  linkedid: string;
  member: string;
  interface: string;
}

export interface AgentRingNoAnswer extends Base {
  type: 'AgentRingNoAnswer';
  queue: string;
  uniqueid: string;
  member: string;
  interface: string;
  /** Milliseconds here, unlike AgentConnect's seconds; null when missing or garbage. */
  ringTimeMs: number | null;
}

export interface AgentConnect extends Base {
  type: 'AgentConnect';
  queue: string;
  uniqueid: string;
  linkedid: string;
  member: string;
  interface: string;
  /**
   * Asterisk's wait for this queue entry, whole seconds: the service level is counted on it.
   * Null when missing or garbage: the tracker then takes it from the visit's own times.
   */
  holdTime: number | null;
  ringTimeSeconds: number | null;
  destChannel: string;
  destUniqueid: string;
}

export interface AgentComplete extends Base {
  type: 'AgentComplete';
  queue: string;
  /** Missing when the caller's side hung up first: match by queue + interface then. */
  uniqueid: string | null;
  linkedid: string | null;
  member: string;
  interface: string;
  /** Whole seconds; null when missing or garbage (then taken from the visit's own times). */
  holdTime: number | null;
  talkTime: number | null;
  /** caller | agent | transfer */
  reason: string;
}

export interface Transfer extends Base {
  type: 'BlindTransfer' | 'AttendedTransfer';
  /** Only `Result: Success` transfers count. */
  success: boolean;
  /** Every (uniqueid, linkedid) pair the event names, caller side first. */
  transfereeUniqueid: string | null;
  transfereeLinkedid: string | null;
  transfererChannel: string | null;
  transfererUniqueid: string | null;
  transfererLinkedid: string | null;
  /** Attended only: the consultation target, which may carry the caller on. */
  targetUniqueid: string | null;
  targetLinkedid: string | null;
  /** Blind only: where the caller was sent. */
  extension: string | null;
}

export interface MemberStatus extends Base {
  type: 'QueueMemberStatus' | 'QueueMemberAdded' | 'QueueMemberPause' | 'QueueMember';
  queue: string;
  member: string;
  interface: string;
  /** AST_DEVICE_* number: 1 not in use, 2 in use, 3 busy, 5 unavailable, 6 ringing, ... */
  status: number;
  paused: boolean;
  pausedReason: string;
  inCall: boolean;
  wrapupSeconds: number;
}

export interface MemberRemoved extends Base {
  type: 'QueueMemberRemoved';
  queue: string;
  member: string;
  interface: string;
}

export interface ChannelHangup extends Base {
  /** HangupRequest / SoftHangupRequest / Hangup: the channel is going away. */
  type: 'Hangup';
  uniqueid: string;
  linkedid: string;
  final: boolean;
}

/** A caller still waiting, as `QueueStatus` reports it on (re)connect. */
export interface QueueEntry extends Base {
  type: 'QueueEntry';
  queue: string;
  uniqueid: string;
  channel: string;
  callerIdNum: string;
  waitSeconds: number;
}

export type AmiEvent =
  | QueueCallerJoin
  | QueueCallerLeave
  | QueueCallerAbandon
  | AgentCalled
  | AgentRingNoAnswer
  | AgentConnect
  | AgentComplete
  | Transfer
  | MemberStatus
  | MemberRemoved
  | ChannelHangup
  | QueueEntry;

export type AmiEventType = AmiEvent['type'];
