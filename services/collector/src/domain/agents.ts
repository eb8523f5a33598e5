/**
 * Agent (queue member) state from Asterisk's member events.
 *
 * Asterisk reports a member per queue, but a person has one phone: the device state
 * (`Status`, AST_DEVICE_*) and pause are the same in every queue they serve, so Belofte keeps
 * one state per member name with the set of queues.
 */
import type { AgentStateName } from '@belofte/shared/figures';
import type { MemberStatus } from './events.ts';
import type { AgentState } from './types.ts';

// AST_DEVICE_* values (include/asterisk/devicestate.h).
const DEVICE_INUSE = 2;
const DEVICE_BUSY = 3;
const DEVICE_INVALID = 4;
const DEVICE_UNAVAILABLE = 5;
const DEVICE_RINGING = 6;
const DEVICE_RINGINUSE = 7;
const DEVICE_ONHOLD = 8;

export function newAgent(name: string, iface: string, at: number): AgentState {
  return {
    name,
    interface: iface,
    queues: [],
    state: 'loggedoff',
    pausedReason: null,
    since: at,
    deviceStatus: 0,
    inCall: false,
    paused: false,
    wrapupSeconds: 0,
    channels: [],
  };
}

/** The state a member's device and pause flags imply (wrap-up is decided by the tracker). */
export function stateFromDevice(a: AgentState): AgentStateName {
  if (a.queues.length === 0) return 'loggedoff';
  if (a.paused) return 'paused';
  switch (a.deviceStatus) {
    case DEVICE_INVALID:
    case DEVICE_UNAVAILABLE:
      return 'unavailable';
    case DEVICE_RINGING:
    case DEVICE_RINGINUSE:
      return 'ringing';
    case DEVICE_INUSE:
    case DEVICE_BUSY:
    case DEVICE_ONHOLD:
      return 'oncall';
  }
  return a.inCall ? 'oncall' : 'available';
}

/** Applies a member status report; returns whether anything visible changed. */
export function applyMemberStatus(a: AgentState, ev: MemberStatus): void {
  if (!a.queues.includes(ev.queue)) a.queues = [...a.queues, ev.queue].sort();
  if (ev.interface) a.interface = ev.interface;
  a.deviceStatus = ev.status;
  a.inCall = ev.inCall;
  a.paused = ev.paused;
  a.pausedReason = ev.paused ? ev.pausedReason || null : null;
  a.wrapupSeconds = ev.wrapupSeconds;
}

/** Moves the agent to `next`, restarting the clock only when the state really changes. */
export function setState(a: AgentState, next: AgentStateName, at: number): boolean {
  if (a.state === next) return false;
  a.state = next;
  a.since = at;
  return true;
}
