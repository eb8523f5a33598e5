/**
 * Staffing advice on the live path: the simulator plays a queue at a fixed load through the
 * collector into Redis, and /api/live shows per queue the agents Erlang A needs, beside those
 * available, with the inputs it read from the last 30 / 60 minutes of the switch's clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveSnapshot } from '@belofte/shared/figures';
import { agentsNeeded } from '@belofte/shared/staffing/erlang';
import type { FixedLoad } from '@belofte/simulator';
import { asTruth, startLivePath, until, type LivePath } from '../support/stack.ts';

const LOAD: FixedLoad = { arrivalsPerHour: 90, handleSeconds: 150, wrapupSeconds: 0, patienceSeconds: 90, agents: 4, hours: 1.5, startOnLogin: true };
let path: LivePath;
let live: LiveSnapshot;

beforeAll(async () => {
  path = await startLivePath({ name: 'staffing', load: LOAD, speed: 1_500 });
  await path.sim.done;
  const want = path.sim.truth().queues.support!;
  await until(() => {
    const s = path.latest();
    return s && JSON.stringify(asTruth(s.queues.support!)) === JSON.stringify(want) && s.total.waiting === 0 ? s : undefined;
  }, 20_000, 'every call of the run on the socket');
  // The advice is read at most every 10 s (switch time): wait until it has seen every call's record.
  const end = path.sim.now();
  const abandonsInLastHour = path.sim.truth().calls.filter((c) => c.outcome === 'abandoned' && Date.parse(c.joinedAt!) > end - 60 * 60_000).length;
  live = await until(async () => {
    const s = (await (await fetch(`${path.api.url}/api/live`)).json()) as LiveSnapshot;
    return s.queues.support?.staffing?.sample.abandons === abandonsInLastHour ? s : undefined;
  }, 30_000, 'the advice to have read the last calls');
}, 90_000);

afterAll(async () => {
  await path?.stop();
});

describe('staffing advice in /api/live', () => {
  it('shows per queue the agents needed beside the agents available, from the inputs of the last hour', () => {
    const s = live.queues.support!.staffing!;
    expect(s).toBeDefined();
    // Four agents logged in all along, none paused.
    expect(s.agentsAvailable).toBe(LOAD.agents);
    const switchNow = path.sim.now();
    const calls = path.sim.truth().calls;
    const joined = (c: (typeof calls)[number]) => Date.parse(c.joinedAt!);
    // Arrivals: the last 30 minutes (give or take a call at the window's edge, which moves with the API's clock).
    const lastHalfHour = calls.filter((c) => joined(c) > switchNow - 30 * 60_000).length;
    expect(Math.abs(s.arrivalsPerHour - lastHalfHour * 2)).toBeLessThanOrEqual(2);
    // Patience: every second waited in the last hour over the callers who gave up.
    const lastHour = calls.filter((c) => joined(c) > switchNow - 60 * 60_000);
    const abandons = lastHour.filter((c) => c.outcome === 'abandoned').length;
    const waited = lastHour.reduce((t, c) => t + (c.waitSeconds ?? 0), 0);
    expect(abandons).toBeGreaterThan(3);
    expect(s.patienceSeconds!).toBeGreaterThan((waited / abandons) * 0.9);
    expect(s.patienceSeconds!).toBeLessThan((waited / abandons) * 1.1);
    // Handle time: the mean TalkTime of the hour's conversations (exponential, mean 150 s).
    expect(s.sample.conversations).toBeGreaterThan(40);
    expect(s.handleSeconds!).toBeGreaterThan(LOAD.handleSeconds * 0.7);
    expect(s.handleSeconds!).toBeLessThan(LOAD.handleSeconds * 1.3);
    // The advice is Erlang A's for exactly these inputs, at the queue's target.
    const need = agentsNeeded({ arrivalsPerSecond: s.arrivalsPerHour / 3600, handleSeconds: s.handleSeconds!, patienceSeconds: s.patienceSeconds }, 20, 0.8);
    expect(s.agentsNeeded).toBe(need.agents);
    expect(s).toMatchObject({ targetSeconds: 20, serviceLevelTarget: 0.8 });
    // And about what the true load needs.
    const truthNeed = agentsNeeded({ arrivalsPerSecond: LOAD.arrivalsPerHour / 3600, handleSeconds: LOAD.handleSeconds, patienceSeconds: LOAD.patienceSeconds }, 20, 0.8).agents!;
    expect(Math.abs(s.agentsNeeded! - truthNeed)).toBeLessThanOrEqual(1);
  });

  it('sends the advice in every WebSocket frame, but not in the total', () => {
    const frame = path.latest()!;
    expect(frame.queues.support!.staffing).toMatchObject({ agentsAvailable: LOAD.agents });
    expect(frame.total.staffing).toBeUndefined();
  });
});
