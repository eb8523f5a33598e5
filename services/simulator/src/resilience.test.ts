import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AmiClient, field } from './client.ts';
import { type Simulator, startSimulator } from './index.ts';

let sim: Simulator;
const clients: AmiClient[] = [];

async function loggedIn(events?: string): Promise<AmiClient> {
  const c = await AmiClient.connect(sim.port);
  clients.push(c);
  const r = await c.login('belofte', 'belofte', events);
  expect(field(r, 'Response')).toBe('Success');
  return c;
}

const isQueueEvent = (name: string | undefined) => !!name && /^(QueueCaller|Agent)/.test(name);

beforeAll(async () => {
  // The endless demo traffic, fast: about five simulated minutes per wall second.
  sim = await startSimulator({ port: 0, speed: 300, seed: 5 });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await sim.close();
});

describe('connections come and go, the switch plays on', () => {
  it('cuts every client on dropConnections, accepts new logins and keeps playing', async () => {
    const a = await loggedIn();
    await a.waitFor((f) => isQueueEvent(field(f, 'Event')), 8000);
    const known = new Set(sim.truth().calls.map((c) => c.linkedid));
    const cutAt = sim.now();
    sim.dropConnections();
    await a.closed;
    expect(a.socket.destroyed).toBe(true);

    const b = await loggedIn();
    const later = await b.waitFor((f) => isQueueEvent(field(f, 'Event')), 8000);
    expect(Number(field(later, 'Timestamp')) * 1000).toBeGreaterThanOrEqual(cutAt - 1);
    // New customers keep calling after the cut, and the truth records them.
    const join = await b.waitFor((f) => field(f, 'Event') === 'QueueCallerJoin' && !known.has(field(f, 'Linkedid')!), 8000);
    expect(sim.truth().calls.map((c) => c.linkedid)).toContain(field(join, 'Linkedid'));
  });

  it('does not let a client that stops reading stall the others', async () => {
    const slow = await loggedIn();
    slow.socket.pause();
    const fast = await loggedIn();
    const from = fast.frames.length;
    const t0 = sim.now();
    // Five more simulated minutes reach the reading client.
    await fast.waitFor((f) => Number(field(f, 'Timestamp') ?? 0) * 1000 > t0 + 5 * 60_000, 8000, from);
    expect(sim.now() - t0).toBeGreaterThan(5 * 60_000);
  });

  it('keeps its figures consistent while it plays', async () => {
    const c = await loggedIn('off');
    // Both readings of one simulated instant: at speed 300 a waiting caller is answered or
    // gives up between a snapshot and a later truth() read.
    sim.hold();
    const frames = await c.list({ Action: 'QueueStatus' }, 'QueueStatusComplete');
    const waiting = Object.fromEntries(
      frames.filter((f) => field(f, 'Event') === 'QueueParams').map((f) => [field(f, 'Queue'), Number(field(f, 'Calls'))]),
    );
    const truth = sim.truth();
    sim.resume();
    expect(truth.calls.length).toBeGreaterThan(0);
    for (const [name, q] of Object.entries(truth.queues)) {
      // Entries still in progress are the only gap (waiting now, or being rung).
      const open = q.offered - q.answered - q.abandoned - q.timedOut;
      expect(open).toBeGreaterThanOrEqual(0);
      expect(open).toBe(waiting[name] ?? 0);
    }
  });
});
