import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmiClient, field } from './client.ts';
import { type Simulator, startSimulator } from './index.ts';

/** A caller that waits (nobody answers within the test) so QueueStatus has an entry to show. */
let sim: Simulator;
const clients: AmiClient[] = [];

async function connect(): Promise<AmiClient> {
  const c = await AmiClient.connect(sim.port);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    speed: 50,
    startAt: Date.parse('2026-11-24T09:00:00Z'),
    scenario: {
      // The scenario starts at the first login, so that client sees the callers join.
      startOnLogin: true,
      calls: [
        { at: 0.1, queue: 'support', ring: 1, talk: 600 },
        { at: 0.2, queue: 'support', ring: 1, talk: 600 },
        { at: 0.3, queue: 'support', ring: 1, talk: 600 },
        { at: 0.4, queue: 'support', ring: 1, talk: 600 },
      ],
    },
  });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await sim.close();
});

describe('AMI protocol over TCP', () => {
  it('greets with the Asterisk banner and sends nothing else before login', async () => {
    const c = await connect();
    expect(c.banner).toBe('Asterisk Call Manager/11.0.0');
    await new Promise((r) => setTimeout(r, 150));
    expect(c.frames).toEqual([]);
  });

  it('refuses actions before login', async () => {
    const c = await connect();
    const r = await c.action({ Action: 'Ping' });
    expect(field(r, 'Response')).toBe('Error');
    expect(field(r, 'Message')).toBe('Permission denied');
  });

  it('rejects a bad login, keeps the socket open, then accepts a good one', async () => {
    const c = await connect();
    const bad = await c.action({ Action: 'Login', Username: 'belofte', Secret: 'wrong' });
    expect(bad).toEqual([['Response', 'Error'], ['ActionID', field(bad, 'ActionID')!], ['Message', 'Authentication failed']]);
    expect(c.socket.destroyed).toBe(false);
    const good = await c.login();
    expect(field(good, 'Response')).toBe('Success');
    expect(field(good, 'Message')).toBe('Authentication accepted');
    const booted = await c.waitFor((f) => field(f, 'Event') === 'FullyBooted');
    expect(booted.map(([k]) => k)).toEqual(['Event', 'Privilege', 'Uptime', 'LastReload', 'Status']);
    expect(field(booted, 'Status')).toBe('Fully Booted');
    // Events flow after login: the callers of the scenario join the queue.
    const join = await c.waitFor((f) => field(f, 'Event') === 'QueueCallerJoin');
    expect(field(join, 'Timestamp')).toMatch(/^\d{10}\.\d{6}$/);
  });

  it('answers Ping with the ActionID, Pong and a Timestamp', async () => {
    const c = await connect();
    await c.login();
    c.send({ Action: 'Ping', ActionID: 'ping-42' });
    const r = await c.waitFor((f) => field(f, 'ActionID') === 'ping-42');
    expect(r.map(([k]) => k)).toEqual(['Response', 'ActionID', 'Ping', 'Timestamp']);
    expect(field(r, 'Response')).toBe('Success');
    expect(field(r, 'Ping')).toBe('Pong');
    expect(field(r, 'Timestamp')).toMatch(/^\d{10}\.\d{6}$/);
    // On the simulated clock, not the wall clock.
    expect(Math.abs(Number(field(r, 'Timestamp')) * 1000 - sim.now())).toBeLessThan(5000);
  });

  it('reads keys case-insensitively', async () => {
    const c = await connect();
    c.send([['action', 'login'], ['username', 'belofte'], ['SECRET', 'belofte'], ['actionid', 'lc']]);
    const r = await c.waitFor((f) => field(f, 'ActionID') === 'lc');
    expect(field(r, 'Response')).toBe('Success');
  });

  it('lists QueueStatus as Asterisk does: params, members, entries, completion', async () => {
    const c = await connect();
    await c.login('belofte', 'belofte', 'off');
    // Three agents take the first three callers; the fourth waits.
    await new Promise((r) => setTimeout(r, 200));
    const frames = await c.list({ Action: 'QueueStatus' }, 'QueueStatusComplete');
    const head = c.frames.find((f) => field(f, 'Response') !== undefined && field(f, 'ActionID') === field(frames[0]!, 'ActionID'));
    expect(head!.map(([k]) => k)).toEqual(['Response', 'ActionID', 'EventList', 'Message']);
    expect(field(head!, 'EventList')).toBe('start');
    expect(field(head!, 'Message')).toBe('Queue status will follow');
    const events = frames.filter((f) => field(f, 'Event'));
    const kinds = events.map((f) => `${field(f, 'Event')}:${field(f, 'Queue') ?? ''}`);
    expect(kinds).toEqual([
      'QueueParams:support', 'QueueMember:support', 'QueueMember:support', 'QueueMember:support', 'QueueEntry:support',
      'QueueParams:vergunningen', 'QueueMember:vergunningen', 'QueueMember:vergunningen',
      'QueueStatusComplete:',
    ]);
    const params = events[0]!;
    expect(params.map(([k]) => k)).toEqual([
      'Event', 'Queue', 'Max', 'Strategy', 'Calls', 'Holdtime', 'TalkTime', 'Completed', 'Abandoned',
      'ServiceLevel', 'ServicelevelPerf', 'ServicelevelPerf2', 'Weight', 'ActionID',
    ]);
    expect(field(params, 'Strategy')).toBe('rrmemory');
    expect(field(params, 'Calls')).toBe('1');
    expect(field(params, 'ServicelevelPerf')).toMatch(/^\d+\.\d$/);
    const member = events[1]!;
    expect(member.map(([k]) => k)).toEqual([
      'Event', 'Queue', 'Name', 'Location', 'StateInterface', 'Membership', 'Penalty', 'CallsTaken', 'LastCall',
      'LastPause', 'LoginTime', 'InCall', 'Status', 'Paused', 'PausedReason', 'Wrapuptime', 'ActionID',
    ]);
    expect(field(member, 'Location')).toBe('Local/agent1@agents/n');
    expect(field(member, 'StateInterface')).toBe('Custom:agent1');
    expect(field(member, 'Status')).toBe('2');
    expect(field(member, 'InCall')).toBe('1');
    const entry = events[4]!;
    expect(entry.map(([k]) => k)).toEqual([
      'Event', 'Queue', 'Position', 'Channel', 'Uniqueid', 'CallerIDNum', 'CallerIDName', 'ConnectedLineNum',
      'ConnectedLineName', 'Wait', 'Priority', 'ActionID',
    ]);
    expect(field(entry, 'Channel')).toMatch(/^Local\/support@inbound-[0-9a-f]{8};2$/);
    expect(field(entry, 'Uniqueid')).toMatch(/^\d{10}\.\d+$/);
    expect(field(entry, 'Position')).toBe('1');
    const complete = events[events.length - 1]!;
    expect(complete.map(([k]) => k)).toEqual(['Event', 'ActionID', 'EventList', 'ListItems']);
    expect(field(complete, 'ListItems')).toBe(String(events.length - 1));
    // A queue filter lists one queue only.
    const one = await c.list({ Action: 'QueueStatus', Queue: 'vergunningen' }, 'QueueStatusComplete');
    expect(one.filter((f) => field(f, 'Event') === 'QueueParams').map((f) => field(f, 'Queue'))).toEqual(['vergunningen']);
    // Events: off on login: no events reached this client.
    expect(c.frames.some((f) => ['QueueCallerJoin', 'FullyBooted', 'Newchannel'].includes(field(f, 'Event') ?? ''))).toBe(false);
  });

  it('lists the channels with CoreShowChannels', async () => {
    const c = await connect();
    await c.login('belofte', 'belofte', 'off');
    const frames = await c.list({ Action: 'CoreShowChannels' }, 'CoreShowChannelsComplete');
    const chans = frames.filter((f) => field(f, 'Event') === 'CoreShowChannel');
    expect(chans.length).toBeGreaterThanOrEqual(8);
    expect(chans[0]!.map(([k]) => k)).toEqual([
      'Event', 'ActionID', 'Channel', 'ChannelState', 'ChannelStateDesc', 'CallerIDNum', 'CallerIDName', 'ConnectedLineNum',
      'ConnectedLineName', 'Language', 'AccountCode', 'Context', 'Exten', 'Priority', 'Uniqueid', 'Linkedid',
      'Application', 'ApplicationData', 'Duration', 'BridgeId',
    ]);
    expect(field(chans[0]!, 'Duration')).toMatch(/^\d\d:\d\d:\d\d$/);
    const done = frames[frames.length - 1]!;
    expect(field(done, 'ListItems')).toBe(String(chans.length));
  });

  it('filters events by class when Login asks for some classes only', async () => {
    const c = await connect();
    await c.login('belofte', 'belofte', 'agent');
    // QueuePause raises a DeviceStateChange (call class) and a QueueMemberPause (agent class).
    const r = await c.action({ Action: 'QueuePause', Interface: 'Local/agent4@agents/n', Paused: 'true', Reason: 'overleg' });
    expect(field(r, 'Message')).toBe('Interface paused successfully');
    const pause = await c.waitFor((f) => field(f, 'Event') === 'QueueMemberPause');
    expect([field(pause, 'MemberName'), field(pause, 'Paused'), field(pause, 'PausedReason')]).toEqual(['agent4', '1', 'overleg']);
    await c.action({ Action: 'QueuePause', Interface: 'Local/agent4@agents/n', Paused: 'false' });
    await c.waitFor((f) => field(f, 'Event') === 'QueueMemberPause' && field(f, 'Paused') === '0');
    const classes = new Set(c.events.map((f) => field(f, 'Privilege')));
    expect([...classes]).toEqual(['agent,all']);
  });

  it('switches events off and on with the Events action', async () => {
    const c = await connect();
    await c.login();
    const off = await c.action({ Action: 'Events', EventMask: 'off' });
    expect(off.map(([k]) => k)).toEqual(['Response', 'ActionID', 'Events']);
    expect(field(off, 'Events')).toBe('Off');
    const on = await c.action({ Action: 'Events', EventMask: 'on' });
    expect(field(on, 'Events')).toBe('On');
  });

  it('rejects an unknown action like Asterisk', async () => {
    const c = await connect();
    await c.login();
    const r = await c.action({ Action: 'Frobnicate' });
    expect(field(r, 'Response')).toBe('Error');
    expect(field(r, 'Message')).toMatch(/^Invalid\/unknown command/);
  });

  it('says goodbye and closes on Logoff', async () => {
    const c = await connect();
    await c.login();
    const r = await c.action({ Action: 'Logoff' });
    expect(field(r, 'Response')).toBe('Goodbye');
    expect(field(r, 'Message')).toBe('Thanks for all the fish.');
    await c.closed;
  });
});
