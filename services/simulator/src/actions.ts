/**
 * The manager actions the simulator answers, written the way Asterisk's main/manager.c and
 * apps/app_queue.c write them (astman_send_response_full, astman_send_listack,
 * astman_send_list_complete_start: Response, then ActionID, then the rest).
 */
import { channelHeaders } from './events.ts';
import { type Action, formatFrame, formatResponse, formatTimestamp, type Header } from './protocol.ts';
import type { Switch } from './switch.ts';

export interface ActionContext {
  pbx: Switch;
  /** Simulated now (ms). */
  now(): number;
}

function idHeader(action: Action): Header[] {
  return action.actionId !== undefined ? [['ActionID', action.actionId]] : [];
}

export function errorResponse(action: Action, message: string): string {
  return formatResponse('Error', action.actionId, [['Message', message]]);
}

export function successResponse(action: Action, message: string): string {
  return formatResponse('Success', action.actionId, [['Message', message]]);
}

function listAck(action: Action, message: string): string {
  return formatResponse('Success', action.actionId, [['EventList', 'start'], ['Message', message]]);
}

function listComplete(action: Action, event: string, count: number): string {
  return formatFrame([['Event', event], ...idHeader(action), ['EventList', 'Complete'], ['ListItems', String(count)]]);
}

export function ping(action: Action, ctx: ActionContext): string {
  const us = Math.floor(ctx.now() * 1000);
  return formatResponse('Success', action.actionId, [['Ping', 'Pong'], ['Timestamp', formatTimestamp(us)]]);
}

/** QueueStatus: QueueParams, its QueueMembers and QueueEntries per queue, then the completion. */
export function queueStatus(action: Action, ctx: ActionContext): string {
  const filter = action.get('Queue')?.trim() || undefined;
  const memberFilter = action.get('Member')?.trim() || undefined;
  const id = idHeader(action);
  let out = listAck(action, 'Queue status will follow');
  let items = 0;
  for (const name of ctx.pbx.queues.keys()) {
    if (filter && filter !== name) continue;
    const p = ctx.pbx.queueParams(name)!;
    if (!memberFilter) {
      out += formatFrame([
        ['Event', 'QueueParams'],
        ['Queue', p.queue],
        ['Max', String(p.max)],
        ['Strategy', p.strategy],
        ['Calls', String(p.calls)],
        ['Holdtime', String(p.holdtime)],
        ['TalkTime', String(p.talktime)],
        ['Completed', String(p.completed)],
        ['Abandoned', String(p.abandoned)],
        ['ServiceLevel', String(p.serviceLevel)],
        ['ServicelevelPerf', p.serviceLevelPerf],
        ['ServicelevelPerf2', p.serviceLevelPerf2],
        ['Weight', String(p.weight)],
        ...id,
      ]);
      items++;
    }
    for (const m of ctx.pbx.queueMembers(name)) {
      if (memberFilter && memberFilter !== m.iface && memberFilter !== m.memberName) continue;
      out += formatFrame([
        ['Event', 'QueueMember'],
        ['Queue', m.queue],
        ['Name', m.memberName],
        ['Location', m.iface],
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
        ['Wrapuptime', String(m.wrapuptime)],
        ...id,
      ]);
      items++;
    }
    if (memberFilter) continue;
    for (const e of ctx.pbx.queueEntries(name)) {
      out += formatFrame([
        ['Event', 'QueueEntry'],
        ['Queue', e.queue],
        ['Position', String(e.position)],
        ['Channel', e.channel.name],
        ['Uniqueid', e.channel.uniqueid],
        ['CallerIDNum', e.channel.callerNum],
        ['CallerIDName', e.channel.callerName],
        ['ConnectedLineNum', e.channel.connectedNum],
        ['ConnectedLineName', e.channel.connectedName],
        ['Wait', String(e.wait)],
        ['Priority', '0'],
        ...id,
      ]);
      items++;
    }
  }
  return out + listComplete(action, 'QueueStatusComplete', items);
}

export function queueSummary(action: Action, ctx: ActionContext): string {
  const filter = action.get('Queue')?.trim() || undefined;
  let out = listAck(action, 'Queue summary will follow');
  let items = 0;
  for (const name of ctx.pbx.queues.keys()) {
    if (filter && filter !== name) continue;
    const s = ctx.pbx.queueSummary(name)!;
    out += formatFrame([
      ['Event', 'QueueSummary'],
      ['Queue', s.queue],
      ['LoggedIn', String(s.loggedIn)],
      ['Available', String(s.available)],
      ['Callers', String(s.callers)],
      ['HoldTime', String(s.holdTime)],
      ['TalkTime', String(s.talkTime)],
      ['LongestHoldTime', String(s.longestHoldTime)],
      ...idHeader(action),
    ]);
    items++;
  }
  return out + listComplete(action, 'QueueSummaryComplete', items);
}

export function coreShowChannels(action: Action, ctx: ActionContext): string {
  let out = listAck(action, 'Channels will follow');
  const chans = ctx.pbx.channels();
  for (const c of chans) {
    out += formatFrame([
      ['Event', 'CoreShowChannel'],
      ...idHeader(action),
      ...channelHeaders(c.channel),
      ['Application', c.application],
      ['ApplicationData', c.applicationData],
      ['Duration', c.duration],
      ['BridgeId', c.bridgeId],
    ]);
  }
  return out + listComplete(action, 'CoreShowChannelsComplete', chans.length);
}

function agentFor(action: Action, ctx: ActionContext): string | undefined {
  const iface = action.get('Interface')?.trim();
  if (!iface) return undefined;
  return ctx.pbx.agentByInterface(iface);
}

/** QueuePause (Interface, Paused, optional Queue and Reason), as app_queue answers it. */
export function queuePause(action: Action, ctx: ActionContext): string {
  const iface = action.get('Interface')?.trim();
  const pausedRaw = action.get('Paused')?.trim();
  if (!iface || !pausedRaw) return errorResponse(action, 'Need \'Interface\' and \'Paused\' parameters.');
  const agent = agentFor(action, ctx);
  const paused = /^(1|true|yes|on)$/i.test(pausedRaw);
  const queue = action.get('Queue')?.trim() || undefined;
  if (!agent || !ctx.pbx.pause(agent, paused, action.get('Reason') ?? '', queue)) return errorResponse(action, 'Interface not found');
  return successResponse(action, paused ? 'Interface paused successfully' : 'Interface unpaused successfully');
}

export function queueAdd(action: Action, ctx: ActionContext): string {
  const queue = action.get('Queue')?.trim();
  const iface = action.get('Interface')?.trim();
  if (!queue || !iface) return errorResponse(action, '\'Queue\' and \'Interface\' not specified.');
  const m = /^Local\/([^@]+)@agents/i.exec(iface);
  const name = agentFor(action, ctx) ?? action.get('MemberName')?.trim() ?? m?.[1];
  if (!name || !ctx.pbx.queues.has(queue)) return errorResponse(action, 'Unable to add interface to queue: No such queue');
  if (ctx.pbx.isMember(queue, name)) return errorResponse(action, 'Unable to add interface: Already there');
  const paused = /^(1|true|yes|on)$/i.test(action.get('Paused')?.trim() ?? '');
  const reason = action.get('Reason') ?? '';
  ctx.pbx.addMember(queue, name, { paused, reason, penalty: Number(action.get('Penalty') ?? 0) || 0 });
  return successResponse(action, 'Added interface to queue');
}

export function queueRemove(action: Action, ctx: ActionContext): string {
  const queue = action.get('Queue')?.trim();
  const iface = action.get('Interface')?.trim();
  if (!queue || !iface) return errorResponse(action, 'Need \'Queue\' and \'Interface\' parameters.');
  const agent = agentFor(action, ctx);
  if (!ctx.pbx.queues.has(queue)) return errorResponse(action, 'Unable to remove interface: No such queue');
  if (!agent || !ctx.pbx.removeMember(queue, agent)) return errorResponse(action, 'Unable to remove interface: Not there');
  return successResponse(action, 'Removed interface from queue');
}
