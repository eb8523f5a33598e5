/**
 * Recognises an event delivered twice (a switch that repeats itself, a capture replayed over
 * live state). Asterisk's Timestamp has microseconds, so the same event twice is the same
 * identity twice; the ring remembers the last few thousand, so memory stays bounded.
 */
import { assertNever } from '@belofte/shared/never';
import type { AmiEvent } from './events.ts';

const REMEMBERED = 8_192;

/** The identity of an event for duplicate detection; null for events that may legitimately repeat. */
function identity(ev: AmiEvent): string | null {
  switch (ev.type) {
    case 'Hangup':
    case 'QueueEntry':
    case 'QueueMember':
      return null;
    case 'BlindTransfer':
    case 'AttendedTransfer':
      return `${ev.type}|${ev.at}|${ev.transfereeUniqueid}`;
    case 'QueueMemberStatus':
    case 'QueueMemberAdded':
    case 'QueueMemberPause':
    case 'QueueMemberRemoved':
      return `${ev.type}|${ev.at}|${ev.queue}|${ev.member}`;
    case 'AgentComplete':
      return `${ev.type}|${ev.at}|${ev.queue}|${ev.member}|${ev.uniqueid}`;
    case 'QueueCallerJoin':
    case 'QueueCallerLeave':
    case 'QueueCallerAbandon':
    case 'AgentCalled':
    case 'AgentRingNoAnswer':
    case 'AgentConnect':
      return `${ev.type}|${ev.at}|${ev.queue}|${ev.uniqueid}`;
    default:
      return assertNever(ev, 'event');
  }
}

export class DedupeRing {
  private readonly seen = new Set<string>();
  private readonly ring: string[] = new Array(REMEMBERED).fill('');
  private next = 0;

  /** True when this event was seen before; remembers it otherwise. */
  repeated(ev: AmiEvent): boolean {
    const key = identity(ev);
    if (key === null) return false;
    if (this.seen.has(key)) return true;
    this.seen.add(key);
    const old = this.ring[this.next]!;
    if (old) this.seen.delete(old);
    this.ring[this.next] = key;
    this.next = (this.next + 1) % REMEMBERED;
    return false;
  }
}
