/**
 * Transfers, as the agents in the captures make them: blind (the caller's channel re-enters
 * another queue, transfer-chain.ami) and attended (*2 and the target queue's digits, a
 * consultation that waits in the target queue, completed when the agent hangs up,
 * warm-transfers.ami). What a transfer needs of the switch's queueing and hanging up comes
 * through TransferHost.
 */
import type { Channels } from './channels.ts';
import type { Scheduler } from './clock.ts';
import * as E from './events.ts';
import { emitMemberStatus, refreshAgentQueues, runHangupHandler, setDevice } from './members.ts';
import { secDiff, type Agent, type Call, type Chan, type Consult, type Entry, type Io, type Queue, type TransferPlan } from './model.ts';
import type { Rng } from './rng.ts';
import type { TruthRecorder } from './truth.ts';

/** The parts of the switch a transfer works with. */
export interface TransferHost extends Io {
  readonly queues: ReadonlyMap<string, Queue>;
  readonly chans: Channels;
  readonly scheduler: Scheduler;
  /** The switch's random stream (the order of a race, a missing snapshot, talk after a failed consult). */
  readonly rng: Rng;
  readonly truth: TruthRecorder;
  /** Queue() for a leg: a blind transfer's caller, or a consultation's ;2 side. */
  joinQueue(call: Call, queue: Queue, leg: Chan, legOne: Chan, consultOf: Consult | null): void;
  abandonEntry(entry: Entry, why: 'caller'): void;
  callerEnds(entry: Entry): void;
  endOfTalk(entry: Entry): void;
  completeStats(entry: Entry, talkTime: number): void;
  releaseAgent(agent: Agent): void;
  agentFreed(agent: Agent): void;
  checkEnded(call: Call): void;
}

/** The agent of an answered entry starts its planned transfer, if still talking. */
export function startTransfer(h: TransferHost, entry: Entry, t: TransferPlan): void {
  if (entry.state !== 'connected') return;
  if (t.kind === 'blind') blindTransfer(h, entry, h.queues.get(t.to)!);
  else attendedStart(h, entry, h.queues.get(t.to)!, t);
}

/**
 * Blind transfer into another queue (the agent's BlindTransfer): the caller's same channel
 * re-enters the target queue. BlindTransfer, the old queue's AgentComplete (Reason transfer)
 * and the new QueueCallerJoin come within a millisecond, as in transfer-chain.ami.
 */
function blindTransfer(h: TransferHost, entry: Entry, to: Queue): void {
  const { call, leg, legOne, queue } = entry;
  const agent = entry.agent!;
  const one = entry.agentOne!;
  const two = entry.agentTwo!;
  const bridge = entry.bridge!;
  entry.state = 'done';
  h.scheduler.cancel(entry.talkTask);
  h.emit(E.unhold(one));
  h.emit(E.varSet(leg, 'BLINDTRANSFER', one.name));
  h.emit(E.varSet(one, 'BLINDTRANSFER', leg.name));
  h.emit(E.varSet(one, 'BRIDGEPEER', ''));
  h.emit(E.blindTransfer(one, leg, bridge, 'inbound', to.name));
  const now = h.now();
  const talkTime = secDiff(entry.connectedMs, now);
  // The old queue's AgentComplete and the new queue's QueueCallerJoin race in Asterisk
  // (different threads): both orders occur within the same millisecond.
  const joinFirst = h.rng.chance(0.4);
  const complete = () => {
    h.emit(E.agentComplete(leg, one, queue.name, agent.iface, agent.name, entry.holdTime, talkTime, 'transfer'));
    h.completeStats(entry, talkTime);
    h.truth.transfer(call.linkedid);
  };
  if (joinFirst) {
    leg.exten = to.name;
    h.joinQueue(call, to, leg, legOne, null);
  }
  complete();
  h.chans.leaveBridge(bridge, one);
  h.emit(E.hangupRequest(two, 16));
  h.chans.kill(one, 16);
  h.emit(E.varSet(leg, 'BRIDGEPEER', ''));
  h.emit(E.softHangupRequest(two, 16));
  const handler = `agent-free,s,1(${agent.name})`;
  h.emit(E.hangupHandlerRun(two, handler));
  h.chans.leaveBridge(bridge, leg);
  h.emit(E.varSet(leg, 'DIALEDTIME', String(Math.floor((now - leg.createdMs) / 1000))));
  h.emit(E.varSet(leg, 'DIALEDTIME_MS', String(Math.round(now - leg.createdMs))));
  h.emit(E.varSet(leg, 'ANSWEREDTIME', '0'));
  h.emit(E.varSet(leg, 'ANSWEREDTIME_MS', '0'));
  if (!joinFirst) h.joinQueue(call, to, leg, legOne, null);
  // The old agent's hangup handler clears its device state just after.
  two.context = 'agent-free';
  two.exten = 's';
  h.chans.exten(two, 'Set', `DEVICE_STATE(Custom:${agent.name})=NOT_INUSE`);
  setDevice(h, agent, 1);
  h.releaseAgent(agent);
  emitMemberStatus(h, agent);
  refreshAgentQueues(h, agent);
  h.chans.exten(two, 'Return', '');
  h.chans.kill(two, 16);
  h.emit(E.deviceStateChange(`Local/${agent.name}@agents`, 'NOT_INUSE'));
  h.agentFreed(agent);
}

/**
 * Attended transfer, as the agent does it in warm-transfers.ami: *2 and the target queue's
 * digits put the caller on hold and dial Local/<digits>@inbound, whose ;2 side waits in the
 * target queue with the caller's Linkedid. The agent hangs up after the consultation to
 * complete the transfer, answered by then or not.
 */
function attendedStart(h: TransferHost, entry: Entry, to: Queue, t: TransferPlan): void {
  const agent = entry.agent!;
  const one = entry.agentOne!;
  entry.state = 'consulting';
  h.scheduler.cancel(entry.talkTask);
  const consult: Consult = { from: entry, agent, to, one: null, two: null, bridge: null, entry: null, orphaned: false, done: false, completed: false };
  entry.consult = consult;
  h.emit(E.varSet(one, 'TRANSFER_CONTEXT', 'inbound'));
  h.emit(E.dtmfEnd(one, '*'));
  const t0 = h.now();
  const alive = () => one.alive && !consult.done;
  h.scheduler.at(t0 + 160, () => alive() && h.emit(E.dtmfEnd(one, '2')));
  h.scheduler.at(t0 + 260, () => alive() && h.emit(E.hold(one)));
  const digits = to.digits.split('');
  digits.forEach((d, i) => {
    h.scheduler.at(t0 + 320 + 60 * i, () => alive() && h.emit(E.dtmfEnd(one, d)));
  });
  const dialAt = t0 + 320 + 60 * (digits.length - 1);
  h.scheduler.at(dialAt, () => {
    if (!alive()) return;
    consultDial(h, consult);
  });
  h.scheduler.at(Math.max(dialAt + 1, t0 + t.consult * 1000), () => consultEnd(h, consult));
}

function consultDial(h: TransferHost, consult: Consult): void {
  const { from, to } = consult;
  const call = from.call;
  const agentOne = from.agentOne!;
  const [c1, c2] = h.chans.localPair(call, to.digits, 'inbound', 'consult');
  // The consult leg takes the transferring agent channel's caller id: the customer's number,
  // or, dialled by an agent who answered a consult leg, that leg's queue name
  // (warm-transfers.ami, three transfers in a row).
  const num = agentOne.callerNum;
  const name = agentOne.callerName;
  h.emit(E.newchannel(c1));
  h.emit(E.newchannel(c2));
  h.emit(E.varSet(c1, 'TRANSFERERNAME', agentOne.name));
  h.emit(E.varSet(c1, 'ATTENDEDTRANSFER', agentOne.name));
  const cb = h.chans.newBridge();
  h.emit(E.bridgeCreate(cb));
  h.emit(E.varSet(c2, 'ATTENDEDTRANSFER', agentOne.name));
  h.emit(E.varSet(c2, 'TRANSFERERNAME', agentOne.name));
  c2.callerNum = num;
  c2.callerName = name;
  h.emit(E.newCallerid(c2));
  h.emit(E.localBridge(c1, c2, 'inbound', to.digits));
  c1.connectedNum = num;
  c1.connectedName = name;
  h.emit(E.newConnectedLine(c1));
  h.chans.exten(c2, 'Goto', `${to.name},1`);
  h.chans.enterBridge(cb, c1);
  c2.exten = to.name;
  h.chans.exten(c2, 'Answer', '');
  c2.state = 6;
  h.emit(E.newstate(c2));
  h.emit(E.deviceStateChange(`Local/${to.digits}@inbound`, 'INUSE'));
  h.emit(E.varSet(c1, 'ATTENDEDTRANSFER', ''));
  c1.state = 6;
  h.emit(E.newstate(c1));
  h.emit(E.dialEnd(null, c1, 'ANSWER'));
  if (from.bridge && agentOne.bridge === from.bridge) h.chans.leaveBridge(from.bridge, agentOne, true);
  h.chans.enterBridge(cb, agentOne);
  h.emit(E.varSet(c1, 'BRIDGEPEER', agentOne.name));
  h.emit(E.varSet(agentOne, 'BRIDGEPEER', c1.name));
  agentOne.connectedNum = c1.callerNum;
  agentOne.connectedName = c1.callerName;
  h.emit(E.newConnectedLine(agentOne));
  consult.one = c1;
  consult.two = c2;
  consult.bridge = cb;
  h.scheduler.after(500, () => {
    if (!c2.alive || consult.entry) return;
    c2.priority = 2;
    h.joinQueue(call, to, c2, c1, consult);
  });
}

function consultEnd(h: TransferHost, consult: Consult): void {
  if (consult.done) return;
  consult.done = true;
  const { from, agent } = consult;
  const call = from.call;
  const one = from.agentOne!;
  const two = from.agentTwo!;
  const ce = consult.entry;
  if (consult.orphaned || from.state === 'done') {
    // The caller hung up during the consultation: the agent hangs up, the consult leg loses
    // its caller; still queued, the target queue logs an abandon (warm-transfers.ami).
    agentLeavesConsult(h, consult, one, two);
    if (ce && (ce.state === 'waiting' || ce.state === 'ringing')) h.abandonEntry(ce, 'caller');
    else if (ce && ce.state === 'connected') h.callerEnds(ce);
    killConsultChans(h, consult);
    h.agentFreed(agent);
    h.checkEnded(call);
    return;
  }
  if (!consult.two || !consult.two.alive || (ce && ce.state === 'done')) {
    // Nothing left to transfer to: the agent goes back to the caller and finishes the call.
    killConsultChans(h, consult);
    if (consult.bridge && one.bridge === consult.bridge) h.chans.leaveBridge(consult.bridge, one);
    if (from.bridge) h.chans.enterBridge(from.bridge, one);
    h.emit(E.unhold(one));
    from.state = 'connected';
    from.consult = null;
    from.talkTask = h.scheduler.after(h.rng.float(2, 6) * 1000, () => h.endOfTalk(from));
    return;
  }
  // Complete the transfer: the agent hangs up, the consultation merges into the caller's bridge.
  const leg = from.leg;
  const origBridge = from.bridge!;
  const cb = consult.bridge!;
  const c1 = consult.one!;
  from.state = 'done';
  two.priority = 3;
  h.chans.exten(two, 'Hangup', '');
  h.emit(E.softHangupRequest(two, 16));
  runHangupHandler(h, h.chans, agent, two);
  const now = h.now();
  const talkTime = secDiff(from.connectedMs, now);
  h.completeStats(from, talkTime);
  h.releaseAgent(agent);
  emitMemberStatus(h, agent);
  refreshAgentQueues(h, agent);
  h.emit(E.hangupRequest(one, 16));
  h.emit(E.varSet(one, 'BRIDGEPEER', ''));
  h.chans.leaveBridge(cb, one, true);
  h.chans.kill(two, 16);
  h.emit(E.bridgeMerge(origBridge, cb));
  h.chans.leaveBridge(cb, c1, true);
  h.chans.enterBridge(origBridge, c1);
  h.emit(E.deviceStateChange(`Local/${agent.name}@agents`, 'NOT_INUSE'));
  h.emit(E.varSet(leg, 'BRIDGEPEER', c1.name));
  h.emit(E.varSet(c1, 'BRIDGEPEER', leg.name));
  // Asterisk sometimes has no snapshot of the target left: then the TransferTarget* fields are
  // missing (warm-transfers.ami has both shapes). Never present while the leg is still queued.
  const withTarget = !!ce && ce.state === 'connected' && !h.rng.chance(0.25);
  h.emit(E.attendedTransfer(one, { id: origBridge.id, numChannels: 2 }, one, { id: cb.id, numChannels: 0 }, leg, withTarget ? c1 : null));
  h.emit(E.newConnectedLine(leg));
  h.emit(E.agentComplete(leg, one, from.queue.name, agent.iface, agent.name, from.holdTime, talkTime, 'transfer'));
  h.truth.transfer(call.linkedid);
  h.emit(E.bridgeDestroy({ id: cb.id, numChannels: 0 }));
  h.chans.kill(one, 16);
  consult.completed = true;
  c1.role = 'customer';
  if (consult.two) consult.two.role = 'customer';
  if (ce) ce.customerFacing = true;
  from.consult = null;
  h.agentFreed(agent);
}

/** The consulting agent hangs up without completing a transfer (its caller is gone). */
function agentLeavesConsult(h: TransferHost, consult: Consult, one: Chan, two: Chan): void {
  const { agent } = consult;
  two.priority = 3;
  h.chans.exten(two, 'Hangup', '');
  h.emit(E.softHangupRequest(two, 16));
  runHangupHandler(h, h.chans, agent, two);
  h.emit(E.hangupRequest(one, 16));
  h.releaseAgent(agent);
  emitMemberStatus(h, agent);
  refreshAgentQueues(h, agent);
  h.chans.kill(two, 16);
  h.emit(E.deviceStateChange(`Local/${agent.name}@agents`, 'NOT_INUSE'));
  h.emit(E.varSet(one, 'BRIDGEPEER', ''));
  if (consult.one) h.emit(E.varSet(consult.one, 'BRIDGEPEER', ''));
  h.chans.kill(one, 16);
}

/** Hangs up what is left of a consultation (its bridge goes when it empties). */
function killConsultChans(h: TransferHost, consult: Consult): void {
  for (const c of [consult.one, consult.two]) if (c && c.alive) h.chans.kill(c, 16);
}
