/**
 * The live demo's default traffic is a busy hour: within the first minute a newcomer sees
 * several calls, callers wait, and a guarantee breach comes within the first quarter of an hour
 * (a wave after two to four minutes); the quiet profile stays available and is much quieter. Held at fixed simulated instants,
 * so the figures do not depend on how fast the machine is.
 */
import { describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from './index.ts';
import type { TruthCall } from './truth.ts';

const START = Date.parse('2026-11-24T09:00:00Z');

/** The simulator's calls up to `minutes` after its start, read while its clock is held there. */
async function callsUntil(sim: Simulator, minutes: number): Promise<TruthCall[]> {
  const until = START + minutes * 60_000;
  while (sim.now() < until) await new Promise((r) => setTimeout(r, 10));
  sim.hold();
  const calls = sim.truth().calls.filter((c) => c.joinedAt !== null && Date.parse(c.joinedAt) <= until);
  sim.resume();
  return calls;
}

/** Whether the call broke the guarantee (5 min) by `at`: waited past it, or still waiting past it. */
const breachedBy = (c: TruthCall, at: number) => (c.waitSeconds ?? (at - Date.parse(c.joinedAt!)) / 1000) > 300;

describe('the demo traffic', () => {
  for (const seed of [1, 2, 3]) {
    it(`busy hour (seed ${seed}): calls every few seconds, callers waiting, a breach within the first minutes`, async () => {
      const sim = await startSimulator({ port: 0, speed: 600, seed, startAt: START });
      try {
        const firstMinute = await callsUntil(sim, 1);
        expect(firstMinute.length).toBeGreaterThanOrEqual(4);
        const tenMinutes = await callsUntil(sim, 10);
        expect(tenMinutes.length).toBeGreaterThanOrEqual(40);
        // Callers wait: a good share was not answered within the 20-second target.
        expect(tenMinutes.filter((c) => (c.waitSeconds ?? Infinity) > 20).length).toBeGreaterThanOrEqual(5);
        const at = START + 15 * 60_000;
        const twelve = await callsUntil(sim, 15);
        expect(twelve.some((c) => breachedBy(c, at))).toBe(true);
        // …but not everybody: most callers are answered within the guarantee.
        expect(twelve.filter((c) => breachedBy(c, at)).length).toBeLessThan(twelve.length / 2);
      } finally {
        await sim.close();
      }
    }, 60_000);
  }

  it('the quiet profile plays about a call a minute', async () => {
    const sim = await startSimulator({ port: 0, speed: 600, seed: 1, startAt: START, traffic: 'quiet' });
    try {
      const calls = await callsUntil(sim, 10);
      expect(calls.length).toBeGreaterThanOrEqual(3);
      expect(calls.length).toBeLessThanOrEqual(20);
    } finally {
      await sim.close();
    }
  }, 60_000);
});
