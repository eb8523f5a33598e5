/**
 * Event builders. Every header list and its order is copied from the real Asterisk 22 captures
 * in test/fixtures/ami (events.test.ts checks them against warm-transfers.ami); the three events
 * the captures lack (AgentRingNoAnswer, QueueMemberAdded, QueueMemberRemoved) follow
 * apps/app_queue.c: AgentRingNoAnswer is built like AgentCalled (queue_multi_channel_to_ami)
 * plus RingTime, the member events like QueueMemberStatus (queue_member_blob_create).
 */
import type { Header } from './protocol.ts';

export interface AmiEvent {
  name: string;
  /** Event class list as Asterisk writes it, e.g. `agent,all`. */
  privilege: string;
  headers: Header[];
  /** When the event was raised (µs on the simulated clock); set by the switch. */
  us: number;
  /** No `Timestamp:` header (FullyBooted has none in the captures). */
  noTimestamp?: boolean;
}

/** The channel snapshot fields of ast_manager_build_channel_state_string. */
export interface ChannelSnapshot {
  name: string;
  /** AST_STATE_*: 0 Down, 4 Ring, 5 Ringing, 6 Up. */
  state: number;
  callerNum: string;
  callerName: string;
  connectedNum: string;
  connectedName: string;
  language: string;
  accountCode: string;
  context: string;
  exten: string;
  priority: number;
  uniqueid: string;
  linkedid: string;
}

export interface BridgeSnapshot {
  id: string;
  numChannels: number;
}

/** The member blob of app_queue (QueueMemberStatus/Pause/Added/Removed). */
export interface MemberSnapshot {
  queue: string;
  memberName: string;
  iface: string;
  stateInterface: string;
  membership: 'static' | 'dynamic' | 'realtime';
  penalty: number;
  callsTaken: number;
  /** Epoch seconds of the end of the last call, 0 if none. */
  lastCall: number;
  lastPause: number;
  loginTime: number;
  inCall: number;
  /** AST_DEVICE_*: 1 not in use, 2 in use, 5 unavailable, 6 ringing. */
  status: number;
  paused: number;
  pausedReason: string;
  ringinuse: number;
  wrapuptime: number;
}

const STATE_DESC: Record<number, string> = { 0: 'Down', 1: 'Rsrvd', 2: 'OffHook', 3: 'Dialing', 4: 'Ring', 5: 'Ringing', 6: 'Up', 7: 'Busy' };

export function stateDesc(state: number): string {
  return STATE_DESC[state] ?? 'Unknown';
}

/** Channel, ChannelState, ..., Linkedid, with an optional prefix (Dest, Transferer, LocalOne...). */
export function channelHeaders(c: ChannelSnapshot, prefix = ''): Header[] {
  return [
    [`${prefix}Channel`, c.name],
    [`${prefix}ChannelState`, String(c.state)],
    [`${prefix}ChannelStateDesc`, stateDesc(c.state)],
    [`${prefix}CallerIDNum`, c.callerNum],
    [`${prefix}CallerIDName`, c.callerName],
    [`${prefix}ConnectedLineNum`, c.connectedNum],
    [`${prefix}ConnectedLineName`, c.connectedName],
    [`${prefix}Language`, c.language],
    [`${prefix}AccountCode`, c.accountCode],
    [`${prefix}Context`, c.context],
    [`${prefix}Exten`, c.exten],
    [`${prefix}Priority`, String(c.priority)],
    [`${prefix}Uniqueid`, c.uniqueid],
    [`${prefix}Linkedid`, c.linkedid],
  ];
}

export function bridgeHeaders(b: BridgeSnapshot, prefix = ''): Header[] {
  return [
    [`${prefix}BridgeUniqueid`, b.id],
    [`${prefix}BridgeType`, 'basic'],
    [`${prefix}BridgeTechnology`, 'simple_bridge'],
    [`${prefix}BridgeCreator`, '<unknown>'],
    [`${prefix}BridgeName`, '<unknown>'],
    [`${prefix}BridgeNumChannels`, String(b.numChannels)],
    [`${prefix}BridgeVideoSourceMode`, 'none'],
  ];
}

function memberHeaders(m: MemberSnapshot): Header[] {
  return [
    ['Queue', m.queue],
    ['MemberName', m.memberName],
    ['Interface', m.iface],
    ['StateInterface', m.stateInterface],
    ['Membership', m.membership],
    ['Penalty', String(m.penalty)],
    ['CallsTaken', String(m.callsTaken)],
    ['LastCall', String(m.lastCall)],
    ['LastPause', String(m.lastPause)],
    ['LoginTime', String(m.loginTime)],
    ['InCall', String(m.inCall)],
    ['Status', String(m.status)],
    ['Paused', String(m.paused)],
    ['PausedReason', m.pausedReason],
    ['Ringinuse', String(m.ringinuse)],
    ['Wrapuptime', String(m.wrapuptime)],
  ];
}

function ev(name: string, privilege: string, headers: Header[]): AmiEvent {
  return { name, privilege, headers, us: 0 };
}

const CALL = 'call,all';
const DIALPLAN = 'dialplan,all';
const AGENT = 'agent,all';

/** Hangup causes as Asterisk's ast_cause2str writes them. */
export const CAUSE_TEXT: Record<number, string> = { 0: 'Unknown', 16: 'Normal Clearing', 17: 'User busy', 19: 'No user responding', 21: 'Call Rejected' };

// ---- channel lifecycle (the firehose a collector must skip) ----

export const newchannel = (c: ChannelSnapshot) => ev('Newchannel', CALL, channelHeaders(c));
export const newstate = (c: ChannelSnapshot) => ev('Newstate', CALL, channelHeaders(c));
export const newCallerid = (c: ChannelSnapshot, pres = '0 (Presentation Allowed, Not Screened)') =>
  ev('NewCallerid', CALL, [...channelHeaders(c), ['CID-CallingPres', pres]]);
export const newConnectedLine = (c: ChannelSnapshot) => ev('NewConnectedLine', CALL, channelHeaders(c));
export const newexten = (c: ChannelSnapshot, application: string, appData: string) =>
  ev('Newexten', DIALPLAN, [...channelHeaders(c), ['Extension', c.exten], ['Application', application], ['AppData', appData]]);
export const varSet = (c: ChannelSnapshot, variable: string, value: string) =>
  ev('VarSet', DIALPLAN, [...channelHeaders(c), ['Variable', variable], ['Value', value]]);
export const hangupHandlerPush = (c: ChannelSnapshot, handler: string) =>
  ev('HangupHandlerPush', DIALPLAN, [...channelHeaders(c), ['Handler', handler]]);
export const hangupHandlerRun = (c: ChannelSnapshot, handler: string) =>
  ev('HangupHandlerRun', DIALPLAN, [...channelHeaders(c), ['Handler', handler]]);
export const softHangupRequest = (c: ChannelSnapshot, cause: number) =>
  ev('SoftHangupRequest', CALL, [...channelHeaders(c), ['Cause', String(cause)]]);
export const hangupRequest = (c: ChannelSnapshot, cause: number) =>
  ev('HangupRequest', CALL, [...channelHeaders(c), ['Cause', String(cause)]]);
export const hangup = (c: ChannelSnapshot, cause: number) =>
  ev('Hangup', CALL, [...channelHeaders(c), ['Cause', String(cause)], ['Cause-txt', CAUSE_TEXT[cause] ?? 'Unknown']]);
export const hold = (c: ChannelSnapshot) => ev('Hold', CALL, channelHeaders(c));
export const unhold = (c: ChannelSnapshot) => ev('Unhold', CALL, channelHeaders(c));
export const dtmfEnd = (c: ChannelSnapshot, digit: string) =>
  ev('DTMFEnd', 'dtmf,all', [...channelHeaders(c), ['Digit', digit], ['DurationMs', '0'], ['Direction', 'Received']]);

export const localBridge = (one: ChannelSnapshot, two: ChannelSnapshot, context: string, exten: string, optimization: 'Yes' | 'No' = 'No') =>
  ev('LocalBridge', CALL, [
    ...channelHeaders(one, 'LocalOne'),
    ...channelHeaders(two, 'LocalTwo'),
    ['Context', context],
    ['Exten', exten],
    ['LocalOptimization', optimization],
  ]);

/** DialBegin; the caller part is absent when the dial came from an originate (no calling channel). */
export const dialBegin = (caller: ChannelSnapshot | null, dest: ChannelSnapshot, dialString: string) =>
  ev('DialBegin', CALL, [...(caller ? channelHeaders(caller) : []), ...channelHeaders(dest, 'Dest'), ['DialString', dialString]]);
export const dialEnd = (caller: ChannelSnapshot | null, dest: ChannelSnapshot, dialStatus: string) =>
  ev('DialEnd', CALL, [...(caller ? channelHeaders(caller) : []), ...channelHeaders(dest, 'Dest'), ['DialStatus', dialStatus]]);

export const bridgeCreate = (b: BridgeSnapshot) => ev('BridgeCreate', CALL, bridgeHeaders(b));
export const bridgeDestroy = (b: BridgeSnapshot) => ev('BridgeDestroy', CALL, bridgeHeaders(b));
export const bridgeEnter = (b: BridgeSnapshot, c: ChannelSnapshot) => ev('BridgeEnter', CALL, [...bridgeHeaders(b), ...channelHeaders(c)]);
export const bridgeLeave = (b: BridgeSnapshot, c: ChannelSnapshot) => ev('BridgeLeave', CALL, [...bridgeHeaders(b), ...channelHeaders(c)]);
export const bridgeMerge = (to: BridgeSnapshot, from: BridgeSnapshot) =>
  ev('BridgeMerge', CALL, [...bridgeHeaders(to, 'To'), ...bridgeHeaders(from, 'From')]);

export const deviceStateChange = (device: string, state: string) => ev('DeviceStateChange', CALL, [['Device', device], ['State', state]]);

// ---- app_queue: the events Belofte counts ----

export const queueCallerJoin = (c: ChannelSnapshot, queue: string, position: number, count: number) =>
  ev('QueueCallerJoin', AGENT, [...channelHeaders(c), ['Queue', queue], ['Position', String(position)], ['Count', String(count)]]);
export const queueCallerLeave = (c: ChannelSnapshot, queue: string, position: number, count: number) =>
  ev('QueueCallerLeave', AGENT, [...channelHeaders(c), ['Queue', queue], ['Position', String(position)], ['Count', String(count)]]);
/** record_abandoned(): also raised when the caller's wait timed out. HoldTime in whole seconds. */
export const queueCallerAbandon = (c: ChannelSnapshot, queue: string, position: number, originalPosition: number, holdTime: number) =>
  ev('QueueCallerAbandon', AGENT, [
    ...channelHeaders(c),
    ['Queue', queue],
    ['Position', String(position)],
    ['OriginalPosition', String(originalPosition)],
    ['HoldTime', String(holdTime)],
  ]);

function agentBlob(caller: ChannelSnapshot | null, agent: ChannelSnapshot | null, queue: string, iface: string, member: string): Header[] {
  return [
    ...(caller ? channelHeaders(caller) : []),
    ...(agent ? channelHeaders(agent, 'Dest') : []),
    ['Queue', queue],
    ['Interface', iface],
    ['MemberName', member],
  ];
}

export const agentCalled = (caller: ChannelSnapshot, agent: ChannelSnapshot, queue: string, iface: string, member: string) =>
  ev('AgentCalled', AGENT, agentBlob(caller, agent, queue, iface, member));
/** RingTime in milliseconds here (rna() passes the ms rung), unlike AgentConnect. */
export const agentRingNoAnswer = (caller: ChannelSnapshot, agent: ChannelSnapshot, queue: string, iface: string, member: string, ringMs: number) =>
  ev('AgentRingNoAnswer', AGENT, [...agentBlob(caller, agent, queue, iface, member), ['RingTime', String(ringMs)]]);
/** HoldTime and RingTime in whole seconds. */
export const agentConnect = (
  caller: ChannelSnapshot, agent: ChannelSnapshot, queue: string, iface: string, member: string, holdTime: number, ringTime: number,
) => ev('AgentConnect', AGENT, [...agentBlob(caller, agent, queue, iface, member), ['HoldTime', String(holdTime)], ['RingTime', String(ringTime)]]);
/**
 * AgentComplete. Asterisk takes the snapshots at the end of the call, so a side that is already
 * gone is missing: without Dest* when the agent's channel went first (seen in the captures),
 * without the caller's Channel..Linkedid when the caller's side went first.
 */
export const agentComplete = (
  caller: ChannelSnapshot | null, agent: ChannelSnapshot | null, queue: string, iface: string, member: string,
  holdTime: number, talkTime: number, reason: 'caller' | 'agent' | 'transfer',
) => ev('AgentComplete', AGENT, [
  ...agentBlob(caller, agent, queue, iface, member),
  ['HoldTime', String(holdTime)],
  ['TalkTime', String(talkTime)],
  ['Reason', reason],
]);

export const queueMemberStatus = (m: MemberSnapshot) => ev('QueueMemberStatus', AGENT, memberHeaders(m));
export const queueMemberPause = (m: MemberSnapshot) => ev('QueueMemberPause', AGENT, memberHeaders(m));
export const queueMemberAdded = (m: MemberSnapshot) => ev('QueueMemberAdded', AGENT, memberHeaders(m));
export const queueMemberRemoved = (m: MemberSnapshot) => ev('QueueMemberRemoved', AGENT, memberHeaders(m));

// ---- transfers ----

export const blindTransfer = (
  transferer: ChannelSnapshot, transferee: ChannelSnapshot, bridge: BridgeSnapshot, context: string, extension: string,
) => ev('BlindTransfer', CALL, [
  ['Result', 'Success'],
  ...channelHeaders(transferer, 'Transferer'),
  ...channelHeaders(transferee, 'Transferee'),
  ...bridgeHeaders(bridge),
  ['IsExternal', 'Yes'],
  ['Context', context],
  ['Extension', extension],
]);

/** The target part is missing when Asterisk no longer had the target's snapshot (see the README). */
export const attendedTransfer = (
  origTransferer: ChannelSnapshot, origBridge: BridgeSnapshot,
  secondTransferer: ChannelSnapshot, secondBridge: BridgeSnapshot,
  transferee: ChannelSnapshot, target: ChannelSnapshot | null,
) => ev('AttendedTransfer', CALL, [
  ['Result', 'Success'],
  ...channelHeaders(origTransferer, 'OrigTransferer'),
  ...bridgeHeaders(origBridge, 'Orig'),
  ...channelHeaders(secondTransferer, 'SecondTransferer'),
  ...bridgeHeaders(secondBridge, 'Second'),
  ...channelHeaders(transferee, 'Transferee'),
  ...(target ? channelHeaders(target, 'TransferTarget') : []),
  ['IsExternal', 'No'],
  ['DestType', 'Bridge'],
  ['DestBridgeUniqueid', origBridge.id],
]);

// ---- manager session events ----

/** Sent by action_login to the session itself; no Timestamp header in the captures. */
export const fullyBooted = (uptime: number, lastReload: number): AmiEvent => ({
  ...ev('FullyBooted', 'system,all', [['Uptime', String(uptime)], ['LastReload', String(lastReload)], ['Status', 'Fully Booted']]),
  noTimestamp: true,
});

export interface AuthInfo {
  eventTv: string;
  accountId: string;
  sessionId: string;
  localAddress: string;
  remoteAddress: string;
}

export const successfulAuth = (a: AuthInfo) => ev('SuccessfulAuth', 'security,all', [
  ['EventTV', a.eventTv],
  ['Severity', 'Informational'],
  ['Service', 'AMI'],
  ['EventVersion', '1'],
  ['AccountID', a.accountId],
  ['SessionID', a.sessionId],
  ['LocalAddress', a.localAddress],
  ['RemoteAddress', a.remoteAddress],
  ['UsingPassword', '0'],
  ['SessionTV', a.eventTv],
]);

/** Asterisk's EventTV format: 2026-11-24T00:43:56.429+0000. */
export function eventTv(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

/** The serialized event: Event, Privilege, Timestamp, then the fields (timestampevents = yes). */
export function formatEvent(e: AmiEvent, timestamp: string): string {
  let s = `Event: ${e.name}\r\nPrivilege: ${e.privilege}\r\n`;
  if (!e.noTimestamp) s += `Timestamp: ${timestamp}\r\n`;
  for (const [k, v] of e.headers) s += `${k}: ${v}\r\n`;
  return s + '\r\n';
}
