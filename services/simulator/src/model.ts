/**
 * The switch's model: the plans traffic hands it (CallPlan, TransferPlan), its options, and
 * the objects it plays calls with — queues, members, entries, rings, consultations, channels
 * and bridges, as app_queue and the channel core know them. Shared by switch.ts and the
 * modules it is split into (members, views, transfers, channels).
 */
import type { Task } from './clock.ts';
import type { AmiEvent, BridgeSnapshot, ChannelSnapshot } from './events.ts';

export interface TransferPlan {
  kind: 'blind' | 'attended';
  to: string;
  /** Seconds of talk before the agent starts the transfer. */
  after: number;
  /** Attended: seconds from pressing *2 until the agent hangs up to complete it. */
  consult: number;
}

/** What one customer call will do; made by traffic.ts. */
export interface CallPlan {
  queue: string;
  callerNum: string;
  callerName: string;
  /** Seconds until `agent` answers this call's ring; >= the ring timeout means it rings out. */
  ringFor(agent: string, attempt: number): number;
  /** Seconds of conversation of the n-th answered leg (0-based). */
  talkFor(leg: number): number;
  /** Who ends the n-th leg's conversation when its talk is over. */
  endBy(leg: number): 'agent' | 'caller';
  /** The caller hangs up this many seconds after the call started, whatever state it is in. */
  patience?: number;
  /** The caller hangs up after waiting this many seconds in one queue entry (undefined: never). */
  queuePatience?(entryIndex: number): number | undefined;
  /** Queue() timeout in seconds for an entry into `queue` (undefined: none). */
  timeoutFor(queue: string): number | undefined;
  /** transfers[n] is made by the agent of the n-th answered leg. */
  transfers: TransferPlan[];
  /** Seconds of dialplan (announcement) after a queue timeout before the call hangs up. */
  afterTimeoutSeconds?: number;
}

export interface SwitchOptions {
  queues: Record<string, string[]>;
  /** Member ring timeout (queues.conf `timeout`). */
  ringTimeout?: number;
  /** Pause between ring attempts (queues.conf `retry`). */
  retry?: number;
  /** queues.conf `servicelevel`. */
  serviceLevel?: number;
  /** queues.conf `wrapuptime`: seconds after a call before a member is rung again. */
  wrapup?: number;
  /** When Asterisk booted (ms): FullyBooted Uptime and members' LoginTime. */
  bootAt: number;
}

export type Role = 'customer' | 'agent' | 'consult';

export interface Chan extends ChannelSnapshot {
  role: Role;
  call: Call;
  createdMs: number;
  app: string;
  appData: string;
  bridge: Bridge | null;
  alive: boolean;
}

export interface Bridge extends BridgeSnapshot {
  chans: Set<Chan>;
}

export interface Membership {
  queue: Queue;
  dynamic: boolean;
  penalty: number;
  callsTaken: number;
  lastCall: number;
  lastPause: number;
  loginTime: number;
  paused: boolean;
  pausedReason: string;
}

export interface Agent {
  name: string;
  iface: string;
  stateInterface: string;
  /** AST_DEVICE_* of Custom:agentN: 1 not in use, 2 in use, 5 unavailable. */
  device: number;
  ringing: Ring | null;
  /** The queue entry the agent is talking to (or consulting for). */
  entry: Entry | null;
  wrapupUntil: number;
  memberships: Map<string, Membership>;
}

export interface Queue {
  name: string;
  /** Extension that reaches this queue from an attended transfer (100, 200, ...). */
  digits: string;
  members: Agent[];
  entries: Entry[];
  rrpos: number;
  holdtime: number;
  talktime: number;
  completed: number;
  completedInSl: number;
  abandoned: number;
  abandonedInSl: number;
  dispatchAt: number;
  dispatchTask: Task | null;
  deviceState: string;
  availState: string;
}

export type EntryState = 'waiting' | 'ringing' | 'connected' | 'consulting' | 'done';

export interface Entry {
  call: Call;
  queue: Queue;
  leg: Chan;
  legOne: Chan;
  joinedMs: number;
  pos: number;
  opos: number;
  state: EntryState;
  /** Original entries, and consult legs once their attended transfer completed. */
  customerFacing: boolean;
  consultOf: Consult | null;
  ring: Ring | null;
  attempts: number;
  retryUntil: number;
  timeoutTask: Task | null;
  agent: Agent | null;
  agentOne: Chan | null;
  agentTwo: Chan | null;
  bridge: Bridge | null;
  connectedMs: number;
  holdTime: number;
  legIndex: number;
  talkTask: Task | null;
  consult: Consult | null;
}

export interface Ring {
  entry: Entry;
  agent: Agent;
  one: Chan;
  two: Chan;
  startedMs: number;
  task: Task | null;
}

export interface Consult {
  from: Entry;
  agent: Agent;
  to: Queue;
  one: Chan | null;
  two: Chan | null;
  bridge: Bridge | null;
  entry: Entry | null;
  orphaned: boolean;
  done: boolean;
  completed: boolean;
}

export interface Call {
  seq: number;
  plan: CallPlan;
  linkedid: string;
  startedMs: number;
  chans: Set<Chan>;
  entries: Entry[];
  answeredLegs: number;
  customerGone: boolean;
  ended: boolean;
  patienceTask: Task | null;
  onEnded: (() => void) | null;
}

/** The switch's clock and its event output, which every part of the switch writes through. */
export interface Io {
  /** Simulated now (ms). */
  now(): number;
  /** Stamps the event and hands it to the AMI sessions. */
  emit(e: AmiEvent): void;
}

export const sec = (ms: number) => Math.floor(ms / 1000);
/** Asterisk's durations are differences of time(NULL) values: whole epoch seconds. */
export const secDiff = (fromMs: number, toMs: number) => Math.max(0, sec(toMs) - sec(fromMs));
