/**
 * The simulator's events must be shaped exactly like a real Asterisk 22's: for every event type
 * the header names and their order must equal one of the shapes that type has in the real
 * capture warm-transfers.ami (read here, never copied into the test).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmiClient, field, type Frame, parseStream } from './client.ts';
import { startSimulator, type Simulator } from './index.ts';
import { CAPTURE_QUEUES, EDGE_SCENARIO } from './scenarios.ts';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const amiDir = path.resolve(repoRoot, 'test/fixtures/ami');

function shapes(frames: Frame[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const f of frames) {
    const name = field(f, 'Event');
    if (!name) continue;
    if (!out.has(name)) out.set(name, new Set());
    out.get(name)!.add(f.map(([k]) => k).join('|'));
  }
  return out;
}

const capture = parseStream(readFileSync(path.join(amiDir, 'warm-transfers.ami'), 'latin1'));
const captureShapes = shapes(capture.frames);
// Types the warm-transfers capture lacks: QueueMemberPause is in quiet-morning.ami; app_queue
// builds AgentRingNoAnswer like AgentCalled plus RingTime, and QueueMemberAdded/Removed from
// the same member blob as QueueMemberStatus.
const quiet = shapes(parseStream(readFileSync(path.join(amiDir, 'quiet-morning.ami'), 'latin1')).frames);
const derived = new Map<string, Set<string>>([
  ['QueueMemberPause', quiet.get('QueueMemberPause')!],
  ['AgentRingNoAnswer', new Set([...captureShapes.get('AgentCalled')!].map((s) => `${s}|RingTime`))],
  ['QueueMemberAdded', new Set([...captureShapes.get('QueueMemberStatus')!].map((s) => s.replace('QueueMemberStatus', 'QueueMemberAdded')))],
  ['QueueMemberRemoved', new Set([...captureShapes.get('QueueMemberStatus')!].map((s) => s.replace('QueueMemberStatus', 'QueueMemberRemoved')))],
]);
for (const [name, set] of derived) expect(set.size, name).toBeGreaterThan(0);

const ESSENTIAL = [
  'QueueCallerJoin', 'AgentCalled', 'AgentRingNoAnswer', 'AgentConnect', 'AgentComplete', 'QueueCallerLeave',
  'QueueCallerAbandon', 'QueueMemberStatus', 'QueueMemberPause', 'QueueMemberAdded', 'QueueMemberRemoved',
  'BlindTransfer', 'AttendedTransfer', 'Hangup',
];

let sim: Simulator;
let client: AmiClient;
let frames: Frame[];

beforeAll(async () => {
  sim = await startSimulator({
    port: 0,
    speed: 200,
    seed: 11,
    startAt: Date.parse('2026-11-24T09:00:00Z'),
    queues: CAPTURE_QUEUES,
    scenario: { ...EDGE_SCENARIO, startOnLogin: true },
  });
  client = await AmiClient.connect(sim.port);
  await client.login();
  await sim.done;
  // Let the last frames of the final hangups arrive.
  await client.action({ Action: 'Ping' });
  frames = client.frames;
});

afterAll(async () => {
  client?.close();
  await sim?.close();
});

describe('event shapes match the real captures', () => {
  it('emits every essential event type', () => {
    const seen = new Set(frames.map((f) => field(f, 'Event')));
    for (const name of ESSENTIAL) expect(seen.has(name), name).toBe(true);
  });

  it('uses, per event type, exactly the header names and order of warm-transfers.ami', () => {
    const mine = shapes(frames);
    for (const [name, set] of mine) {
      const allowed = captureShapes.get(name) ?? derived.get(name);
      expect(allowed, `${name} is not an event type of the real captures`).toBeDefined();
      for (const shape of set) expect(allowed!.has(shape), `${name} shaped\n${shape.replaceAll('|', ', ')}`).toBe(true);
    }
  });

  it('puts Privilege then a simulated-clock Timestamp first, in order', () => {
    let last = 0;
    for (const f of frames) {
      const name = field(f, 'Event');
      if (!name) continue;
      expect(f[1]![0]).toBe('Privilege');
      if (name === 'FullyBooted') continue;
      expect(f[2]![0]).toBe('Timestamp');
      const ts = f[2]![1];
      expect(ts).toMatch(/^\d{10}\.\d{6}$/);
      expect(Number(ts)).toBeGreaterThanOrEqual(last);
      last = Number(ts);
    }
    expect(last * 1000).toBeGreaterThan(Date.parse('2026-11-24T09:00:00Z'));
    expect(last * 1000).toBeLessThan(Date.parse('2026-11-24T09:10:00Z'));
  });

  it('names channels and ids like the captures', () => {
    const linked = new Map<string, string>();
    for (const f of frames) {
      if (field(f, 'Event') !== 'Newchannel') continue;
      const ch = field(f, 'Channel')!;
      expect(ch).toMatch(/^Local\/((support|vergunningen|\d{3})@inbound|agent\d@agents)-[0-9a-f]{8};[12]$/);
      expect(field(f, 'Uniqueid')).toMatch(/^\d{10}\.\d+$/);
      linked.set(ch, field(f, 'Linkedid')!);
      if (/^Local\/(support|vergunningen)@inbound-.*;1$/.test(ch)) expect(field(f, 'Linkedid')).toBe(field(f, 'Uniqueid'));
    }
    for (const f of frames.filter((x) => field(x, 'Event') === 'QueueCallerJoin')) {
      const ch = field(f, 'Channel')!;
      expect(ch).toMatch(/^Local\/(support|vergunningen|\d{3})@inbound-[0-9a-f]{8};2$/);
      // Linkedid is the ;1 side's Uniqueid, on every leg, consult legs included.
      const one = frames.find((x) => field(x, 'Event') === 'Newchannel' && field(x, 'Linkedid') === field(f, 'Linkedid') && /;1$/.test(field(x, 'Channel')!));
      expect(field(one!, 'Uniqueid')).toBe(field(f, 'Linkedid'));
    }
    for (const f of frames.filter((x) => field(x, 'Event') === 'QueueMemberStatus')) {
      expect(field(f, 'Interface')).toMatch(/^Local\/agent\d@agents\/n$/);
      expect(field(f, 'StateInterface')).toBe(`Custom:${field(f, 'MemberName')}`);
      expect(['1', '2', '5']).toContain(field(f, 'Status'));
    }
  });

  it('raises QueueCallerLeave right before AgentConnect (only VarSets between)', () => {
    const connects = frames.map((f, i) => [f, i] as const).filter(([f]) => field(f, 'Event') === 'AgentConnect');
    expect(connects.length).toBeGreaterThan(5);
    for (const [f, i] of connects) {
      let j = i - 1;
      while (field(frames[j]!, 'Event') === 'VarSet') j--;
      const leave = frames[j]!;
      expect(field(leave, 'Event')).toBe('QueueCallerLeave');
      expect(field(leave, 'Uniqueid')).toBe(field(f, 'Uniqueid'));
      expect(field(leave, 'Queue')).toBe(field(f, 'Queue'));
      expect(Number(field(f, 'HoldTime'))).toBeGreaterThanOrEqual(0);
      expect(Number(field(f, 'RingTime'))).toBeLessThan(15); // seconds here
    }
  });

  it('reports ring-no-answer RingTime in milliseconds', () => {
    const rna = frames.filter((f) => field(f, 'Event') === 'AgentRingNoAnswer');
    expect(rna.length).toBeGreaterThan(0);
    expect(rna.some((f) => Number(field(f, 'RingTime')) >= 15000)).toBe(true);
  });

  it('plays a blind transfer as Asterisk: same channel re-joins, all within a millisecond', () => {
    const bt = frames.find((f) => field(f, 'Event') === 'BlindTransfer')!;
    expect(field(bt, 'Result')).toBe('Success');
    const uid = field(bt, 'TransfereeUniqueid')!;
    const t = Number(field(bt, 'Timestamp'));
    const near = frames.filter((f) => Math.abs(Number(field(f, 'Timestamp') ?? 0) - t) < 0.001);
    const complete = near.find((f) => field(f, 'Event') === 'AgentComplete' && field(f, 'Uniqueid') === uid);
    const join = near.find((f) => field(f, 'Event') === 'QueueCallerJoin' && field(f, 'Uniqueid') === uid);
    expect(field(complete!, 'Reason')).toBe('transfer');
    expect(field(join!, 'Queue')).toBe(field(bt, 'Extension'));
    expect(field(join!, 'Channel')).toBe(field(bt, 'TransfereeChannel'));
  });

  it('plays an attended transfer with a consult leg carrying the Linkedid into the target queue', () => {
    const ats = frames.filter((f) => field(f, 'Event') === 'AttendedTransfer');
    expect(ats.length).toBeGreaterThan(0);
    for (const at of ats) {
      const linkedid = field(at, 'TransfereeLinkedid')!;
      const consultJoin = frames.find((f) => field(f, 'Event') === 'QueueCallerJoin' && field(f, 'Linkedid') === linkedid && /^Local\/\d{3}@inbound-/.test(field(f, 'Channel')!));
      expect(consultJoin).toBeDefined();
      expect(Number(field(consultJoin!, 'Timestamp'))).toBeLessThan(Number(field(at, 'Timestamp')));
      const i = frames.indexOf(at);
      const next = frames.slice(i + 1).find((f) => field(f, 'Event') === 'AgentComplete');
      expect(field(next!, 'Reason')).toBe('transfer');
    }
    // The caller who hung up mid-consultation: no AttendedTransfer, the consult leg abandons.
    const orphanAbandon = frames.find((f) => field(f, 'Event') === 'QueueCallerAbandon' && /^Local\/\d{3}@inbound-/.test(field(f, 'Channel')!));
    expect(orphanAbandon).toBeDefined();
    expect(ats.some((f) => field(f, 'TransfereeLinkedid') === field(orphanAbandon!, 'Linkedid'))).toBe(false);
  });

  it('ends a queue timeout with QueueCallerAbandon + QueueCallerLeave and keeps the caller in the dialplan', () => {
    const abandons = frames.map((f, i) => [f, i] as const).filter(([f]) => field(f, 'Event') === 'QueueCallerAbandon');
    const timedOut = abandons.find(([f, i]) => {
      const ch = field(f, 'Channel');
      return frames.slice(i + 1).some((g) => field(g, 'Channel') === ch && field(g, 'Variable') === 'QUEUESTATUS' && field(g, 'Value') === 'TIMEOUT');
    });
    expect(timedOut).toBeDefined();
    const [f, i] = timedOut!;
    const ch = field(f, 'Channel');
    const after = frames.slice(i + 1).filter((g) => field(g, 'Channel') === ch);
    expect(field(after[0]!, 'Event')).toBe('QueueCallerLeave');
    // Not hung up at once: the dialplan plays an announcement first.
    const hangupAt = after.findIndex((g) => field(g, 'Event') === 'Hangup');
    const playbackAt = after.findIndex((g) => field(g, 'Event') === 'Newexten' && field(g, 'Application') === 'Playback');
    expect(playbackAt).toBeGreaterThan(0);
    expect(hangupAt).toBeGreaterThan(playbackAt);
  });

  it('reports pauses with their reason', () => {
    const pauses = frames.filter((f) => field(f, 'Event') === 'QueueMemberPause');
    expect(pauses.map((f) => [field(f, 'MemberName'), field(f, 'Paused'), field(f, 'PausedReason')])).toEqual([
      ['agent4', '1', 'koffie'],
      ['agent4', '0', ''],
    ]);
    const added = frames.find((f) => field(f, 'Event') === 'QueueMemberAdded')!;
    expect(field(added, 'Membership')).toBe('dynamic');
  });
});
