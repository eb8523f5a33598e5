/**
 * End to end, all real and on loopback: AMI simulator → collector → Redis → API →
 * WebSocket client. What the client shows equals what the simulator played; after a cut
 * connection and a reconnect, it equals the same as an uninterrupted run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LiveSnapshot } from '@belofte/shared/figures';
import { asTruth, startLivePath, until, type LivePath } from '../support/stack.ts';
import { DROP_AT_SECONDS, SCENARIO } from './scenario.ts';

const SPEED = 50;
let path: LivePath | undefined;
afterEach(async () => {
  await path?.stop();
  path = undefined;
});

/** Waits for the socket to show exactly what the simulator says it played. */
async function expectTruth(p: LivePath): Promise<LiveSnapshot> {
  await p.sim.done;
  const truth = p.sim.truth();
  const breaches = truth.calls.filter((c) => (c.waitSeconds ?? 0) > 300).length;
  const overLimit = truth.calls.filter((c) => c.transfers > 2).length;
  const want = Object.fromEntries(Object.entries(truth.queues).map(([q, t]) => [q, { ...t }]));
  let last: unknown;
  try {
    return await until(
      () => {
        const s = p.latest();
        if (!s) return undefined;
        const got = Object.fromEntries(Object.entries(s.queues).map(([q, f]) => [q, asTruth(f)]));
        last = { got, want, breaches: s.total.guaranteeBreaches, overLimit: s.total.overTransferLimit, waiting: s.total.waiting };
        const same = JSON.stringify(got) === JSON.stringify(want) && s.total.guaranteeBreaches === breaches && s.total.overTransferLimit === overLimit && s.total.waiting === 0;
        return same ? s : undefined;
      },
      10_000,
      'the socket to show what the simulator played',
    );
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${JSON.stringify(last, null, 1)}`);
  }
}

describe('the live path', () => {
  it.each(['lean', 'asterisk-manager'])('shows over the WebSocket exactly what the simulator played (AMI_CLIENT=%s)', async (client) => {
    path = await startLivePath({ name: 'e2e', scenario: SCENARIO, speed: SPEED, env: { AMI_CLIENT: client } });
    // Figures move while the calls are played, not only at the end.
    await until(() => (path!.latest()?.total.offered ?? 0) >= 3 ? true : undefined, 10_000, 'live figures');
    const s = await expectTruth(path);
    const truth = path.sim.truth();
    expect(truth.calls.length).toBe(SCENARIO.calls.length);
    // The scenario holds every outcome: the comparison above is not vacuous.
    expect(s.total.abandoned).toBeGreaterThanOrEqual(2);
    expect(s.total.timedOut).toBe(1);
    expect(s.total.guaranteeBreaches).toBe(1);
    expect(s.total.overTransferLimit).toBe(1);
    expect(s.queues.vergunningen!.offered).toBeGreaterThanOrEqual(4);
    expect(s.health.collectorConnected).toBe(true);
    // Agents are known with their queues.
    expect(Object.keys(s.agents).sort()).toEqual(['agent1', 'agent2', 'agent3', 'agent4', 'agent5']);
  });

  it('after the switch cuts the connection mid-call, reconnects and ends with the same figures', async () => {
    path = await startLivePath({ name: 'e2e-reconnect', scenario: SCENARIO, speed: SPEED });
    const start = path.sim.now();
    await until(() => (path!.sim.now() - start >= DROP_AT_SECONDS * 1000 ? true : undefined), 15_000, 'the drop moment');
    const before = path.latest()!;
    expect(before.total.waiting).toBeGreaterThanOrEqual(1);
    path.sim.dropConnections();
    await until(() => (path!.collector.client.reconnects >= 1 && path!.collector.client.isConnected ? true : undefined), 5_000, 'the reconnect');
    const after = await expectTruth(path);
    // Nothing ended unseen, and nothing was counted twice: the resync found the waiting
    // caller and the talk it already knew.
    expect(after.total.unknown).toBe(0);
    expect(after.total.offered).toBe(Object.values(path.sim.truth().queues).reduce((n, q) => n + q.offered, 0));
  });
});
