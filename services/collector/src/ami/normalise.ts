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

/** Event time from `Timestamp: 1795481036.429851` (seconds.micros), else the receipt time. */
export function eventTime(f: Fields, receivedAt: number): number {
  const ts = f.timestamp;
  if (ts) {
    const n = Number(ts);
    if (Number.isFinite(n) && n > 0) return n * 1000;
  }
  return receivedAt;
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
    wrapupSeconds: int(f, 'wrapuptime'),
  };
}

/**
 * Normalises one frame. Returns null for frames Belofte does not use; throws
 * MalformedEvent when a frame it uses lacks a field it cannot do without.
 */
export function normalise(f: Fields, receivedAt: number): AmiEvent | null {
  const name = f.event;
  if (name === undefined) return null;
  const at = eventTime(f, receivedAt);
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
        holdTime: int(f, 'holdtime'),
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
        ringTimeMs: int(f, 'ringtime'),
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
        holdTime: int(f, 'holdtime'),
        ringTimeSeconds: int(f, 'ringtime'),
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
        holdTime: int(f, 'holdtime'),
        talkTime: int(f, 'talktime'),
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
        waitSeconds: int(f, 'wait'),
      };
    default:
      return null;
  }
}
