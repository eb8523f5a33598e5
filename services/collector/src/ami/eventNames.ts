/**
 * Event names as metric labels and as evidence of what the manager session may read.
 *
 * A label value per event name would let a switch (or anything pretending to be one) make a
 * metric series per random name: names outside Asterisk's own list share the label `other`.
 */

/** Asterisk's manager events (13–22), as far as a `read = all` session receives them. */
const ASTERISK_EVENTS: ReadonlySet<string> = new Set(
  `AgentCalled AgentComplete AgentConnect AgentDump AgentLogin AgentLogoff AgentRingNoAnswer Agents AgentsComplete
  AGIExecEnd AGIExecStart AlarmClear Alarm AOC-D AOC-E AOC-S AsyncAGIEnd AsyncAGIExec AsyncAGIStart AttendedTransfer
  AuthMethodNotAllowed BlindTransfer BridgeCreate BridgeDestroy BridgeEnter BridgeInfoChannel BridgeInfoComplete
  BridgeLeave BridgeMerge BridgeVideoSourceUpdate ChallengeResponseFailed ChallengeSent ChannelTalkingStart
  ChannelTalkingStop ChanSpyStart ChanSpyStop ConfbridgeEnd ConfbridgeJoin ConfbridgeLeave ConfbridgeStart
  ContactStatus CoreShowChannel CoreShowChannelsComplete DAHDIChannel DeviceStateChange DialBegin DialEnd DialState
  DNDState DTMFBegin DTMFEnd ExtensionStatus FailedACL FullyBooted Hangup HangupHandlerPop HangupHandlerPush
  HangupHandlerRun HangupRequest Hold InvalidAccountID InvalidPassword InvalidTransport LoadAverageLimit
  LocalBridge LocalOptimizationBegin LocalOptimizationEnd LogChannel MCID MeetmeEnd MeetmeJoin MeetmeLeave
  MemoryLimit MessageWaiting MiniVoiceMail MonitorStart MonitorStop MusicOnHoldStart MusicOnHoldStop
  NewAccountCode NewCallerid Newchannel NewConnectedLine NewExten Newexten Newstate OriginateResponse ParkedCall
  ParkedCallGiveUp ParkedCallSwap ParkedCallTimeOut PeerStatus Pickup ProgressIndication QueueCallerAbandon
  QueueCallerJoin QueueCallerLeave QueueEntry QueueMember QueueMemberAdded QueueMemberPause QueueMemberPaused
  QueueMemberPenalty QueueMemberRemoved QueueMemberRinginuse QueueMemberStatus QueueParams QueueStatusComplete
  QueueSummary QueueSummaryComplete ReceiveFAX Registry Reload Rename RequestBadFormat RequestNotAllowed
  RequestNotSupported RTCPReceived RTCPSent SendFAX SessionLimit SessionTimeout Shutdown SIPQualifyPeerDone
  SoftHangupRequest SpanAlarm SpanAlarmClear Status StatusComplete SuccessfulAuth Unhold UnParkedCall
  UnexpectedAddress UserEvent VarSet`.split(/\s+/),
);

/** The label for an event name in the collector's metrics: bounded whatever the switch sends. */
export function eventLabel(name: string): string {
  return ASTERISK_EVENTS.has(name) ? name : 'other';
}

/**
 * Events of the `call` class (manager.conf `read = call`): seeing any shows that hang-ups
 * are visible in this session, which is how an abandon is told from a timeout.
 */
export const CALL_CLASS_EVENTS: ReadonlySet<string> = new Set(
  `Newchannel Newstate Hangup HangupRequest SoftHangupRequest NewCallerid NewConnectedLine NewAccountCode DialBegin
  DialEnd DialState BridgeCreate BridgeDestroy BridgeEnter BridgeLeave BridgeMerge LocalBridge LocalOptimizationBegin
  LocalOptimizationEnd Hold Unhold MusicOnHoldStart MusicOnHoldStop BlindTransfer AttendedTransfer Rename
  DeviceStateChange OriginateResponse`.split(/\s+/),
);
