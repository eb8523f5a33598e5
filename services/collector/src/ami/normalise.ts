/**
 * Raw AMI fields → typed domain events. The one place that knows Asterisk's field names,
 * their units and their quirks across versions 13 to 22.
 */
import type { Fields } from './frameParser.ts';
import type { AmiEvent, MemberStatus } from '../domain/events.ts';

/** Event names the collector parses fully; everything else is only counted. */
export const WANTED_EVENTS: ReadonlySet<string> = new Set([
  'QueueCallerJoin',
  'QueueCallerLeave',
  'QueueCallerAbandon',
  'AgentCalled',
  'AgentRingNoAnswer',
  'AgentConnect',
  'AgentComplete',
  'BlindTransfer',
  'AttendedTransfer',
  'QueueMemberStatus',
  'QueueMemberAdded',
  'QueueMemberRemoved',
  'QueueMemberPause',
  // Asterisk 12 and older name it QueueMemberPaused.
  'QueueMemberPaused',
  'HangupRequest',
  'SoftHangupRequest',
  'Hangup',
  // Answers to QueueStatus / CoreShowChannels on (re)connect.
  'QueueEntry',
  'QueueMember',
  'QueueParams',
  'QueueStatusComplete',
  'CoreShowChannel',
  'CoreShowChannelsComplete',
  'FullyBooted',
]);

export class MalformedEvent extends Error {}

function req(f: Fields, key: string, event: string): string {
  const v = f[key];
  if (v === undefined || v === '') throw new MalformedEvent(`${event} without ${key}`);
  return v;
}

function opt(f: Fields, key: string): string | null {
  const v = f[key];
  return v === undefined || v === '' || v === '<unknown>' ? null : v;
}

function int(f: Fields, key: string, fallback = 0): number {
  const v = f[key];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? n : fallback;
}

/** A duration no call has: a switch that says so is wrong. */
const MAX_DURATION_SECONDS = 86_400;

/**
 * A duration field (`HoldTime`, `TalkTime`, `RingTime`): a whole number from 0 up to a day,
 * or null when missing, garbage, negative or absurd (the domain then derives it from the
 * visit's own event times, or skips the event).
 */
function duration(f: Fields, key: string, max = MAX_DURATION_SECONDS): number | null {
  const v = f[key]?.trim();
  if (!v || !/^\d+(\.\d+)?$/.test(v)) return null;
  const n = Math.floor(Number(v));
  return Number.isFinite(n) && n <= max ? n : null;
}

/** An event time further than this from when it arrived is the switch's mistake, not its clock (default of AMI_MAX_CLOCK_SKEW_SECONDS). */
export const MAX_CLOCK_SKEW_MS = 86_400_000;

/**
 * Event time from `Timestamp: 1795481036.429851` (seconds.micros), range-checked against
 * `reference` (the receipt time, or in a replay the previous event's time): a time more than a
 * day away from it, or garbage, is replaced by the reference and `suspect` is set.
 */
export function eventTime(f: Fields, reference: number, maxSkewMs = MAX_CLOCK_SKEW_MS): { at: number; suspect: boolean } {
  const ts = f.timestamp;
  if (ts === undefined || ts === '') return { at: reference, suspect: false };
  const at = Number(ts) * 1000;
  if (!Number.isFinite(at) || at <= 0) return { at: reference, suspect: true };
  // No reference yet (the first event of a replay): only a time no switch can have is refused.
  // maxSkewMs 0: the switch's times are trusted as they come (a past week played on purpose).
  if (reference <= 0 || maxSkewMs === 0) return at < 8.64e15 ? { at, suspect: false } : { at: reference, suspect: true };
  return Math.abs(at - reference) > maxSkewMs ? { at: reference, suspect: true } : { at, suspect: false };
}

/** What normalising noticed about a frame beyond its fields, for the collector's counters. */
export interface NormaliseNotes {
  /** The Timestamp was replaced by the reference time. */
  suspectTime: boolean;
  /** The largest believable distance of a Timestamp from the reference (0: no check). */
  maxSkewMs?: number;
}

function member(f: Fields, event: string, type: MemberStatus['type'], at: number): MemberStatus {
  return {
    type,
    at,
    queue: req(f, 'queue', event),
    // QueueMember (the QueueStatus answer) says Name; the events say MemberName.
    member: f.membername || f.name || req(f, 'interface', event),
    interface: f.interface || f.location || f.stateinterface || '',
    status: int(f, 'status'),
    paused: f.paused === '1' || f.paused === 'true',
    pausedReason: f.pausedreason ?? f.reason ?? '',
    inCall: f.incall === '1',
    wrapupSeconds: duration(f, 'wrapuptime') ?? 0,
  };
}

/**
 * Normalises one frame. Returns null for frames Belofte does not use; throws
 * MalformedEvent when a frame it uses lacks a field it cannot do without. `receivedAt` is the
 * reference for the event's time (see eventTime); `notes`, when given, learns what was repaired.
 */
export function normalise(f: Fields, receivedAt: number, notes?: NormaliseNotes): AmiEvent | null {
  const name = f.event;
  if (name === undefined) return null;
  if (name.trim() === '') throw new MalformedEvent('Event: without a name');
  const time = eventTime(f, receivedAt, notes?.maxSkewMs);
  const at = time.at;
  if (notes) notes.suspectTime = time.suspect;
  switch (name) {
    case 'QueueCallerJoin':
      return {
        type: name,
        at,
        queue: req(f, 'queue', name),
        uniqueid: req(f, 'uniqueid', name),
        linkedid: f.linkedid || req(f, 'uniqueid', name),
        channel: f.channel ?? '',
        callerIdNum: opt(f, 'calleridnum') ?? '',
        position: int(f, 'position'),
        stamp: f.timestamp || String(receivedAt),
      };
    case 'QueueCallerLeave':
      return { type: name, at, queue: req(f, 'queue', name), uniqueid: req(f, 'uniqueid', name), linkedid: f.linkedid || f.uniqueid! };
    case 'QueueCallerAbandon':
      return {
        type: name,
        at,
        queue: req(f, 'queue', name),
        uniqueid: req(f, 'uniqueid', name),
        linkedid: f.linkedid || f.uniqueid!,
        holdTime: duration(f, 'holdtime'),
      };
    case 'AgentCalled':
      return {
        type: name,
        at,
        queue: req(f, 'queue', name),
        uniqueid: req(f, 'uniqueid', name),
        linkedid: f.linkedid || f.uniqueid!,
        member: f.membername || req(f, 'interface', name),
        interface: f.interface ?? '',
      };
    case 'AgentRingNoAnswer':
      return {
        type: name,
        at,
        queue: req(f, 'queue', name),
        uniqueid: req(f, 'uniqueid', name),
        member: f.membername || req(f, 'interface', name),
        interface: f.interface ?? '',
        ringTimeMs: duration(f, 'ringtime', MAX_DURATION_SECONDS * 1000),
      };
    case 'AgentConnect':
      return {
        type: name,
        at,
        queue: req(f, 'queue', name),
        uniqueid: req(f, 'uniqueid', name),
        linkedid: f.linkedid || f.uniqueid!,
        member: f.membername || req(f, 'interface', name),
        interface: f.interface ?? '',
        holdTime: duration(f, 'holdtime'),
        ringTimeSeconds: duration(f, 'ringtime'),
        destChannel: f.destchannel ?? '',
        destUniqueid: f.destuniqueid ?? '',
      };
    case 'AgentComplete':
      return {
        type: name,
        at,
        queue: req(f, 'queue', name),
        uniqueid: opt(f, 'uniqueid'),
        linkedid: opt(f, 'linkedid'),
        member: f.membername || req(f, 'interface', name),
        interface: f.interface ?? '',
        holdTime: duration(f, 'holdtime'),
        talkTime: duration(f, 'talktime'),
        reason: f.reason ?? '',
      };
    case 'BlindTransfer':
      return {
        type: name,
        at,
        success: f.result === 'Success',
        transfereeUniqueid: opt(f, 'transfereeuniqueid'),
        transfereeLinkedid: opt(f, 'transfereelinkedid'),
        transfererChannel: opt(f, 'transfererchannel'),
        transfererUniqueid: opt(f, 'transfereruniqueid'),
        transfererLinkedid: opt(f, 'transfererlinkedid'),
        targetUniqueid: null,
        targetLinkedid: null,
        extension: opt(f, 'extension'),
      };
    case 'AttendedTransfer':
      return {
        type: name,
        at,
        success: f.result === 'Success',
        transfereeUniqueid: opt(f, 'transfereeuniqueid'),
        transfereeLinkedid: opt(f, 'transfereelinkedid'),
        transfererChannel: opt(f, 'origtransfererchannel'),
        transfererUniqueid: opt(f, 'origtransfereruniqueid'),
        transfererLinkedid: opt(f, 'origtransfererlinkedid'),
        // Asterisk can leave out every TransferTarget* field (README of the captures).
        targetUniqueid: opt(f, 'transfertargetuniqueid'),
        targetLinkedid: opt(f, 'transfertargetlinkedid') ?? opt(f, 'secondtransfererlinkedid'),
        extension: null,
      };
    case 'QueueMemberStatus':
    case 'QueueMemberAdded':
    case 'QueueMember':
      return member(f, name, name, at);
    case 'QueueMemberPause':
    case 'QueueMemberPaused':
      return member(f, name, 'QueueMemberPause', at);
    case 'QueueMemberRemoved':
      return { type: name, at, queue: req(f, 'queue', name), member: f.membername || req(f, 'interface', name), interface: f.interface ?? '' };
    case 'HangupRequest':
    case 'SoftHangupRequest':
    case 'Hangup':
      if (!f.uniqueid) return null;
      return { type: 'Hangup', at, uniqueid: f.uniqueid, linkedid: f.linkedid || f.uniqueid, final: name === 'Hangup' };
    case 'QueueEntry':
      return {
        type: name,
        at: receivedAt,
        queue: req(f, 'queue', name),
        uniqueid: req(f, 'uniqueid', name),
        channel: f.channel ?? '',
        callerIdNum: opt(f, 'calleridnum') ?? '',
        waitSeconds: duration(f, 'wait') ?? 0,
      };
    default:
      return null;
  }
}
